"""The yearly report to kommunfullmäktige (Lag 2023:196): the year's lägesbilder in brief,
the measures with their follow-ups, and the survey results with their change.

One :class:`Report` feeds both the printed page and the XLSX, so the workbook's figures are
the page's figures. Survey figures come from the results services, as the dashboard shows
them; a withheld (too small) figure is ``None`` in both.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import select

from analysis import OVERALL
from analysis.rounding import whole_percent
from analysis.workbook import open_workbook

from ..dashboard import presenting
from ..extensions import db
from ..i18n import pick_text
from ..lagesbild.models import Lagesbild
from ..models import SurveyRecord
from ..services import catalog
from ..services.results.compute import SurveyResults
from ..services.results.facts import INDICATOR_PREFIX
from ..services.results.interpret import earlier_round, trend
from ..services.results.store import results_for
from . import service
from .models import Measure

TOP_PROBLEMS = 5


@dataclass(frozen=True)
class LagesbildBrief:
    period: str
    version: int
    published_on: date | None
    analysis: str  # what stands out, as staff wrote it in Swedish


@dataclass(frozen=True)
class SurveyFigure:
    """A key figure or a problem's share: this round, the round before and the change."""

    kind: str  # "key_figure" | "problem"
    label: str
    n: int | None
    share: float | None  # None when withheld
    ci_low: float | None
    ci_high: float | None
    previous: float | None
    change: float | None  # percentage points
    significant: bool | None


@dataclass(frozen=True)
class SurveyRound:
    title: str
    slug: str
    first_day: date | None
    last_day: date | None
    n_complete: int
    previous_title: str | None
    figures: list[SurveyFigure]


@dataclass(frozen=True)
class Report:
    year: int
    made_on: date
    lagesbilder: list[LagesbildBrief]
    measures: list[Measure]
    problems: dict[int, str]
    movements: dict[int, service.Movement]
    rounds: list[SurveyRound]

    def followups_of(self, measure: Measure) -> list:
        """The follow-ups dated in the report's year."""
        return [f for f in measure.followups if f.on.year == self.year]


def _lagesbilder(year: int) -> list[LagesbildBrief]:
    """The newest published version of each month of ``year``."""
    rows = db.session.scalars(select(Lagesbild).where(
        Lagesbild.status == "published", Lagesbild.period.like(f"{year}-%"))
        .order_by(Lagesbild.period, Lagesbild.version)).all()
    newest = {row.period: row for row in rows}
    return [LagesbildBrief(
        period=row.period, version=row.version,
        published_on=row.published_at.date() if row.published_at else None,
        analysis=pick_text((row.texts or {}).get("analysis"), "sv"))
        for row in newest.values()]


def _round_year(record: SurveyRecord) -> int:
    first, _last = catalog.round_period(record)
    return (first or record.created_at.date()).year


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _key_figures(results: SurveyResults, before: SurveyResults | None,
                 lang: str) -> list[SurveyFigure]:
    if results.key_figures is None:
        return []
    table = results.key_figures.table.set_index(["group", "item"])
    old = (before.key_figures.table.set_index(["group", "item"])
           if before is not None and before.key_figures is not None else None)
    figures = []
    for indicator in results.survey.indicators:
        key = (OVERALL, f"{INDICATOR_PREFIX}{indicator.id}")
        row = table.loc[key]
        share = None if row["suppressed"] else _number(row["share"])
        previous = None
        if old is not None and key in old.index and not old.loc[key]["suppressed"]:
            previous = _number(old.loc[key]["share"])
        figures.append(SurveyFigure(
            kind="key_figure",
            label=pick_text(indicator.label, lang, results.survey.default_language),
            n=presenting.answers(row["n"]), share=share,
            ci_low=None if share is None else _number(row["ci_low"]),
            ci_high=None if share is None else _number(row["ci_high"]),
            previous=previous,
            change=None if share is None or previous is None else share - previous,
            significant=None))
    return figures


def _problems(results: SurveyResults, change: pd.DataFrame | None,
              lang: str) -> list[SurveyFigure]:
    labels = presenting.item_labels(results, lang)
    overall = (change.loc[change["group"] == OVERALL].set_index("item")
               if change is not None else None)
    figures = []
    for row in results.ranking.overall().itertuples(index=False):
        if row.suppressed:
            continue
        moved = (overall.loc[row.item] if overall is not None and row.item in overall.index
                 and not overall.loc[row.item]["suppressed"] else None)
        figures.append(SurveyFigure(
            kind="problem", label=labels[row.item], n=presenting.answers(row.n),
            share=_number(row.share), ci_low=_number(row.ci_low),
            ci_high=_number(row.ci_high),
            previous=None if moved is None else _number(moved["share_previous"]),
            change=None if moved is None else _number(moved["change"]),
            significant=None if moved is None else bool(moved["significant"])))
        if len(figures) == TOP_PROBLEMS:
            break
    return figures


