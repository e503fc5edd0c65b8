"""CSV text to :class:`~analysis.columns.Columns`, without pandas.

``python -m analysis`` must read 200,000 responses in a fraction of a second, and importing
pandas alone takes a quarter of one. The table is read the way ``pandas.read_csv`` read it
before (``keep_default_na=False, na_values=[""]``, plus the words pandas reads as missing,
counted): a column whose values all read as numbers is float64 with NaN for missing, any
other column :class:`~analysis.columns.Coded` text.

Survey exports are mostly short, unquoted fields with a handful of distinct values per
column, so the common file (no quote character, every row as wide as the header) is split
with numpy over its UTF-8 bytes, and only each column's distinct values are decoded and
parsed. Anything else (quoted fields, ragged rows, blank lines) goes through :mod:`csv`.
Both routes give the same columns; ``tests/analysis/test_csvfile.py`` checks that and
compares them with pandas.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable

import numpy as np

from .columns import Coded, Columns

__all__ = ["MISSING_WORDS", "CsvError", "EmptyCsv", "TooManyFields", "parse_csv"]

# What pandas reads as missing by default, besides the empty field.
MISSING_WORDS = frozenset({
    "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
})
_MISSING = MISSING_WORDS | {""}
# A number as pandas' C parser reads it: ASCII digits only (Python's float() also takes
# "1_000" and other scripts' digits, which pandas kept as text), with the blanks it skips.
_NUMBER = re.compile(r"[ \t\n\v\f\r]*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
                     r"[ \t\n\v\f\r]*")
# pandas read these (in any case, without blanks) as infinite; "nan" is a missing word.
_INFINITY = {"inf": math.inf, "+inf": math.inf, "infinity": math.inf, "+infinity": math.inf,
             "-inf": -math.inf, "-infinity": -math.inf}
# Beyond this many bytes of one column as a fixed-width array (rows × longest field), its
# fields are coded one by one instead: a free-text column must not cost gigabytes.
_WIDE_BYTES = 1 << 25
_BLOCK = 1 << 20  # bytes searched for separators at a time
_PROBE = 4096  # rows whose distinct values are tried first (_unique)
# The low l bytes of a little-endian 64-bit integer, for l = 0 … 8.
_MASKS = np.array([(1 << 8 * n) - 1 for n in range(9)], dtype=np.uint64)

Found = list[tuple[str, str, int]]  # (column, missing word, how many times)


class CsvError(ValueError):
    """The text is no table."""


class EmptyCsv(CsvError):
    """No header row: the text is empty or only blank lines."""


class TooManyFields(CsvError):
    """A row has more fields than the header (pandas would shift or refuse the columns)."""

    def __init__(self, row: int, fields: int, width: int) -> None:
        self.row, self.fields, self.width = row, fields, width
        super().__init__(f"row {row} has {fields} fields but the header has {width} / "
                         f"rad {row} har {fields} fält men rubrikraden {width}")


def parse_csv(text: str, sep: str, *, as_text: bool = False) -> tuple[Columns, Found]:
    """The table in ``text`` with fields separated by ``sep``, and the missing words found.

    Blank lines are skipped, rows with too few fields are padded with empty fields. With
    ``as_text`` every column is text and nothing is missing (a population table, whose
    checks name the bad value); otherwise empty fields and :data:`MISSING_WORDS` are
    missing and columns of numbers are float64. Column names are made unique as pandas
    does ("a", "a.1"; "Unnamed: 2" for an empty name).

    Raises
    ------
    EmptyCsv, TooManyFields, CsvError
    """
    split = _split_bytes(text, sep)
    header, fields = split if split is not None else _split_rows(text, sep)
    rows = len(fields[0][1]) if fields else 0
    table, found = Columns(length=rows), []
    for name, (distinct, inverse) in zip(_unique_names(header), fields, strict=True):
        table[name], words = _column(distinct, inverse, as_text)
        found += [(name, word, count) for word, count in words]
    return table, found


def _split_bytes(text: str, sep: str
                 ) -> tuple[list[str], list[tuple[list[str], np.ndarray]]] | None:
    """The header and each column as (distinct values, code per row), split with numpy;
    None when the text needs the csv module (quotes, ragged rows, blank lines)."""
    if '"' in text or "\0" in text:
        return None  # "\0" would be the zero padding below
    raw = text.encode("utf-8")
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n")
        if b"\r" in raw:
            return None  # a lone "\r" ends a line too
    # Blank lines before the header and at the end are skipped.
    lo = len(raw) - len(raw.lstrip(b"\n")) if raw.startswith(b"\n") else 0
    hi = len(raw)
    while hi > lo and raw[hi - 1] == ord("\n"):
        hi -= 1
    end = raw.find(b"\n", lo, hi)
    if end < 0:
        return None  # a header alone
    header = raw[lo:end].decode("utf-8").split(sep)
    if len(header) < 2:
        return None  # one column, where a blank line would be a row of no fields
    # One copy of the bytes, with 8 zero bytes after the last field (see _distinct_bytes).
    buf = np.zeros(hi - lo + 8, dtype=np.uint8)
    buf[:-8] = np.frombuffer(raw, dtype=np.uint8, count=hi - lo, offset=lo)
    width, lines = len(header), raw.count(b"\n", lo, hi) + 1
    # Field k of the file runs from bounds[k] + 1 to bounds[k + 1]; column j of data row r
    # is field (r + 1) * width + j. Found a block at a time: masks over the whole file
    # would cost more in fresh memory than in comparisons. Positions as int32 halve the
    # memory read per column.
    bounds = np.empty(lines * width + 1, dtype=np.int32 if len(buf) < 2**31 else np.int64)
    bounds[0], bounds[-1] = -1, len(buf) - 8
    filled = 1
    for begin in range(0, len(buf) - 8, _BLOCK):
        block = buf[begin:min(begin + _BLOCK, len(buf) - 8)]
        stops = np.flatnonzero((block == ord(sep)) | (block == ord("\n")))
        if filled + len(stops) >= len(bounds):
            return None  # more separators than width - 1 a line
        bounds[filled:filled + len(stops)] = stops + begin
        filled += len(stops)
    # Exactly width - 1 separators, then a newline, on every line.
    if filled + 1 != len(bounds) or not (buf[bounds[width:-1:width]] == ord("\n")).all():
        return None
    columns = []
    for j in range(width):
        before, after = bounds[width + j:-1:width], bounds[width + j + 1::width]
        columns.append(_distinct_bytes(buf, before + 1, after - before - 1))
    return header, columns


def _distinct_bytes(buf: np.ndarray, starts: np.ndarray, lengths: np.ndarray
                    ) -> tuple[list[str], np.ndarray]:
    """One column's distinct values, in order of first appearance, and a code per row.

    ``buf`` (uint8) ends in 8 zero bytes, so that 8 bytes can be read from any field's
    start."""
    longest = int(lengths.max()) if len(lengths) else 0
    if longest <= 8:
        # Fields of up to 8 bytes (codes, age bands): the 8 bytes from each start as one
        # little-endian integer, the bytes past the field's end masked to zero.
        words = np.ndarray((len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))
        keys = words[starts] & _MASKS[lengths]
        size = 8
    elif len(lengths) * longest <= _WIDE_BYTES:
        size = longest
        offsets = np.arange(size)
        at = starts[:, None] + offsets
        np.minimum(at, len(buf) - 1, out=at)  # past the last field's end: masked below
        cells = buf[at]
        cells[offsets >= lengths[:, None]] = 0
        keys = cells.view(f"S{size}").ravel()
    else:  # a free-text column must not cost gigabytes as a fixed-width array
        data = buf.tobytes()
        distinct, codes = _code(data[a:a + n] for a, n in zip(starts.tolist(),
                                                                  lengths.tolist(),
                                                                  strict=True))
        return [value.decode("utf-8") for value in distinct], codes
    unique, inverse = _unique(keys)
    # Values in the order they first appear, as from the csv route (and pandas.factorize
    # before): cells and groups keep the order they had.
    first = np.full(len(unique), len(keys))
    np.minimum.at(first, inverse, np.arange(len(keys)))
    order = np.argsort(first)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    values = unique[order].view(f"S{size}").tolist()  # bytes without the zero padding
    return [value.decode("utf-8") for value in values], rank[inverse]


def _unique(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct keys and each key's index among them.

    A survey column holds a few distinct values: those among the first rows are usually
    all of them, and looking every key up among them is twice as fast as sorting them all
    (np.unique)."""
    unique = np.unique(keys[:_PROBE])
    inverse = np.searchsorted(unique, keys)
    np.minimum(inverse, len(unique) - 1, out=inverse)
    if (unique[inverse] == keys).all():
        return unique, inverse
    unique, inverse = np.unique(keys, return_inverse=True)
    return unique, inverse.ravel()


