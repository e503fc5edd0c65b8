"""The register of measures: the one place measures are written, the löfte's åtgärder
included.

Functions raise :class:`MeasureError` for input staff can correct (shown on the form, 422)
and :class:`MeasureLocked` when a measure belongs to a signed löfte and only its follow-ups
and effect indicator may change (409).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from analysis.indicators import Period, parse_period, period_for_month, trend
from surveys import analysis_spec

from ..extensions import db
from ..i18n import pick_text
from ..lagesbild.models import IndicatorSeries, Measurement
from ..models import SurveyRecord, utcnow
from ..promises.models import Promise
from ..services import catalog
from ..services.results.store import results_for
from .models import PROBLEM_KINDS, RESPONSIBLE, STATUSES, Measure, MeasureFollowup

SURVEY_PROBLEMS = ("item", "key_figure")


class MeasureError(ValueError):
    """Input that staff can correct; ``str(error)`` is a message code."""


class MeasureLocked(ValueError):
    """The measure is an åtgärd of a signed löfte: what was promised cannot change."""


@dataclass(frozen=True)
class MeasureInput:
    """What staff write about a measure (texts per language)."""

    what: dict[str, str]
    problem_kind: str
    problem_code: str
    responsible: str
    starts: date
    ends: date
    how: dict[str, str] = field(default_factory=dict)
    survey_id: int | None = None
    responsible_name: str = ""
    status: str = "planned"


@dataclass(frozen=True)
class MeasureStatus:
    """A measure as other features (the lägesbild) read it: no ORM object."""

    id: int
    what: dict[str, str]
    problem_kind: str
    problem_code: str
    survey_id: int | None
    responsible: str
    responsible_name: str
    starts: date
    ends: date
    status: str
    promise_id: int | None
    latest_on: date | None
    latest_text: dict[str, str]


def _clean(text: dict[str, str]) -> dict[str, str]:
    return {lang: value.strip() for lang, value in text.items() if value and value.strip()}


def _checked(data: MeasureInput, language: str) -> dict:
    what = _clean(data.what)
    if language not in what:
        raise MeasureError("what")
    if data.problem_kind not in PROBLEM_KINDS or not data.problem_code:
        raise MeasureError("problem")
    if (data.problem_kind in SURVEY_PROBLEMS) != (data.survey_id is not None):
        raise MeasureError("problem")
    if data.responsible not in RESPONSIBLE:
        raise MeasureError("responsible")
    if data.responsible == "annan" and not data.responsible_name.strip():
        raise MeasureError("responsible_name")
    if data.ends < data.starts:
        raise MeasureError("dates")
    if data.status not in STATUSES:
        raise MeasureError("status")
    return {"what": what, "how": _clean(data.how), "problem_kind": data.problem_kind,
            "problem_code": data.problem_code, "survey_id": data.survey_id,
            "responsible": data.responsible,
            "responsible_name": data.responsible_name.strip(), "starts": data.starts,
            "ends": data.ends, "status": data.status}


def is_locked(measure: Measure) -> bool:
    """An åtgärd of a signed löfte: only follow-ups and the effect indicator may change."""
    if measure.promise_id is None:
        return False
    return db.session.get(Promise, measure.promise_id).status != "draft"


def _last_position(promise_id: int) -> int:
    return db.session.scalar(select(func.coalesce(func.max(Measure.position), 0)).where(
        Measure.promise_id == promise_id))


def create_measure(data: MeasureInput, *, promise_id: int | None = None,
                   language: str = "sv") -> Measure:
    """Add a measure (a löfte's åtgärd goes last in the löfte); ``language`` is the one
    ``what`` must be written in."""
    measure = Measure(promise_id=promise_id, **_checked(data, language))
    if promise_id is not None:
        measure.position = _last_position(promise_id) + 1
    db.session.add(measure)
    db.session.commit()
    return measure


def update_measure(measure: Measure, data: MeasureInput, *, language: str = "sv",
                   keep_promise_problem: bool = True) -> None:
    """Change what a measure is (not allowed for an åtgärd of a signed löfte).

    The register keeps a löfte's åtgärd at its focus problem (``keep_promise_problem``); the
    löfte's own page may move it to another one, where it goes last.
    """
    if is_locked(measure):
        raise MeasureLocked(measure.id)
    values = _checked(data, language)
    if measure.promise_id is not None:
        if keep_promise_problem:
            values.update(problem_kind=measure.problem_kind,
                          problem_code=measure.problem_code, survey_id=measure.survey_id)
        elif values["problem_code"] != measure.problem_code:
            values["position"] = _last_position(measure.promise_id) + 1
    for name, value in values.items():
        setattr(measure, name, value)
    measure.updated_at = utcnow()
    db.session.commit()


def move_within(ordered: list[Measure], measure_id: int, step: int) -> None:
    """Move a measure one place (``step`` -1 or +1) within ``ordered``, a löfte's åtgärder
    of one focus problem in their order; at either end it stays."""
    ids = [m.id for m in ordered]
    index = ids.index(measure_id)
    other = index + step
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    # Positions are renumbered from the first: migrated åtgärder all start at 0.
    base = min(m.position for m in ordered)
    for offset, measure in enumerate(ordered):
        measure.position = base + offset
    db.session.commit()


def update_effect(measure: Measure, indicator_code: str | None, baseline_period: str | None,
                  baseline_value: float | None, target_value: float | None) -> None:
    """Set the indicator that should show the measure's effect, its baseline and target.

    An empty baseline value with a baseline month is taken from the figures (the twelve
    months up to that month) and kept, so that a later import does not move the baseline.
    """
    if indicator_code is None:
        if baseline_value is not None or target_value is not None or baseline_period:
            raise MeasureError("indicator_missing")
    else:
        series = db.session.scalar(select(IndicatorSeries).where(
            IndicatorSeries.code == indicator_code))
        if series is None:
            raise MeasureError("indicator_unknown")
        if baseline_value is None and baseline_period:
            baseline_value = _baseline(_twelve_months(series), series, baseline_period)
    measure.indicator_code = indicator_code
    measure.baseline_period = baseline_period
    measure.baseline_value = baseline_value
    measure.target_value = target_value
    measure.updated_at = utcnow()
    db.session.commit()


def remove_measure(measure: Measure) -> None:
    if is_locked(measure):
        raise MeasureLocked(measure.id)
    db.session.delete(measure)
    db.session.commit()


def add_followup(measure: Measure, on: date, text: dict[str, str], status: str | None,
                 author: str | None) -> MeasureFollowup:
    """A dated entry; a status changes the measure's status. Text or status is needed."""
    text = _clean(text)
    if status is not None and status not in STATUSES:
        raise MeasureError("status")
    if status is None and not text:
        raise MeasureError("followup_empty")
    entry = MeasureFollowup(measure=measure, on=on, text=text, status=status,
                            created_by=author)
    db.session.add(entry)
    if status is not None and on >= max((f.on for f in measure.followups if f.status
                                         and f is not entry), default=date.min):
        measure.status = status
    measure.updated_at = utcnow()
    db.session.commit()
    return entry


def find_measure(measure_id: int) -> Measure | None:
    return db.session.get(Measure, measure_id)


def _listed():
    return (select(Measure).options(selectinload(Measure.followups))
            .order_by(Measure.starts, Measure.id))


def all_measures() -> list[Measure]:
    """The whole register, drafts of löften included (staff)."""
    return list(db.session.scalars(_listed()))


def public_measures() -> list[Measure]:
    """What residents see: every measure except the åtgärder of a löfte not yet signed."""
    drafts = select(Promise.id).where(Promise.status == "draft")
    return list(db.session.scalars(_listed().where(
        (Measure.promise_id.is_(None)) | (Measure.promise_id.not_in(drafts)))))


def measures_of_promise(promise: Promise) -> list[Measure]:
    """A löfte's åtgärder in the order staff gave them."""
    return list(db.session.scalars(
        select(Measure).options(selectinload(Measure.followups))
        .where(Measure.promise_id == promise.id).order_by(Measure.position, Measure.id)))


def measures_in_year(year: int) -> list[Measure]:
    """Measures that ran at some time during ``year`` (public ones, as in the report)."""
    return [m for m in public_measures()
            if m.starts <= date(year, 12, 31) and m.ends >= date(year, 1, 1)]


def responsible_suggestions() -> list[str]:
    """Names of förvaltningar and organisations already used, for the form's suggestions."""
    return sorted(set(db.session.scalars(
        select(Measure.responsible_name).where(Measure.responsible_name != ""))))


def measure_statuses() -> list[MeasureStatus]:
    """Every public measure with its status and latest follow-up (for the lägesbild)."""
    rows = []
    for m in public_measures():
        latest = m.latest_followup
        rows.append(MeasureStatus(
            id=m.id, what=dict(m.what), problem_kind=m.problem_kind,
            problem_code=m.problem_code, survey_id=m.survey_id, responsible=m.responsible,
            responsible_name=m.responsible_name, starts=m.starts, ends=m.ends,
            status=m.status, promise_id=m.promise_id,
            latest_on=latest.on if latest else None,
            latest_text=dict(latest.text) if latest else {}))
    return rows


# -- what a measure's problem is called ------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One problem a measure can address, as the form offers it."""

    kind: str
    code: str
    survey_id: int | None
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.survey_id or ''}:{self.code}"


