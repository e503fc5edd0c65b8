"""Publishing survey definitions and finding the version residents answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy import exists, func, select

from surveys import Survey, definition_fingerprint, survey_from_dict, survey_to_dict

from ..cache import LRUCache
from ..extensions import db
from ..models import Response, SurveyRecord, SurveyVersion, utcnow
from ..sampling.models import SampleStratum
from .recent import RecentReads


@dataclass(frozen=True)
class Published:
    slug: str
    version: int
    created: bool  # False when the definition was unchanged and no new version was made


def publish(survey: Survey, *, status: str | None = None,
            listed: bool | None = None) -> Published:
    """Store a definition; a changed definition becomes a new version, an unchanged one is kept.

    ``status`` and ``listed`` (on the residents' start page) change the round when given."""
    fingerprint = definition_fingerprint(survey)
    record = db.session.scalar(select(SurveyRecord).where(SurveyRecord.slug == survey.slug))
    if record is None:
        record = SurveyRecord(slug=survey.slug, status=status or "open")
        db.session.add(record)
        db.session.flush()
    elif status:
        record.status = status
    if listed is not None:
        record.listed = listed
    current = record.current_version
    if current is not None and current.fingerprint == fingerprint:
        number = current.number  # read before the commit expires it (no new transaction)
        db.session.commit()
        return Published(survey.slug, number, created=False)
    number = (current.number if current else 0) + 1
    version = SurveyVersion(
        survey_id=record.id, number=number, definition=survey_to_dict(survey),
        fingerprint=fingerprint,
    )
    db.session.add(version)
    db.session.flush()
    record.current_version_id = version.id
    db.session.commit()
    return Published(survey.slug, number, created=True)


# Versions never change once published, so a parsed definition can live for the process.
# The fingerprint is part of the key because version ids repeat across databases (tests).
_parsed: LRUCache[Survey] = LRUCache(256)


def _parsed_once(version_id: int, fingerprint: str, read: Callable[[], dict]) -> Survey:
    key = (version_id, fingerprint)
    survey = _parsed.get(key)
    if survey is None:
        survey = _parsed.put(key, survey_from_dict(read()))
    return survey


def definition_of(version: SurveyVersion) -> Survey:
    """The parsed definition of a stored version."""
    return _parsed_once(version.id, version.fingerprint, lambda: version.definition)


@dataclass(frozen=True)
class SurveyRef:
    """What a resident request needs of a survey round, read in one light query."""

    id: int
    slug: str
    status: str
    opens_at: datetime | None
    closes_at: datetime | None
    current_version_id: int | None
    fingerprint: str | None
    # A sampled round (it has strata) is answered with the code from the letter.
    sampled: bool


_REF_QUERY = (
    select(SurveyRecord.id, SurveyRecord.slug, SurveyRecord.status, SurveyRecord.opens_at,
           SurveyRecord.closes_at, SurveyRecord.current_version_id, SurveyVersion.fingerprint,
           exists().where(SampleStratum.survey_id == SurveyRecord.id))
    .outerjoin(SurveyVersion, SurveyRecord.current_version_id == SurveyVersion.id)
)


def find_ref(slug: str) -> SurveyRef | None:
    """The survey round behind ``slug`` without loading ORM objects (the answer hot path).

    Every resident request asks this; see ``recent`` for how long an answer is reused."""
    return _recent_refs.get(slug, lambda: _read_ref(slug))


def _read_ref(slug: str) -> SurveyRef | None:
    row = db.session.execute(_REF_QUERY.where(SurveyRecord.slug == slug)).first()
    return SurveyRef(*row) if row is not None else None


# Importing a sample adds its strata (a sample is never replaced or removed), so watching
# them forgets a round's facts the moment it becomes sampled.
_recent_refs: RecentReads[SurveyRef | None] = RecentReads(
    "survey_refs", watched=(SurveyRecord, SurveyVersion, SampleStratum), keep_none=False)


def current_definition(ref: SurveyRef) -> Survey:
    """The parsed current definition of a round; read from the database once per process."""
    return _parsed_once(ref.current_version_id, ref.fingerprint, lambda: db.session.scalar(
        select(SurveyVersion.definition).where(SurveyVersion.id == ref.current_version_id)))


def find_survey(slug: str) -> SurveyRecord | None:
    return db.session.scalar(select(SurveyRecord).where(SurveyRecord.slug == slug))


def is_public(record: SurveyRecord | SurveyRef | None) -> bool:
    """Whether residents may learn that the round exists: published and not a draft. A draft
    answers 404 like an unknown address (a 410 would tell that it exists)."""
    return record is not None and record.current_version_id is not None \
        and record.status != "draft"


def is_open(record: SurveyRecord | SurveyRef, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if record.status != "open" or record.current_version_id is None:
        return False
    if record.opens_at and now < record.opens_at:
        return False
    return not (record.closes_at and now >= record.closes_at)


def open_surveys() -> list[SurveyRecord]:
    records = db.session.scalars(select(SurveyRecord).order_by(SurveyRecord.slug)).all()
    return [r for r in records if is_open(r)]


def has_closed(record: SurveyRecord, now: datetime | None = None) -> bool:
    """Whether residents can no longer answer a round that was published: closed by staff or
    past its closing day (a round that has not opened yet has not closed)."""
    now = now or utcnow()
    return is_public(record) and (record.status == "closed"
                                  or (record.closes_at is not None and now >= record.closes_at))


@dataclass(frozen=True)
class ResidentRounds:
    """What the residents' start page offers in one language."""

    open: list[tuple[SurveyRecord, Survey]]  # answerable now in this language, the newest first
    other_languages: list[str]  # languages that some other open round is offered in
    closed: list[tuple[SurveyRecord, Survey]]  # rounds that have closed, the newest first


def rounds_for_residents(lang: str, now: datetime | None = None) -> ResidentRounds:
    """The rounds meant for residents: published, listed (see ``SurveyRecord.listed``) and not a
    draft. The newest first, so the current round leads; a round in other languages only is
    left out (its card would lead to another language's page)."""
    now = now or utcnow()
    records = db.session.scalars(
        select(SurveyRecord).where(SurveyRecord.listed, SurveyRecord.status != "draft",
                                   SurveyRecord.current_version_id.is_not(None))).all()
    records = sorted(records, key=lambda r: r.opens_at or r.created_at, reverse=True)
    answerable, closed, others = [], [], set()
    for record in records:
        survey = definition_of(record.current_version)
        if is_open(record, now):
            if lang in survey.languages:
                answerable.append((record, survey))
            else:
                others.update(survey.languages)
        elif has_closed(record, now):
            closed.append((record, survey))
    return ResidentRounds(answerable, sorted(others), closed)


def _complete_answers() -> dict[int, int]:
    return dict(db.session.execute(
        select(SurveyVersion.survey_id, func.count(Response.id))
        .join(Response, Response.version_id == SurveyVersion.id)
        .where(Response.status == "complete").group_by(SurveyVersion.survey_id)).all())


def rounds_current_first() -> list[tuple[SurveyRecord, int]]:
    """Every round with a published version and its complete answers, in the order a reader
    of results wants them: open rounds first, then by how many complete answers they have
    (test and imported rounds have few), then the newest."""
    complete = _complete_answers()
    records = db.session.scalars(
        select(SurveyRecord).where(SurveyRecord.current_version_id.is_not(None))).all()
    ordered = sorted(records, key=lambda r: (is_open(r), complete.get(r.id, 0),
                                             r.opens_at or r.created_at), reverse=True)
    return [(r, complete.get(r.id, 0)) for r in ordered]


def current_round() -> SurveyRecord | None:
    """The round a councillor is shown first: the leading one of rounds_current_first(), or
    None while no round has a complete answer."""
    rounds = rounds_current_first()
    return rounds[0][0] if rounds and rounds[0][1] else None


class Dated(Protocol):
    """A round, or a new round awaiting publication, with its opening and closing times."""

    opens_at: datetime | None
    closes_at: datetime | None


def round_period(record: Dated) -> tuple[date | None, date | None]:
    """The first and the last day residents could answer; ``closes_at`` is the midnight after
    the last day."""
    first = record.opens_at.date() if record.opens_at else None
    last = (record.closes_at - timedelta(days=1)).date() if record.closes_at else None
    return first, last
