"""Importing indicator figures: check a file, say what it would change, then store it.

Re-importing a period replaces it: for every indicator and period in the file, the stored
figures of that indicator and period are replaced by the file's (an area the file no longer
lists is removed). ``plan_import`` compares without writing, so the staff upload can show
the changes before they are saved and the command can print them after.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, func, insert, select

from analysis.indicators import (
    COUNT_UNIT,
    SENSITIVE_CATEGORIES,
    ImportRow,
    KnownSeries,
    RowProblem,
    validate_rows,
)

from ..extensions import db
from ..models import AuditEvent, utcnow
from ..table_files import Table, read_table
from .models import IndicatorSeries, Measurement

# Periods per DELETE and rows per INSERT: bounded statements, few round trips.
BATCH = 5000


@dataclass
class PeriodChange:
    """What an import does to one indicator's period: areas added, changed, removed."""

    indicator: str
    period: str
    added: list[tuple[str, float]] = field(default_factory=list)
    changed: list[tuple[str, float, float]] = field(default_factory=list)
    removed: list[tuple[str, float]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def is_new(self) -> bool:
        return not self.changed and not self.removed and not self.unchanged


@dataclass
class ImportPlan:
    """A checked file and what storing it would change; ``problems`` empty when it may be
    stored."""

    table: Table
    problems: list[RowProblem]
    rows: list[ImportRow]
    changes: list[PeriodChange]
    new_series: list[str]

    @property
    def digest(self) -> str:
        """Identifies the changes: a preview is confirmed only if nothing moved since."""
        data = [(c.indicator, c.period, c.added, c.changed, c.removed) for c in self.changes]
        return hashlib.sha256(json.dumps([data, self.new_series]).encode()).hexdigest()[:32]

    def summary(self) -> dict[str, int]:
        return {"rows": len(self.rows), "periods": len(self.changes),
                "added": sum(len(c.added) for c in self.changes),
                "changed": sum(len(c.changed) for c in self.changes),
                "removed": sum(len(c.removed) for c in self.changes),
                "unchanged": sum(c.unchanged for c in self.changes)}


def _known() -> dict[str, KnownSeries]:
    return {s.code: KnownSeries(s.per_year, s.unit)
            for s in db.session.scalars(select(IndicatorSeries))}


def plan_import(data: bytes, filename: str) -> ImportPlan:
    """Read and check a file and compare it with what is stored. Writes nothing.

    Raises ``files.UnreadableTable`` when the file cannot be read at all.
    """
    table = read_table(data, filename)
    known = _known()
    checked = validate_rows(table.header, table.rows, known)
    if checked.problems:
        return ImportPlan(table, checked.problems, [], [], [])
    by_key: dict[tuple[str, str], dict[str, float]] = {}
    for row in checked.rows:
        by_key.setdefault((row.indicator, str(row.period)), {})[row.area] = row.value
    stored: dict[tuple[str, str], dict[str, float]] = {}
    codes = {code for code, _ in by_key}
    query = (select(IndicatorSeries.code, Measurement.period, Measurement.area,
                    Measurement.value).join(Measurement.series)
             .where(IndicatorSeries.code.in_(codes)))
    for code, period, area, value in db.session.execute(query):
        if (code, period) in by_key:
            stored.setdefault((code, period), {})[area] = value
    changes = []
    for (code, period), new in sorted(by_key.items()):
        old = stored.get((code, period), {})
        change = PeriodChange(code, period)
        for area, value in sorted(new.items()):
            if area not in old:
                change.added.append((area, value))
            elif old[area] != value:
                change.changed.append((area, old[area], value))
            else:
                change.unchanged += 1
        change.removed = [(area, value) for area, value in sorted(old.items()) if area not in new]
        changes.append(change)
    new_series = sorted(codes - set(known))
    return ImportPlan(table, [], checked.rows, changes, new_series)


def _describe_series(series: IndicatorSeries, row: ImportRow) -> None:
    """Apply what a row says about its indicator (label, category, …); empty cells keep the
    stored description."""
    if row.label:
        series.label = {**series.label, "sv": row.label}
    if row.label_en:
        series.label = {**series.label, "en": row.label_en}
    if row.category:
        series.category = row.category
        if row.sensitive is None and series.id is None:
            series.sensitive = row.category in SENSITIVE_CATEGORIES
    if row.unit:
        series.unit = row.unit
    if row.source:
        series.source = row.source
    if row.rise_is_bad is not None:
        series.rise_is_bad = row.rise_is_bad
    if row.sensitive is not None:
        series.sensitive = row.sensitive


def apply_import(plan: ImportPlan, actor: str, filename: str, *, demo: bool = False,
                 progress: Callable[[int, int], None] | None = None) -> None:
    """Store a checked plan in one transaction and write it to the audit log."""
    if plan.problems:
        raise ValueError("a plan with problems is never stored")
    series_by_code = {s.code: s for s in db.session.scalars(
        select(IndicatorSeries).where(IndicatorSeries.code.in_({r.indicator for r in plan.rows})))}
    for row in plan.rows:
        series = series_by_code.get(row.indicator)
        if series is None:
            series = IndicatorSeries(code=row.indicator, label={}, category="annat",
                                     unit=COUNT_UNIT, source="", rise_is_bad=True,
                                     sensitive=False, show_areas=False, demo=demo)
            series_by_code[row.indicator] = series
            db.session.add(series)
        _describe_series(series, row)
        series.per_year = row.period.per_year
    db.session.flush()
    # Core statements, not ORM objects: a ten-year file is some 100,000 rows.
    periods: dict[int, list[str]] = {}
    for change in plan.changes:
        periods.setdefault(series_by_code[change.indicator].id, []).append(change.period)
    for series_id, replaced in periods.items():
        for start in range(0, len(replaced), BATCH):
            db.session.execute(delete(Measurement).where(
                Measurement.series_id == series_id,
                Measurement.period.in_(replaced[start:start + BATCH])))
    now = utcnow()
    total = len(plan.rows)
    for start in range(0, total, BATCH):
        db.session.execute(insert(Measurement), [
            {"series_id": series_by_code[r.indicator].id, "period": str(r.period),
             "area": r.area, "value": r.value, "imported_at": now}
            for r in plan.rows[start:start + BATCH]])
        if progress:
            progress(min(start + BATCH, total), total)
    summary = plan.summary()
    db.session.add(AuditEvent(actor=actor, action="indicators.import", target=filename[:255],
                              detail=json.dumps({**summary, "new": plan.new_series})))
    db.session.commit()


def has_indicators() -> bool:
    return db.session.scalar(select(IndicatorSeries.id).limit(1)) is not None


def all_series() -> list[tuple[IndicatorSeries, str | None, str | None, int]]:
    """Every indicator with its first and last period and how many figures it has."""
    counts = {sid: (first, last, n) for sid, first, last, n in db.session.execute(
        select(Measurement.series_id, func.min(Measurement.period), func.max(Measurement.period),
               func.count(Measurement.id)).group_by(Measurement.series_id))}
    return [(s, *counts.get(s.id, (None, None, 0)))
            for s in db.session.scalars(select(IndicatorSeries)
                                        .order_by(IndicatorSeries.category, IndicatorSeries.code))]


def find_series(code: str) -> IndicatorSeries | None:
    return db.session.scalar(select(IndicatorSeries).where(IndicatorSeries.code == code))


def series_form_data(series: IndicatorSeries) -> dict:
    return {"label_sv": series.label.get("sv", ""), "label_en": series.label.get("en", ""),
            "category": series.category, "unit": series.unit, "source": series.source,
            "rise_is_bad": series.rise_is_bad, "sensitive": series.sensitive,
            "show_areas": series.show_areas}


def describe(series: IndicatorSeries, *, label: dict[str, str], category: str, unit: str,
             source: str, rise_is_bad: bool, sensitive: bool, show_areas: bool) -> None:
    """Staff correct what an indicator is; a lägesbild already drafted keeps what it was
    drafted with until its figures are built again."""
    series.label = {lang: text.strip() for lang, text in label.items() if text and text.strip()}
    series.category = category
    series.unit = unit.strip()
    series.source = source.strip()
    series.rise_is_bad = rise_is_bad
    series.sensitive = sensitive
    series.show_areas = show_areas
    db.session.commit()
