"""Retention: raw responses of closed rounds are deleted after the retention period, while their
aggregated counts are kept, so that rankings, trends and the löfte's follow-up still work.

The counts are kept per age band × gender × area × sample stratum cell (the cells the
weighting uses; the stratum is None outside a sampled round's sample), per answer field and
code, of complete responses (the only ones analysed); partial ones are counted per cell only.
Free text is never aggregated: it is the part that can identify people. Each purge adds one
snapshot per survey version; the kept counts of a version are the sum over its snapshots.

The shares the dashboard and its trend show depend, within each weighting cell, on how many
gave each answer to each question, never on which answers one person combined; so
:func:`retained_answers` rebuilds answer sets with exactly those counts, and a purged round
is analysed as it was before (see ``dialog/services/results/compute.py``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, func, select

from surveys import Survey

from ..extensions import db
from ..models import Response, SurveyRecord, SurveyVersion, utcnow
from ..sampling import service as sampling
from ..services import catalog, responses
from .models import RetainedCount, RetentionSnapshot

# The per-cell number of purged responses is kept under this field name, by status.
RESPONSES_FIELD = "_responses"
_BATCH = 2000


@dataclass(frozen=True)
class PurgePlan:
    """What a purge of one survey version deletes (or would delete, in a dry run)."""

    slug: str
    version: int
    version_id: int
    complete: int
    partial: int

    @property
    def total(self) -> int:
        return self.complete + self.partial


def _closed(record: SurveyRecord, now: datetime) -> bool:
    return record.status == "closed" or (record.closes_at is not None and record.closes_at <= now)


def _old_responses(version_id: int, before: datetime):
    # Partial answers that were abandoned have no completed_at; their last save counts.
    return (Response.version_id == version_id,
            func.coalesce(Response.completed_at, Response.updated_at) < before)


def plan_purge(before: datetime, now: datetime | None = None) -> list[PurgePlan]:
    """Versions of closed rounds with responses older than ``before``, and how many."""
    now = now or utcnow()
    plans: list[PurgePlan] = []
    records = db.session.scalars(select(SurveyRecord).order_by(SurveyRecord.slug)).all()
    for record in records:
        if not _closed(record, now):
            continue
        for version in record.versions:
            counts = dict(db.session.execute(
                select(Response.status, func.count(Response.id))
                .where(*_old_responses(version.id, before)).group_by(Response.status)).all())
            if counts:
                plans.append(PurgePlan(record.slug, version.number, version.id,
                                       counts.get("complete", 0), counts.get("partial", 0)))
    return plans


# An answer of several codes (multiple choice, pick top) is kept whole, its codes joined by a
# space (codes have none): a key figure counts whoever chose any of its codes, which counts
# per code would lose.
_JOIN = " "


def _codes(value: object) -> Iterable[str]:
    if isinstance(value, list):
        return (_JOIN.join(str(v) for v in value),) if value else ()
    return (str(value),) if value not in (None, "") else ()


# A kept count's cell: age band, gender, area and sample stratum.
Cell = tuple[str | None, str | None, str | None, str | None]


class RetainedAnswer(NamedTuple):
    """One answer set rebuilt from the kept counts, and its sample stratum (or None)."""

    answers: dict
    stratum: str | None


def aggregate(survey: Survey, rows: Iterable[tuple[str, dict, str | None]]) -> Counter:
    """Counts keyed by (field, code, age_band, gender, area, stratum) from (status, answers,
    sample stratum) rows."""
    roles = {role: (q.id if (q := survey.question_with_role(role)) else None)
             for role in ("age_band", "gender", "area")}
    # Free text and marked places are what a resident wrote or pointed at, not codes to count.
    fields = [name for q in survey.questions() if q.type not in ("free_text", "place")
              for name in q.field_names()]
    counts: Counter = Counter()
    for status, answers, stratum in rows:
        cell = (*(_cell_value(answers, roles[role]) for role in ("age_band", "gender", "area")),
                stratum)
        counts[(RESPONSES_FIELD, status, *cell)] += 1
        if status != "complete":
            continue
        for name in fields:
            for code in _codes(answers.get(name)):
                counts[(name, code, *cell)] += 1
    return counts


def _cell_value(answers: dict, field: str | None) -> str | None:
    value = answers.get(field) if field else None
    return str(value) if value not in (None, "", []) else None


def purge_version(plan: PurgePlan, before: datetime,
                  progress: Callable[[int, int], None] | None = None) -> RetentionSnapshot:
    """Store the aggregate snapshot and delete the raw responses, in one transaction."""
    version = db.session.get(SurveyVersion, plan.version_id)
    survey = catalog.definition_of(version)
    where = _old_responses(plan.version_id, before)
    ids: list[int] = []
    rows: list[tuple[str, dict, str | None]] = []
    query = select(Response.id, Response.status, Response.answers, Response.sample_stratum) \
        .where(*where).order_by(Response.id).execution_options(yield_per=_BATCH)
    for rid, status, answers, stratum in db.session.execute(query):
        ids.append(rid)
        rows.append((status, answers or {}, stratum))
    counts = aggregate(survey, rows)
    statuses = Counter(status for status, _answers, _stratum in rows)
    snapshot = RetentionSnapshot(version_id=plan.version_id, cutoff=before,
                                 complete_count=statuses["complete"],
                                 partial_count=statuses["partial"])
    db.session.add(snapshot)
    db.session.flush()
    db.session.add_all(
        RetainedCount(snapshot_id=snapshot.id, field=field, code=code, age_band=age,
                      gender=gender, area=area, stratum=stratum, count=n)
        for (field, code, age, gender, area, stratum), n in counts.items())
    # A sampled round closed by its date may still link codes to answers: the dispositions
    # are fixed from the answers first (the response rates stay), and the links go, as they
    # do when a round closes.
    sampling.close_links(version.survey_id)
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start:start + _BATCH]
        responses.release_linked_rows(chunk)
        db.session.execute(delete(Response).where(Response.id.in_(chunk)))
        if progress:
            progress(min(start + _BATCH, len(ids)), len(ids))
    db.session.commit()
    return snapshot


def retained_counts(version_id: int) -> dict[tuple, int]:
    """Kept counts of a version by (field, code, age_band, gender, area, stratum), summed
    over its snapshots."""
    keys = (RetainedCount.field, RetainedCount.code, RetainedCount.age_band,
            RetainedCount.gender, RetainedCount.area, RetainedCount.stratum)
    rows = db.session.execute(
        select(*keys, func.sum(RetainedCount.count))
        .join(RetentionSnapshot, RetainedCount.snapshot_id == RetentionSnapshot.id)
        .where(RetentionSnapshot.version_id == version_id).group_by(*keys))
    return {tuple(row[:6]): int(row[6]) for row in rows}


def retained_answers(version_ids: Iterable[int], survey: Survey) -> list[RetainedAnswer]:
    """Answer sets, one per purged complete response of ``version_ids``, with the kept counts
    per cell, field and code (see the module docstring: combinations across questions are not
    kept, counts are), each with its sample stratum. Fields that allow several answers get
    lists as they were answered (counts kept before whole answers were get one code at a
    time, at most once in each list)."""
    roles = [(q.id if (q := survey.question_with_role(role)) else None)
             for role in ("age_band", "gender", "area")]
    many = {name for q in survey.questions() if q.type in ("multiple_choice", "pick_top")
            for name in q.field_names()}
    out: list[RetainedAnswer] = []
    for version_id in version_ids:
        by_cell: dict[Cell, list[tuple[str, str, int]]] = {}
        sizes: dict[Cell, int] = {}
        for (field, code, *cell), n in sorted(retained_counts(version_id).items(),
                                              key=lambda kv: kv[0][:2]):
            if field == RESPONSES_FIELD:
                if code == "complete":
                    sizes[tuple(cell)] = n
            elif field not in roles:
                by_cell.setdefault(tuple(cell), []).append((field, code, n))
        for cell, size in sizes.items():
            rows: list[dict] = [{field: value for field, value in zip(roles, cell[:3],
                                                                      strict=True)
                                 if field and value is not None} for _ in range(size)]
            cursor: Counter = Counter()
            for field, code, n in by_cell.get(cell, []):
                for _ in range(n):
                    row = rows[cursor[field] % size]
                    cursor[field] += 1
                    if field in many:
                        chosen = row.setdefault(field, [])
                        chosen.extend(c for c in code.split(_JOIN) if c not in chosen)
                    else:
                        row[field] = code
            out.extend(RetainedAnswer(row, cell[3]) for row in rows)
    return out
