"""Survey rounds for the staff overview: live counts, computed in the database, and the
schedule."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from surveys import Survey, analysis_spec

from ..extensions import db
from ..models import Response, SurveyRecord, SurveyVersion
from ..sampling import service as sampling
from ..services import catalog
from ..services.population import PopulationInfo


@dataclass(frozen=True)
class RoundCounts:
    """Responses of all versions of a survey; the breakdowns count complete responses only."""

    complete: int
    partial: int
    by_channel: dict[str, int] = field(default_factory=dict)
    by_language: dict[str, int] = field(default_factory=dict)
    by_age_band: dict[str, int] = field(default_factory=dict)  # answer code → count


def round_counts(record: SurveyRecord, survey: Survey) -> RoundCounts:
    scope = (Response.version_id == SurveyVersion.id, SurveyVersion.survey_id == record.id)
    status = Counter(dict(db.session.execute(
        select(Response.status, func.count(Response.id)).join(SurveyVersion, scope[0])
        .where(scope[1]).group_by(Response.status)).all()))

    def breakdown(column) -> dict[str, int]:
        rows = db.session.execute(
            select(column, func.count(Response.id)).join(SurveyVersion, scope[0])
            .where(scope[1], Response.status == "complete").group_by(column)).all()
        return {str(key) if key is not None else "": count for key, count in rows}

    age_column = analysis_spec(survey).age_band_column
    by_age = breakdown(Response.answers[age_column].as_string()) if age_column else {}
    return RoundCounts(
        complete=status.get("complete", 0), partial=status.get("partial", 0),
        by_channel=breakdown(Response.channel), by_language=breakdown(Response.language),
        by_age_band=by_age,
    )


@dataclass(frozen=True)
class AgeBandRow:
    """Complete responses in one age band next to the band's share of the population."""

    code: str
    label: dict[str, str]
    count: int
    share: float | None
    population_share: float | None


@dataclass(frozen=True)
class AgeBands:
    rows: list[AgeBandRow]
    source: str | None
    is_estimate: bool


def age_bands(survey: Survey, counts: RoundCounts, population: PopulationInfo | None) -> AgeBands:
    """The age-band breakdown; population shares when a table covers the survey's bands."""
    spec = analysis_spec(survey)
    question = next((q for q in survey.questions() if q.id == spec.age_band_column), None)
    if question is None:
        return AgeBands([], None, False)
    pop_share: dict[str, float] = {}
    if population is not None and len(population.table):
        per_band = population.table.groupby("age_band")["count"].sum()
        total = float(per_band.sum())
        if total > 0:
            pop_share = {str(band): float(n) / total for band, n in per_band.items()}
    answered = sum(counts.by_age_band.get(o.code, 0) for o in question.options)
    rows = [
        AgeBandRow(o.code, dict(o.label), counts.by_age_band.get(o.code, 0),
                   counts.by_age_band.get(o.code, 0) / answered if answered else None,
                   pop_share.get(o.code))
        for o in question.options
    ]
    return AgeBands(rows, population.source if population else None,
                    population.is_estimate if population else False)


def overview() -> list[tuple[SurveyRecord, Survey, RoundCounts, bool]]:
    """Every published survey round by slug: its definition, counts and whether it is open."""
    rows = []
    for record in db.session.scalars(select(SurveyRecord).order_by(SurveyRecord.slug)):
        if record.current_version is None:
            continue
        survey = catalog.definition_of(record.current_version)
        rows.append((record, survey, round_counts(record, survey), catalog.is_open(record)))
    return rows


def period(first_day: date | None, last_day: date | None) -> tuple[datetime | None,
                                                                  datetime | None]:
    """The opening and closing times of a round open from its first to its last day: "closes
    after 30 June" means answers are taken all of that day."""
    opens = datetime.combine(first_day, time.min) if first_day else None
    closes = datetime.combine(last_day, time.min) + timedelta(days=1) if last_day else None
    return opens, closes


def schedule(record: SurveyRecord, status: str, opens_at: datetime | None,
             closes_at: datetime | None, *, listed: bool = True) -> None:
    """Set whether the round takes answers, between which times, and whether the residents'
    start page offers it. Closing a sampled round deletes the links from its sample to the
    answers (docs/sampling.md)."""
    record.status, record.opens_at, record.closes_at = status, opens_at, closes_at
    record.listed = listed
    if status == "closed":
        sampling.close_links(record.id)
    db.session.commit()