def _survey_problems(record: SurveyRecord, lang: str) -> list[Problem]:
    survey = catalog.definition_of(record.current_version)
    spec = analysis_spec(survey)
    items = [Problem("item", code, record.id,
                     pick_text(spec.item_labels[column], lang, survey.default_language))
             for code, column in zip(spec.item_codes, spec.item_columns, strict=True)]
    figures = [Problem("key_figure", figure.id, record.id,
                       pick_text(dict(figure.label), lang, survey.default_language))
               for figure in survey.indicators]
    return items + figures


def _ranked(record: SurveyRecord, problems: list[Problem]) -> list[Problem]:
    """The round's items biggest problem first, numbered by the ranking (items withheld as
    too small last, unnumbered); without a ranking in the survey's order."""
    ranking = results_for(record).ranking
    if ranking is None:
        return problems
    overall = ranking.overall()
    shown = [item for item, hidden in zip(overall["item"], overall["suppressed"], strict=True)
             if not hidden]
    order = {item: index for index, item in enumerate(shown)}
    items = sorted((p for p in problems if p.kind == "item"),
                   key=lambda p: order.get(p.code, len(order)))
    numbered = [replace(p, label=f"{order[p.code] + 1}. {p.label}") if p.code in order else p
                for p in items]
    return numbered + [p for p in problems if p.kind != "item"]


