"""Retention: raw responses of closed rounds are deleted after the retention period, while their
aggregated counts are kept, so that rankings, trends and the löfte's follow-up still work.

The counts are kept per age band × gender × area cell (the cells the weighting uses), per
answer field and code, of complete responses (the only ones analysed); partial ones are
counted per cell only. Free text is never aggregated: it is the part that can identify
people. Each purge adds one snapshot per survey version; the kept counts of a version are the
sum over its snapshots.

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

from sqlalchemy import delete, func, select

from surveys import Survey

from ..extensions import db
from ..models import Response, SurveyRecord, SurveyVersion, utcnow
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


def _codes(value: object) -> Iterable[str]:
    if isinstance(value, list):
        return (str(v) for v in value)
    return (str(value),) if value not in (None, "") else ()


def aggregate(survey: Survey, rows: Iterable[tuple[str, dict]]) -> Counter:
    """Counts keyed by (field, code, age_band, gender, area) from (status, answers) rows."""
    roles = {role: (q.id if (q := survey.question_with_role(role)) else None)
             for role in ("age_band", "gender", "area")}
    # Free text and marked places are what a resident wrote or pointed at, not codes to count.
    fields = [name for q in survey.questions() if q.type not in ("free_text", "place")
              for name in q.field_names()]
    counts: Counter = Counter()
    for status, answers in rows:
        cell = tuple(_cell_value(answers, roles[role]) for role in ("age_band", "gender", "area"))
        counts[(RESPONSES_FIELD, status, *cell)] += 1
        if status != "complete":
            continue
        for name in fields:
            for code in _codes(answers.get(name)):
                counts[(name, code[:128], *cell)] += 1
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
    rows: list[tuple[str, dict]] = []
    query = select(Response.id, Response.status, Response.answers).where(*where) \
        .order_by(Response.id).execution_options(yield_per=_BATCH)
    for rid, status, answers in db.session.execute(query):
        ids.append(rid)
        rows.append((status, answers or {}))
    counts = aggregate(survey, rows)
    statuses = Counter(status for status, _answers in rows)
    snapshot = RetentionSnapshot(version_id=plan.version_id, cutoff=before,
                                 complete_count=statuses["complete"],
                                 partial_count=statuses["partial"])
    db.session.add(snapshot)
    db.session.flush()
    db.session.add_all(
        RetainedCount(snapshot_id=snapshot.id, field=field, code=code, age_band=age,
                      gender=gender, area=area, count=n)
        for (field, code, age, gender, area), n in counts.items())
    links = responses.tables_linked_to_responses()
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start:start + _BATCH]
        # Rows that belong to a response (which kiosk took it, ...) go with it, whatever
        # channel it came by: found from the foreign keys, so a new one cannot be forgotten.
        for table, column in links:
            db.session.execute(delete(table).where(column.in_(chunk)))
        db.session.execute(delete(Response).where(Response.id.in_(chunk)))
        if progress:
            progress(min(start + _BATCH, len(ids)), len(ids))
    db.session.commit()
    return snapshot


def retained_counts(version_id: int) -> dict[tuple[str, str, str | None, str | None,
                                                    str | None], int]:
    """Kept counts of a version, summed over its snapshots."""
    rows = db.session.execute(
        select(RetainedCount.field, RetainedCount.code, RetainedCount.age_band,
               RetainedCount.gender, RetainedCount.area, func.sum(RetainedCount.count))
        .join(RetentionSnapshot, RetainedCount.snapshot_id == RetentionSnapshot.id)
        .where(RetentionSnapshot.version_id == version_id)
        .group_by(RetainedCount.field, RetainedCount.code, RetainedCount.age_band,
                  RetainedCount.gender, RetainedCount.area))
    return {tuple(row[:5]): int(row[5]) for row in rows}


def retained_answers(version_ids: Iterable[int], survey: Survey) -> list[dict]:
    """Answer sets, one per purged complete response of ``version_ids``, with the kept counts
    per cell, field and code (see the module docstring: combinations are not kept, counts
    are). Fields that allow several answers get lists, one code at most once in each."""
    roles = [(q.id if (q := survey.question_with_role(role)) else None)
             for role in ("age_band", "gender", "area")]
    many = {name for q in survey.questions() if q.type in ("multiple_choice", "pick_top")
            for name in q.field_names()}
    out: list[dict] = []
    for version_id in version_ids:
        by_cell: dict[tuple, list[tuple[str, str, int]]] = {}
        sizes: dict[tuple, int] = {}
        for (field, code, *cell), n in sorted(retained_counts(version_id).items(),
                                              key=lambda kv: kv[0][:2]):
            if field == RESPONSES_FIELD:
                if code == "complete":
                    sizes[tuple(cell)] = n
            elif field not in roles:
                by_cell.setdefault(tuple(cell), []).append((field, code, n))
        for cell, size in sizes.items():
            rows: list[dict] = [{field: value for field, value in zip(roles, cell, strict=True)
                                 if field and value is not None} for _ in range(size)]
            cursor: Counter = Counter()
            for field, code, n in by_cell.get(cell, []):
                for _ in range(n):
                    row = rows[cursor[field] % size]
                    cursor[field] += 1
                    if field in many:
                        row.setdefault(field, []).append(code)
                    else:
                        row[field] = code
            out.extend(rows)
    return out