def _split_rows(text: str, sep: str) -> tuple[list[str], list[tuple[list[str], np.ndarray]]]:
    """The header and each column as (distinct values, code per row), with the csv module."""
    header: list[str] | None = None
    rows: list[list[str]] = []
    # Rows are counted as the csv module reads them (blank ones too), so that for a file
    # without line breaks inside quotes "row 7" is line 7 in an editor.
    reader = enumerate(csv.reader(io.StringIO(text), delimiter=sep), start=1)
    try:
        for number, row in reader:
            # pandas skips a line of nothing or of blanks (as one field: tabs are blanks
            # unless they separate), but not a lone quoted empty field.
            if not row or (len(row) == 1 and row[0] and not row[0].strip(" \t")):
                continue
            if header is None:
                header = row
            elif len(row) > len(header):
                raise TooManyFields(number, len(row), len(header))
            else:
                rows.append(row + [""] * (len(header) - len(row)))
    except csv.Error as exc:  # a field beyond the csv module's limit of 128 KiB
        raise CsvError(f"{exc}; is a quote (\") never closed?") from None
    if header is None:
        raise EmptyCsv("no header row: the file is empty")
    values = zip(*rows, strict=True) if rows else ([] for _ in header)
    return header, [_code(column) for column in values]


def _code(values: Iterable[object]) -> tuple[list, np.ndarray]:
    """Distinct values in order of first appearance and each value's index among them."""
    index: dict[object, int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int64)
    return list(index), codes


