"""Turning respondent rows into integer cell codes, the unit all the arithmetic works on.

Rows become weighting cells (:func:`factorize_columns`), reporting groups
(:func:`group_codes`) and answer codes per item (:func:`answer_codes`,
:func:`priority_codes`); :func:`cell_counts` and :func:`pair_sums` then reduce a million rows
to counts per fine cell, after which nothing depends on the number of respondents.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .columns import Columns
from .errors import AnalysisError

# The group label of rows that describe the whole sample.
OVERALL = "all"


def natural_key(value: object) -> tuple[float, str]:
    """Sort key that puts "16-24" before "80+" and "9" before "10"."""
    text = str(value)
    digits = ""
    for ch in text.strip():
        if not ch.isdigit():
            break
        digits += ch
    return (float(digits) if digits else np.inf, text)


def factorize_columns(
    data: Columns, columns: Sequence[str], what: str = "weighting"
) -> tuple[np.ndarray, Columns]:
    """Code each row by its combination of ``columns``.

    Returns the code per row and a table of the distinct combinations (levels as str), in
    the order the codes refer to. Empty values are refused because a respondent without,
    say, an age band cannot be placed in any cell.
    """
    if not columns:
        return np.zeros(len(data), dtype=np.int64), Columns(length=1)
    codes = np.zeros(len(data), dtype=np.int64)
    levels: list[np.ndarray] = []
    for col in columns:
        coded = data.coded(col)
        empty = int((coded.codes < 0).sum())
        if empty:
            raise AnalysisError(f"{what} column {col!r} is empty in {empty} row(s)")
        labels = np.array([_label(u) for u in coded.levels], dtype=object)
        codes = codes * len(labels) + coded.codes
        levels.append(labels)
    size = int(np.prod([len(lv) for lv in levels]))
    # A lookup over the full cross product avoids sorting a million codes.
    present = np.bincount(codes, minlength=size) > 0
    used = np.flatnonzero(present)
    remap = np.cumsum(present) - 1
    codes = remap[codes]
    keys = {}
    rest = used.copy()
    for col, labels in zip(reversed(columns), reversed(levels), strict=True):
        keys[col] = labels[rest % len(labels)]
        rest = rest // len(labels)
    return codes.astype(np.int64), Columns({col: keys[col] for col in columns})


def plain_code(value: object) -> object:
    """A whole-number float as an int, anything else as it is.

    Numeric codes read from CSV arrive as floats; "2.0" must match a population "2" and be
    shown to people as 2.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _label(value: object) -> str:
    return str(plain_code(value))
def group_codes(responses: Columns, group: str | None) -> tuple[np.ndarray, list[str]]:
    """Group code per row and the group labels in natural order.

    Rows with an empty group value get the extra last code: they count in the whole sample
    but in no group of their own.
    """
    if group is None:
        return np.zeros(len(responses), dtype=np.int64), []
    coded = responses.coded(group)
    labels = [_label(u) for u in coded.levels]
    order = sorted(range(len(labels)), key=lambda i: natural_key(labels[i]))
    remap = np.empty(len(labels) + 1, dtype=np.int64)
    remap[order] = np.arange(len(labels))
    remap[-1] = len(labels)  # the code -1 of an empty value lands here
    return remap[coded.codes], [labels[i] for i in order]


def domain_rows(responses: Columns, column: str, value: str) -> np.ndarray:
    """Whether each row's ``column`` is ``value`` (compared as shown: 2.0 is "2").

    Raises
    ------
    AnalysisError
        Unknown column, or no row has the value: an empty domain has no estimates.
    """
    if column not in responses.columns:
        raise AnalysisError(f"unknown column {column!r} to estimate within / okänd kolumn "
                            f"{column!r}")
    coded = responses.coded(column)
    matches = [k for k, level in enumerate(coded.levels) if _label(level) == str(value)]
    inside = np.isin(coded.codes, matches)
    if not inside.any():
        raise AnalysisError(f"no response has {column} = {value!r}, so there is nothing to "
                            f"estimate within / inget svar har {column} = {value!r}")
    return inside