def problem_choices(lang: str, indicators_title: str) -> list[tuple[str, list[Problem]]]:
    """The problems to choose from: the indicators, then per survey round (newest first)
    its items in the order of its ranking and its key figures."""
    series = [Problem("indicator", s.code, None, pick_text(s.label, lang))
              for s in indicator_series()]
    groups = [(indicators_title, series)] if series else []
    for record, _complete in catalog.rounds_current_first():
        if record.current_version is None:
            continue
        title = pick_text(dict(catalog.definition_of(record.current_version).title), lang)
        groups.append((title, _ranked(record, _survey_problems(record, lang))))
    return groups


def parse_problem(key: str) -> tuple[str, str, int | None]:
    """``item:3:inbrott`` → kind, code, survey id (the form's value back)."""
    kind, _sep, rest = key.partition(":")
    survey, _sep, code = rest.partition(":")
    if kind not in PROBLEM_KINDS or not code or (kind in SURVEY_PROBLEMS) != survey.isdigit():
        raise MeasureError("problem")
    return kind, code, int(survey) if survey else None


def problem_labels(measures: Sequence[Measure | MeasureStatus], lang: str) -> dict[int, str]:
    """Measure id → what its problem is called in ``lang``."""
    by_survey: dict[int, dict[tuple[str, str], str]] = {}
    indicators = {s.code: pick_text(s.label, lang) for s in indicator_series()}
    labels = {}
    for m in measures:
        if m.survey_id is not None:
            if m.survey_id not in by_survey:
                record = db.session.get(SurveyRecord, m.survey_id)
                by_survey[m.survey_id] = {(p.kind, p.code): p.label
                                          for p in _survey_problems(record, lang)}
            labels[m.id] = by_survey[m.survey_id].get((m.problem_kind, m.problem_code),
                                                      m.problem_code)
        else:
            labels[m.id] = indicators.get(m.problem_code, m.problem_code)
    return labels