def _rounds(year: int, lang: str) -> list[SurveyRound]:
    rounds = []
    records = [r for r, _n in catalog.rounds_current_first() if _round_year(r) == year]
    for record in sorted(records, key=lambda r: (r.opens_at or r.created_at, r.id)):
        results = results_for(record)
        previous = earlier_round(record)
        before = results_for(previous) if previous is not None else None
        figures = _key_figures(results, before, lang)
        if results.ranking is not None:
            change = trend(before, results) if before is not None else None
            figures += _problems(results, change, lang)
        first, last = catalog.round_period(record)
        rounds.append(SurveyRound(
            title=pick_text(dict(results.survey.title), lang), slug=record.slug,
            first_day=first, last_day=last, n_complete=results.n_complete,
            previous_title=(pick_text(dict(before.survey.title), lang)
                            if before is not None else None),
            figures=figures))
    return rounds


def build_report(year: int, lang: str, today: date) -> Report:
    measures = service.measures_in_year(year)
    return Report(year=year, made_on=today, lagesbilder=_lagesbilder(year),
                  measures=measures, problems=service.problem_labels(measures, lang),
                  movements=service.movements(measures), rounds=_rounds(year, lang))


def report_workbook(report: Report, headings: dict[str, str], statuses: dict[str, str],
                    responsible: dict[int, str]) -> bytes:
    """The report's figures as an XLSX: measures, follow-ups, survey figures, lägesbilder.

    ``headings`` are the sheet and column names in the staff member's language, keyed by the
    names used here; ``statuses`` and ``responsible`` the words the page shows.
    """
    buffer = io.BytesIO()
    book = open_workbook(buffer)
    bold = book.add_format({"bold": True})
    share = book.add_format({"num_format": "0%"})
    points = book.add_format({"num_format": "+0;-0;0"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})

    def sheet(name: str, columns: list[str]):
        ws = book.add_worksheet(headings[name])
        for col, column in enumerate(columns):
            ws.write(0, col, headings[column], bold)
        ws.set_column(0, len(columns) - 1, 18)
        return ws

    ws = sheet("measures", ["id", "measure", "problem", "responsible", "start", "end",
                            "status", "indicator", "baseline", "latest", "target"])
    for row, m in enumerate(report.measures, start=1):
        mv = report.movements.get(m.id)
        ws.write_number(row, 0, m.id)
        ws.write_string(row, 1, pick_text(m.what, "sv"))
        ws.write_string(row, 2, report.problems[m.id])
        ws.write_string(row, 3, responsible[m.id])
        ws.write_datetime(row, 4, pd.Timestamp(m.starts).to_pydatetime(), day)
        ws.write_datetime(row, 5, pd.Timestamp(m.ends).to_pydatetime(), day)
        ws.write_string(row, 6, statuses[m.status])
        if mv is not None:
            ws.write_string(row, 7, pick_text(mv.label, "sv"))
            for col, value in ((8, mv.baseline), (9, mv.latest), (10, mv.target)):
                if value is not None:
                    ws.write_number(row, col, value)

    ws = sheet("followups", ["id", "date", "status", "text"])
    row = 1
    for m in report.measures:
        for f in report.followups_of(m):
            ws.write_number(row, 0, m.id)
            ws.write_datetime(row, 1, pd.Timestamp(f.on).to_pydatetime(), day)
            ws.write_string(row, 2, statuses[f.status] if f.status else "")
            ws.write_string(row, 3, pick_text(f.text, "sv"))
            row += 1

    ws = sheet("survey", ["round", "kind", "label", "n", "share", "ci_low", "ci_high",
                          "previous", "change"])
    row = 1
    for survey_round in report.rounds:
        for figure in survey_round.figures:
            ws.write_string(row, 0, survey_round.title)
            ws.write_string(row, 1, headings[figure.kind])
            ws.write_string(row, 2, figure.label)
            if figure.n is not None:
                ws.write_number(row, 3, figure.n)
            for col, value in ((4, figure.share), (5, figure.ci_low), (6, figure.ci_high),
                               (7, figure.previous)):
                if value is not None:
                    ws.write_number(row, col, value, share)
            if figure.change is not None:
                ws.write_number(row, 8, whole_percent(figure.change), points)
            row += 1

    ws = sheet("lagesbilder", ["period", "version", "published"])
    for row, brief in enumerate(report.lagesbilder, start=1):
        ws.write_string(row, 0, brief.period)
        ws.write_number(row, 1, brief.version)
        if brief.published_on is not None:
            ws.write_datetime(row, 2, pd.Timestamp(brief.published_on).to_pydatetime(), day)
    book.close()
    return buffer.getvalue()
