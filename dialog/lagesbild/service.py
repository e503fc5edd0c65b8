"""The monthly lägesbild: drafted from the figures, written, approved by kommun and police,
published, corrected by a new version.

Functions raise :class:`LagesbildError` for input staff can correct (shown on the form, 422)
and :class:`LagesbildStateError` for a step that does not fit the version's state (409).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from analysis.indicators import (
    COUNT_UNIT,
    FIGURES,
    Period,
    PeriodError,
    parse_period,
    period_for_month,
    trend,
    withhold_areas,
)

from ..extensions import db
from ..models import User, utcnow
from .models import IndicatorSeries, Lagesbild, Measurement
from .sources import commitments, survey_summary

TEXT_SECTIONS = ("analysis", "other", "measures")
PROBLEM_PARTS = ("problem", "causes", "influence")
TEXT_LANGUAGES = ("sv", "en")
MAX_PROBLEMS = 6
HISTORY_PERIODS = 24


class LagesbildError(ValueError):
    """Input that staff can correct; the code names the message."""


class LagesbildStateError(ValueError):
    """The step does not fit the version (editing a published one, publishing unapproved)."""


def parse_month(text: str) -> Period:
    """A lägesbild is monthly: ``2026-03``; anything else raises ``LagesbildError``."""
    try:
        period = parse_period(text)
    except PeriodError:
        raise LagesbildError("period") from None
    if period.per_year != 12 or str(period) != text.strip():
        raise LagesbildError("period")
    return period


# -- the figures ------------------------------------------------------------------------


def _series_figures(series: IndicatorSeries, month: Period) -> dict | None:
    """One indicator's part of a lägesbild, or None when it has no figure in the window."""
    per_year = series.per_year or 12
    period = period_for_month(month, per_year)
    first = period.shift(-(2 * per_year - 1))
    by_area: dict[str, dict[Period, float]] = {}
    rows = db.session.execute(select(Measurement.period, Measurement.area, Measurement.value)
                              .where(Measurement.series_id == series.id))
    for text, area, value in rows:
        p = parse_period(text)
        if first <= p <= period:
            by_area.setdefault(area, {})[p] = value
    if not by_area:
        return None
    kommun = by_area.pop("", {})
    history = [[str(period.shift(-i)), kommun.get(period.shift(-i))]
               for i in reversed(range(min(HISTORY_PERIODS, 2 * per_year)))]
    return {
        "code": series.code, "label": dict(series.label), "category": series.category,
        "unit": series.unit, "source": series.source, "rise_is_bad": series.rise_is_bad,
        "sensitive": series.sensitive, "show_areas": series.show_areas, "demo": series.demo,
        "period": str(period),
        "kommun": trend(kommun, period, series.unit).figures() if kommun else None,
        "areas": {area: trend(values, period, series.unit).figures()
                  for area, values in sorted(by_area.items())},
        "history": history,
    }


def build_figures(month: Period) -> dict:
    """Everything a lägesbild shows that is computed, frozen as one JSON document."""
    indicators = []
    for series in db.session.scalars(select(IndicatorSeries)
                                     .order_by(IndicatorSeries.category, IndicatorSeries.code)):
        part = _series_figures(series, month)
        if part is not None:
            indicators.append(part)
    return {"month": str(month), "indicators": indicators, "survey": survey_summary(),
            "commitments": commitments()}


# -- versions ---------------------------------------------------------------------------


def versions_of(period: str) -> list[Lagesbild]:
    return list(db.session.scalars(select(Lagesbild).where(Lagesbild.period == period)
                                   .order_by(Lagesbild.version)))


def latest(period: str) -> Lagesbild | None:
    found = versions_of(period)
    return found[-1] if found else None


def all_latest() -> list[Lagesbild]:
    """The newest version of every month, newest month first (for the staff list)."""
    newest = (select(Lagesbild.period, func.max(Lagesbild.version).label("version"))
              .group_by(Lagesbild.period).subquery())
    query = (select(Lagesbild).join(newest, (Lagesbild.period == newest.c.period)
                                    & (Lagesbild.version == newest.c.version))
             .order_by(Lagesbild.period.desc()))
    return list(db.session.scalars(query))


def draft(period_text: str, actor: str) -> Lagesbild:
    """Start a month's lägesbild, or rebuild the figures of its draft (which withdraws the
    approvals: they were given to other figures). A published month needs a correction."""
    month = parse_month(period_text)
    current = latest(str(month))
    if current is not None and current.status == "published":
        raise LagesbildStateError("published")
    if current is None:
        current = Lagesbild(period=str(month), version=1, status="draft", texts={},
                            problems=[], created_by=actor)
        db.session.add(current)
    current.figures = build_figures(month)
    current.figures_built_at = utcnow()
    _changed(current)
    db.session.commit()
    return current


def _changed(lagesbild: Lagesbild) -> None:
    lagesbild.updated_at = utcnow()
    lagesbild.approved_kommun_by = lagesbild.approved_kommun_at = None
    lagesbild.approved_polis_by = lagesbild.approved_polis_at = None


def _require_draft(lagesbild: Lagesbild) -> None:
    if lagesbild.status != "draft":
        raise LagesbildStateError(lagesbild.status)


def _clean(text: Mapping[str, str]) -> dict[str, str]:
    return {lang: text[lang].strip() for lang in TEXT_LANGUAGES
            if text.get(lang) and text[lang].strip()}