def _column(distinct: list[str], inverse: np.ndarray, as_text: bool
            ) -> tuple[np.ndarray | Coded, list[tuple[str, int]]]:
    """A column from its distinct texts and a code per row, and its missing words with
    their counts (most frequent first)."""
    if as_text or not len(inverse):  # a header without rows: no numbers (as pandas)
        return Coded(inverse, distinct), []
    # A free-text column has as many distinct values as rows: find the few missing ones
    # with set lookups, and stop parsing numbers at the first text.
    gone = sorted(distinct.index(value) for value in _MISSING.intersection(distinct))
    words: list[tuple[str, int]] = []
    if any(distinct[i] for i in gone):
        counts = np.bincount(inverse, minlength=len(distinct))
        words = sorted(((distinct[i], int(counts[i])) for i in gone if distinct[i]),
                       key=lambda found: -found[1])
    numbers = np.full(len(distinct), math.nan)
    missing = np.zeros(len(distinct), dtype=bool)
    missing[gone] = True
    for i in np.flatnonzero(~missing).tolist():
        number = _number(distinct[i])
        if number is None:
            break
        numbers[i] = number
    else:
        return numbers[inverse], words
    recode = np.full(len(distinct), -1, dtype=np.int64)
    recode[~missing] = np.arange(len(distinct) - len(gone))
    return Coded(recode[inverse], [v for v, out in zip(distinct, missing.tolist(), strict=True)
                                   if not out]), words


def _number(text: str) -> float | None:
    if _NUMBER.fullmatch(text):
        return float(text)
    return _INFINITY.get(text.lower())


def _unique_names(header: list[str]) -> list[str]:
    """Column names as pandas makes them: "Unnamed: i" for an empty one, ".1", ".2" …
    after a repeated one."""
    seen: dict[str, int] = {}
    names = []
    for i, name in enumerate(header):
        name = name or f"Unnamed: {i}"
        count = seen.get(name, 0)
        while count > 0:
            seen[name] = count + 1
            name = f"{name}.{count}"
            count = seen.get(name, 0)
        names.append(name)
        seen[name] = count + 1
    return names
