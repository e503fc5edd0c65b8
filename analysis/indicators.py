"""Indicators from other sources: periods, checking imported rows, trends, small numbers.

An *indicator series* is a monthly or quarterly count or rate from outside the survey
(police-reported crimes by category, the kommun's own records of skadegörelse, a housing
company's figures), for the whole kommun and optionally per area. Not to be confused with a
survey's key figures (``surveys.definition.Indicator``).

Everything here is plain Python: the web app reads files and the database, this module
checks the rows, computes the comparisons a lägesbild shows and decides which area figures
are withheld.

The comparisons, for a period *t* of a series with *p* periods a year (12 or 4):

* ``value`` – the figure of *t*;
* ``value_year_before`` – the figure of *t - p* (the same month or quarter a year earlier);
* ``rolling_12m`` – the last twelve months, *t - p + 1 … t*: their sum for counts, their mean
  for other units (a rate or a share does not add up);
* ``rolling_12m_year_before`` – the twelve months before those, *t - 2p + 1 … t - p*.

A figure whose periods are not all in the data is ``None``: a rolling sum over eleven months
would look like a fall.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .disclosure import withhold

__all__ = [
    "CATEGORIES", "COUNT_UNIT", "FIGURES", "SENSITIVE_CATEGORIES", "AreaFigures", "ImportRow",
    "KnownSeries", "Period", "PeriodError", "RowProblem", "Trend", "Validation", "parse_period",
    "period_for_month", "trend", "validate_rows", "withhold_areas",
]

# Categories a lägesbild groups its indicators by. Codes are stable; the labels people read
# are in the web app's catalogs. An import may name a category by code or by its Swedish name.
CATEGORIES: dict[str, str] = {
    "narkotika": "narkotika",
    "vald_i_nara_relation": "våld i nära relation",
    "sexualbrott": "sexualbrott",
    "ungdomar": "ungdomar",
    "skadegorelse": "skadegörelse och klotter",
    "vald_offentlig_miljo": "våld i offentlig miljö",
    "stold_inbrott": "stöld och inbrott",
    "bedrageri": "bedrägerier",
    "trafik": "trafik",
    "ordning": "ordningsstörningar",
    "annat": "annat",
}
# Shown for the whole kommun only unless staff decide otherwise: a handful of cases in one
# kommundel can point at a household.
SENSITIVE_CATEGORIES = frozenset({"vald_i_nara_relation", "sexualbrott"})
COUNT_UNIT = "antal"
FIGURES = ("value", "value_year_before", "rolling_12m", "rolling_12m_year_before")

REQUIRED_COLUMNS = ("indicator", "period", "area", "value")
OPTIONAL_COLUMNS = ("label", "label_en", "category", "unit", "source", "rise_is_bad",
                    "sensitive")
MAX_CODE_LENGTH = 64
MAX_AREA_LENGTH = 128
MAX_TEXT_LENGTH = 500
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YES = {"ja", "yes", "j", "y", "1", "true", "sant"}
_NO = {"nej", "no", "n", "0", "false", "falskt"}


class PeriodError(ValueError):
    """Not a period: ``YYYY-MM`` or ``YYYY-Qn``."""


@dataclass(frozen=True, order=True)
class Period:
    """A month (``per_year`` 12) or a quarter (``per_year`` 4), ordered in time."""

    per_year: int
    year: int
    number: int

    def __str__(self) -> str:
        if self.per_year == 12:
            return f"{self.year:04d}-{self.number:02d}"
        return f"{self.year:04d}-Q{self.number}"

    def shift(self, periods: int) -> Period:
        """The period ``periods`` steps later (earlier when negative)."""
        index = self.year * self.per_year + self.number - 1 + periods
        return Period(self.per_year, index // self.per_year, index % self.per_year + 1)

    def year_before(self) -> Period:
        return self.shift(-self.per_year)

    @property
    def last_month(self) -> Period:
        """The last month the period covers (itself for a month)."""
        if self.per_year == 12:
            return self
        return Period(12, self.year, self.number * 3)


def parse_period(text: str) -> Period:
    """``2026-03`` → March 2026, ``2026-Q1`` → the first quarter; anything else raises."""
    text = text.strip()
    month = _MONTH.match(text)
    if month and 1 <= int(month.group(2)) <= 12 and int(month.group(1)) >= 1900:
        return Period(12, int(month.group(1)), int(month.group(2)))
    quarter = _QUARTER.match(text)
    if quarter and int(quarter.group(1)) >= 1900:
        return Period(4, int(quarter.group(1)), int(quarter.group(2)))
    raise PeriodError(text)


def period_for_month(month: Period, per_year: int) -> Period:
    """The period of a series with ``per_year`` periods that a monthly lägesbild shows: the
    month itself, or for a quarterly series the last quarter that has ended by the month's end."""
    if per_year == 12:
        return month
    quarter = Period(4, month.year, (month.number - 1) // 3 + 1)
    return quarter if month.number % 3 == 0 else quarter.shift(-1)


# -- checking imported rows -------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """One problem in a file: ``row`` as the spreadsheet numbers it (the header is row 1),
    ``column`` by its header name (None for the whole row), a ``code`` the web app turns into
    words, and the values the words need."""

    row: int
    column: str | None
    code: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportRow:
    """One checked row. Optional columns left empty are None."""

    row: int
    indicator: str
    period: Period
    area: str
    value: float
    label: str | None = None
    label_en: str | None = None
    category: str | None = None
    unit: str | None = None
    source: str | None = None
    rise_is_bad: bool | None = None
    sensitive: bool | None = None


@dataclass(frozen=True)
class KnownSeries:
    """What an import needs to know of a stored series."""

    per_year: int | None  # None while the series has no figures yet
    unit: str


@dataclass(frozen=True)
class Validation:
    """Result of :func:`validate_rows`: the rows when there are no problems."""

    rows: list[ImportRow]
    problems: list[RowProblem]


def _number(text: str) -> float | None:
    """A number as people type it in Sweden: ``1 234,5``, ``1234.5``, ``−3``."""
    cleaned = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    cleaned = cleaned.replace("\u2212", "-").replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _yes_no(text: str) -> bool | None:
    word = text.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValueError(text)


def _category(text: str) -> str:
    word = text.strip().lower()
    for code, name in CATEGORIES.items():
        if word in (code, name):
            return code
    raise ValueError(text)


def validate_rows(header: Sequence[str], rows: Iterable[tuple[int, Sequence[str]]],
                  known: Mapping[str, KnownSeries]) -> Validation:
    """Check the rows of an indicator file.

    Parameters
    ----------
    header : sequence of str
        The first row's cells; names are matched without case and surrounding space.
    rows : iterable of (int, sequence of str)
        Each data row with its row number in the file.
    known : mapping of str to KnownSeries
        The indicators already stored, by code. A new indicator needs a ``label``; a series
        keeps its kind of period; counts (unit ``antal``) must be whole and not negative.

    Returns
    -------
    Validation
        Every problem found (not only the first), with its row and column.
    """
    names = [h.strip().lower() for h in header]
    problems: list[RowProblem] = []
    for wanted in REQUIRED_COLUMNS:
        if wanted not in names:
            problems.append(RowProblem(1, wanted, "missing_column"))
    for name in names:
        if name and name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            problems.append(RowProblem(1, name, "unknown_column"))
    if problems:
        return Validation([], problems)
    where = {name: names.index(name) for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS
             if name in names}
    seen: dict[tuple[str, Period, str], int] = {}
    described: dict[str, dict[str, tuple[int, object]]] = {}
    kinds: dict[str, tuple[int, int | None]] = {code: (0, series.per_year)
                                         for code, series in known.items()}
    checked: list[ImportRow] = []
    for number, cells in rows:
        def cell(name: str, cells: Sequence[str] = cells) -> str:
            index = where.get(name)
            return "" if index is None or index >= len(cells) else str(cells[index]).strip()

        if not any(str(c).strip() for c in cells):
            continue
        before = len(problems)
        code = cell("indicator")
        if not code:
            problems.append(RowProblem(number, "indicator", "empty"))
        elif len(code) > MAX_CODE_LENGTH or not _CODE.match(code):
            problems.append(RowProblem(number, "indicator", "bad_code", {"value": code[:80]}))
        period: Period | None = None
        try:
            period = parse_period(cell("period"))
        except PeriodError:
            problems.append(RowProblem(number, "period", "bad_period",
                                       {"value": cell("period")[:80]}))
        area = cell("area")
        if len(area) > MAX_AREA_LENGTH:
            problems.append(RowProblem(number, "area", "too_long",
                                       {"limit": str(MAX_AREA_LENGTH)}))
        value = _number(cell("value"))
        if value is None:
            problems.append(RowProblem(number, "value",
                                       "empty" if not cell("value") else "not_a_number",
                                       {"value": cell("value")[:80]}))
        texts: dict[str, object] = {}
        for name in ("label", "label_en", "unit", "source"):
            text = cell(name)
            if len(text) > MAX_TEXT_LENGTH:
                problems.append(RowProblem(number, name, "too_long",
                                           {"limit": str(MAX_TEXT_LENGTH)}))
            texts[name] = text or None
        try:
            texts["category"] = _category(cell("category")) if cell("category") else None
        except ValueError:
            problems.append(RowProblem(number, "category", "bad_category",
                                       {"value": cell("category")[:80],
                                        "allowed": ", ".join(CATEGORIES.values())}))
        for name in ("rise_is_bad", "sensitive"):
            try:
                texts[name] = _yes_no(cell(name)) if cell(name) else None
            except ValueError:
                problems.append(RowProblem(number, name, "bad_yes_no",
                                           {"value": cell(name)[:80]}))
        unit = (texts["unit"] or described.get(code, {}).get("unit", (0, None))[1]
                or (known[code].unit if code in known else COUNT_UNIT))
        if value is not None and unit == COUNT_UNIT and (value < 0 or value != int(value)):
            problems.append(RowProblem(number, "value", "not_a_count",
                                       {"value": cell("value")[:80]}))
        if len(problems) > before or period is None or value is None:
            continue
        if code not in known and code not in described and not texts["label"]:
            problems.append(RowProblem(number, "label", "new_needs_label", {"code": code}))
            continue
        first_kind = kinds.get(code)
        if first_kind is None or first_kind[1] is None:
            first_kind = kinds[code] = (number, period.per_year)
        if first_kind[1] != period.per_year:
            # Row 0: the stored series; otherwise the file's first row of the indicator.
            problems.append(RowProblem(number, "period",
                                       "stored_kind" if first_kind[0] == 0 else "mixed_periods",
                                       {"code": code, "row": str(first_kind[0])}))
            continue
        key = (code, period, area)
        if key in seen:
            problems.append(RowProblem(number, None, "duplicate",
                                       {"row": str(seen[key]), "code": code,
                                        "period": str(period), "area": area}))
            continue
        seen[key] = number
        meta = described.setdefault(code, {})
        for name, text in texts.items():
            if text is None:
                continue
            earlier = meta.setdefault(name, (number, text))
            if earlier[1] != text:
                problems.append(RowProblem(number, name, "conflict",
                                           {"code": code, "row": str(earlier[0])}))
        checked.append(ImportRow(number, code, period, area, value, **texts))  # type: ignore[arg-type]
    return Validation(checked if not problems else [], problems)


# -- trends -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """The four figures a lägesbild shows for one series and period (see the module text)."""

    period: Period
    value: float | None
    value_year_before: float | None
    rolling_12m: float | None
    rolling_12m_year_before: float | None

    def figures(self) -> dict[str, float | None]:
        return {name: getattr(self, name) for name in FIGURES}


def _window(values: Mapping[Period, float], last: Period, how: str) -> float | None:
    periods = [last.shift(-i) for i in range(last.per_year)]
    if any(p not in values for p in periods):
        return None
    numbers = [values[p] for p in periods]
    if how == "sum":
        return float(sum(numbers))
    return float(sum(numbers) / len(numbers))


def trend(values: Mapping[Period, float], period: Period, unit: str = COUNT_UNIT) -> Trend:
    """The figures of ``period`` for one series (one indicator in one area).

    Parameters
    ----------
    values : mapping of Period to float
        The series; all periods of one kind (months or quarters, as ``period``).
    period : Period
    unit : str
        ``"antal"`` sums the twelve months; any other unit averages them.
    """
    how = "sum" if unit == COUNT_UNIT else "mean"
    before = period.year_before()
    return Trend(period=period, value=values.get(period),
                 value_year_before=values.get(before),
                 rolling_12m=_window(values, period, how),
                 rolling_12m_year_before=_window(values, before, how))


# -- small numbers ----------------------------------------------------------------------


@dataclass(frozen=True)
class AreaFigures:
    """Which area figures of one indicator are withheld, per figure: ``small`` ones rest on
    fewer than the threshold (shown as "fewer than N"), ``protecting`` ones are withheld so
    that the small ones cannot be worked out from the kommun's figure."""

    small: dict[str, frozenset[str]]
    protecting: dict[str, frozenset[str]]


def withhold_areas(kommun: Mapping[str, float | None],
                   areas: Mapping[str, Mapping[str, float | None]], min_n: int) -> AreaFigures:
    """Decide which area figures of one count indicator may be published.

    Each figure (``FIGURES``) of the areas is one set of cells whose total is the kommun's
    figure; the part of the kommun outside every listed area (kommun minus the areas' sum)
    is a cell that is never shown. :func:`analysis.disclosure.withhold` then withholds every
    area figure under ``min_n`` and, where subtracting the shown areas from the kommun would
    give a withheld one back, further figures (the smallest first).

    Parameters
    ----------
    kommun : mapping of str to float or None
        The kommun's figures by name (missing or None: no published total).
    areas : mapping of str to mapping of str to float or None
        Each area's figures by name; a missing figure is not published anyway.
    min_n : int
        The threshold.
    """
    names = list(areas)
    small: dict[str, frozenset[str]] = {}
    protecting: dict[str, frozenset[str]] = {}
    for figure in FIGURES:
        present = [a for a in names if areas[a].get(figure) is not None]
        counts = [float(areas[a][figure]) for a in present]  # type: ignore[arg-type]
        total = kommun.get(figure)
        rest = max(float(total) - sum(counts), 0.0) if total is not None else 0.0
        cells = np.array([*counts, rest])
        published = np.array([True] * len(present) + [False])
        result = withhold(cells, min_n, [range(len(cells))], published)
        small[figure] = frozenset(a for a, p in zip(present, result.primary, strict=False) if p)
        protecting[figure] = frozenset(
            a for a, w, p in zip(present, result.withheld, result.primary, strict=False)
            if w and not p)
    return AreaFigures(small=small, protecting=protecting)