# -- the effect indicator's movement since the baseline --------------------------------


@dataclass(frozen=True)
class Movement:
    """An effect indicator's twelve-month figure at the baseline, now and the target.

    ``baseline`` is the value staff entered or the one taken from the figures when they
    saved; ``latest`` is the figure of the newest period with twelve months of data.
    """

    code: str
    label: dict[str, str]
    unit: str
    rise_is_bad: bool
    baseline_period: str | None
    baseline: float | None
    latest_period: str | None
    latest: float | None
    target: float | None

    @property
    def change(self) -> float | None:
        if self.baseline is None or self.latest is None:
            return None
        return self.latest - self.baseline

    @property
    def better(self) -> bool | None:
        """Whether the change goes the right way; None when there is none to judge."""
        if not self.change:
            return None
        return (self.change < 0) == self.rise_is_bad


def indicator_series() -> list[IndicatorSeries]:
    return list(db.session.scalars(select(IndicatorSeries).order_by(IndicatorSeries.code)))


def _twelve_months(series: IndicatorSeries) -> dict[Period, float]:
    """The series for the whole kommun, as periods → values."""
    rows = db.session.execute(select(Measurement.period, Measurement.value).where(
        Measurement.series_id == series.id, Measurement.area == "")).all()
    return {parse_period(period): value for period, value in rows}


def _baseline(values: dict[Period, float], series: IndicatorSeries,
              month: str | None) -> float | None:
    if not month or not series.per_year:
        return None
    period = period_for_month(parse_period(month), series.per_year)
    return trend(values, period, series.unit).rolling_12m


def _latest(values: dict[Period, float], unit: str) -> tuple[str | None, float | None]:
    """The newest period whose last twelve months are all in the data."""
    for period in sorted(values, reverse=True):
        figure = trend(values, period, unit).rolling_12m
        if figure is not None:
            return str(period), figure
    return None, None


def movements(measures: list[Measure]) -> dict[int, Movement]:
    """Measure id → its effect indicator's movement (measures with an indicator only)."""
    codes = {m.indicator_code for m in measures if m.indicator_code}
    series = {s.code: s for s in db.session.scalars(
        select(IndicatorSeries).where(IndicatorSeries.code.in_(codes)))} if codes else {}
    values = {code: _twelve_months(s) for code, s in series.items()}
    latest = {code: _latest(values[code], s.unit) for code, s in series.items()}
    result = {}
    for m in measures:
        s = series.get(m.indicator_code or "")
        if s is None:
            continue
        result[m.id] = Movement(
            code=s.code, label=dict(s.label), unit=s.unit, rise_is_bad=s.rise_is_bad,
            baseline_period=m.baseline_period, baseline=m.baseline_value,
            latest_period=latest[s.code][0], latest=latest[s.code][1], target=m.target_value)
    return result