def answer_codes(
    responses: Columns, items: Sequence[str], valid: Sequence[float],
    dont_know: Sequence[float],
) -> np.ndarray:
    """Code index per row and item: valid codes in order, then "vet ej", then missing."""
    n_valid = len(valid)
    known = {float(v): i for i, v in enumerate(valid)}
    known.update({float(d): n_valid for d in dont_know})
    out = np.empty((len(responses), len(items)), dtype=np.int8)
    for i, item in enumerate(items):
        values = numeric_column(responses, item)
        missing = np.isnan(values)
        present = values[~missing]
        uniq, position = _distinct(present)
        unknown = [u for u in uniq if u not in known]
        if unknown:
            bad = unknown[0]
            shown = plain_code(bad)
            raise AnalysisError(
                f"column {item!r} has code {shown}, which is neither a valid answer "
                f"({', '.join(_fmt(v) for v in valid)}) nor 'vet ej' "
                f"({', '.join(_fmt(d) for d in dont_know) or '-'}) / kolumnen {item!r} har "
                f"koden {shown} som inte är ett giltigt svar"
            )
        column = np.full(len(values), n_valid + 1, dtype=np.int8)
        lookup = np.array([known[u] for u in uniq], dtype=np.int8)
        column[~missing] = lookup[position]
        out[:, i] = column
    return out


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and each value's position among them.

    Answer codes are small whole numbers: counting them and looking each up in a table
    is linear, where sorting 200,000 answers per item was most of the coding time.
    """
    if values.size and values.min() >= 0 and values.max() < 4096:
        whole = values.astype(np.int64)
        if (whole == values).all():
            seen = np.bincount(whole) > 0
            return np.flatnonzero(seen).astype(float), (np.cumsum(seen) - 1)[whole]
    uniq, position = np.unique(values, return_inverse=True)
    return uniq, position


def numeric_column(data: Columns, name: str) -> np.ndarray:
    """A column of answer codes as floats (NaN for empty); text that is no number is refused.

    Text is read once per distinct value: a column of "1".."4" and "" costs five
    conversions, not one per respondent.
    """
    column = data.raw(name)
    if isinstance(column, np.ndarray) and column.dtype.kind in "fiu":
        return column.astype(float, copy=False)
    coded = data.coded(name)
    lookup = np.full(len(coded.levels) + 1, np.nan)
    for k, level in enumerate(coded.levels):
        number = parse_number(level)
        if number is None:
            raise AnalysisError(
                f"column {name!r} has value {str(level).strip()!r}, which is not a numeric "
                f"code / kolumnen {name!r} har värdet {str(level).strip()!r} som inte är en "
                "sifferkod")
        lookup[k] = number
    return lookup[coded.codes]


def parse_number(value: object) -> float | None:
    """A value as a float: NaN for an empty text, None for what is no number.

    Only ASCII: Python's ``float`` also reads "1_000" and other scripts' digits, which no
    survey export means as a code.
    """
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    text = str(value).strip()
    if not text:
        return np.nan
    if not text.isascii() or "_" in text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return None if number != number else number  # the text "nan" is no code


def number_or_nan(value: object) -> float:
    """A count or weight as a float; NaN for an empty value and for what is no number
    (pandas' ``to_numeric(errors="coerce")``), which the caller then refuses by name."""
    number = parse_number(value)
    return np.nan if number is None else number


def _fmt(value: float) -> str:
    return str(plain_code(value))


def priority_codes(data: Columns, name: str, items: Sequence[str]) -> np.ndarray:
    """Per row and item: 0 = item picked, 1 = not picked, 2 = question not answered."""
    coded = data.coded(name)
    index = {item: i for i, item in enumerate(items)}
    table = np.ones((len(coded.levels) + 1, len(items)), dtype=np.int8)
    table[-1, :] = 2
    for u, text in enumerate(coded.levels):
        picks = [p.strip() for p in str(text).split(";") if p.strip()]
        if not picks:
            table[u, :] = 2
        for pick in picks:
            if pick not in index:
                raise AnalysisError(
                    f"column {name!r} names {pick!r}, which is not one of the items "
                    f"({', '.join(items)})"
                )
            table[u, index[pick]] = 0
    return table[coded.codes]


def cell_counts(fine: np.ndarray, codes: np.ndarray, n_cells: int, n_codes: int) -> np.ndarray:
    """Respondents per item, fine cell and answer code: shape ``(I, J, n_codes)``."""
    base = fine * n_codes
    return np.stack([
        np.bincount(base + codes[:, i], minlength=n_cells * n_codes).reshape(n_cells, n_codes)
        for i in range(codes.shape[1])
    ]).astype(float)



def pair_sums(
    fine: np.ndarray, codes: np.ndarray, n_cells: int, n_valid: int, share_scores: np.ndarray
) -> np.ndarray:
    """Per fine cell, the cross-products of [positive, valid] indicators over items.

    Shape ``(J, 2I, 2I)``; these are the joint counts the between-item covariance needs.
    """
    is_positive = np.zeros(256, dtype=bool)  # codes are int8 indices
    is_positive[np.flatnonzero(share_scores[:n_valid] == 1)] = True
    # Radix sort: fine-cell codes are small integers.
    order = np.argsort(fine.astype(np.int16 if n_cells < 2**15 else np.int64), kind="stable")
    sorted_codes = codes[order]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(fine, minlength=n_cells))])
    n_items = codes.shape[1]
    out = np.empty((n_cells, 2 * n_items, 2 * n_items))
    chunk = 262_144
    for j in range(n_cells):
        acc = np.zeros((2 * n_items, 2 * n_items))
        for start in range(bounds[j], bounds[j + 1], chunk):
            block = sorted_codes[start:min(start + chunk, bounds[j + 1])]
            ind = np.concatenate([is_positive[block], block < n_valid], axis=1)
            ind = ind.astype(np.float32)
            acc += (ind.T @ ind).astype(float)
        out[j] = acc
    return out