def save_texts(lagesbild: Lagesbild, texts: Mapping[str, Mapping[str, str]],
               problems: list[Mapping[str, Mapping[str, str]]]) -> bool:
    """Store the staff-written sections and prioritised problems of a draft. A problem needs
    its Swedish name; its other parts may come later. Returns whether anything changed
    (a change withdraws the approvals)."""
    _require_draft(lagesbild)
    cleaned_texts = {section: _clean(texts.get(section, {})) for section in TEXT_SECTIONS}
    cleaned_problems = []
    for problem in problems[:MAX_PROBLEMS]:
        parts = {part: _clean(problem.get(part, {})) for part in PROBLEM_PARTS}
        if not any(parts.values()):
            continue
        if "sv" not in parts["problem"]:
            raise LagesbildError("problem_name")
        cleaned_problems.append(parts)
    if any("en" in text and "sv" not in text for text in cleaned_texts.values()):
        raise LagesbildError("english_only")
    cleaned_texts = {s: t for s, t in cleaned_texts.items() if t}
    if cleaned_texts == lagesbild.texts and cleaned_problems == lagesbild.problems:
        return False
    lagesbild.texts = cleaned_texts
    lagesbild.problems = cleaned_problems
    _changed(lagesbild)
    db.session.commit()
    return True


def approve(lagesbild: Lagesbild, user: User) -> str:
    """Approve a draft for the user's organisation; returns it. Kommun and police approve
    with two different accounts."""
    _require_draft(lagesbild)
    organisation = user.organisation
    if organisation not in ("kommun", "polis"):
        raise LagesbildError("no_organisation")
    other = lagesbild.approved_polis_by if organisation == "kommun" else \
        lagesbild.approved_kommun_by
    if other == user.email:
        raise LagesbildError("same_person")
    now = utcnow()
    if organisation == "kommun":
        lagesbild.approved_kommun_by, lagesbild.approved_kommun_at = user.email, now
    else:
        lagesbild.approved_polis_by, lagesbild.approved_polis_at = user.email, now
    db.session.commit()
    return organisation


def publish(lagesbild: Lagesbild, actor: str) -> None:
    """Publish a draft that both kommun and police have approved."""
    _require_draft(lagesbild)
    if not (lagesbild.approved_kommun_by and lagesbild.approved_polis_by):
        raise LagesbildStateError("not_approved")
    if lagesbild.version > 1 and not lagesbild.correction_reason:
        raise LagesbildStateError("no_reason")
    lagesbild.status = "published"
    lagesbild.published_at = utcnow()
    lagesbild.published_by = actor
    db.session.commit()


def correct(published: Lagesbild, reason: Mapping[str, str], actor: str) -> Lagesbild:
    """Start a correction of a published month: a new draft version, copied from it, with
    the reason shown to readers. The published version itself is never changed."""
    if published.status != "published" or latest(published.period) is not published:
        raise LagesbildStateError(published.status)
    cleaned = _clean(reason)
    if "sv" not in cleaned:
        raise LagesbildError("reason")
    new = Lagesbild(period=published.period, version=published.version + 1, status="draft",
                    figures=copy.deepcopy(published.figures),
                    figures_built_at=published.figures_built_at,
                    texts=copy.deepcopy(published.texts),
                    problems=copy.deepcopy(published.problems),
                    correction_reason=cleaned, created_by=actor)
    db.session.add(new)
    db.session.commit()
    return new


# -- what the public sees ---------------------------------------------------------------


def published_versions(period: str) -> list[Lagesbild]:
    return [v for v in versions_of(period) if v.status == "published"]


def published_months() -> list[Lagesbild]:
    """The newest published version of every published month, newest month first."""
    newest = (select(Lagesbild.period, func.max(Lagesbild.version).label("version"))
              .where(Lagesbild.status == "published").group_by(Lagesbild.period).subquery())
    query = (select(Lagesbild).join(newest, (Lagesbild.period == newest.c.period)
                                    & (Lagesbild.version == newest.c.version))
             .order_by(Lagesbild.period.desc()))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Cell:
    """One published figure: its number, or why there is none (``small``: under the
    threshold; ``protecting``: withheld so a small one cannot be worked out; ``missing``)."""

    value: float | None
    state: str = "shown"


@dataclass(frozen=True)
class FigureRow:
    indicator: str
    label: dict
    area: str  # '' = the whole kommun
    period: str
    cells: dict[str, Cell]


def public_rows(figures: Mapping, min_count: int) -> list[FigureRow]:
    """The indicator figures as the public page and figures.csv show them: the kommun
    first, then its areas, with the small-number rule and sensitive series applied."""
    rows = []
    for part in figures.get("indicators", []):
        kommun = part["kommun"] or {}
        rows.append(FigureRow(part["code"], part["label"], "", part["period"],
                              {f: _cell(kommun.get(f)) for f in FIGURES}))
        if part["sensitive"] and not part["show_areas"]:
            continue
        areas = part["areas"]
        if part["unit"] == COUNT_UNIT:
            decided = withhold_areas(kommun, areas, min_count)
        for area, values in areas.items():
            cells = {}
            for figure in FIGURES:
                state = "shown"
                if part["unit"] == COUNT_UNIT and values.get(figure) is not None:
                    if area in decided.small[figure]:
                        state = "small"
                    elif area in decided.protecting[figure]:
                        state = "protecting"
                cells[figure] = _cell(values.get(figure), state)
            rows.append(FigureRow(part["code"], part["label"], area, part["period"], cells))
    return rows


def _cell(value: float | None, state: str = "shown") -> Cell:
    if value is None:
        return Cell(None, "missing")
    return Cell(value if state == "shown" else None, state)
