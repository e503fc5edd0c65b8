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
from itertools import accumulate

import numpy as np

from .columns import Coded, Columns

__all__ = ["MISSING_WORDS", "PADDING", "CsvError", "EmptyCsv", "TooManyFields", "first_line",
           "parse_csv"]

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
_BLOCK = 1 << 16  # bytes searched for separators at a time
_PROBE = 4096  # rows whose distinct values are tried first (_unique)
_HASHED = 64  # at most this many distinct values are looked up by a perfect hash
_FIELDS = 1 << 15  # fields hashed at a time, in whole rows (_hashed_columns)
# Odd 64-bit multipliers for the hash (from splitmix64 and the golden ratio); the next is
# tried when two distinct values share a slot.
_MULTIPLIERS = [np.uint64(m) for m in (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9,
                                       0x94D049BB133111EB, 0xFF51AFD7ED558CCD)]
PADDING = 8  # zero bytes after UTF-8 given to parse_csv (see _distinct_bytes)
_LEADING_BLANK = re.compile(rb"[\r\n]*")
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


def parse_csv(text: str | bytearray, sep: str, *, as_text: bool = False
              ) -> tuple[Columns, Found]:
    """The table in ``text`` with fields separated by ``sep``, and the missing words found.

    ``text`` is a str, or UTF-8 bytes followed by :data:`PADDING` zero bytes (as
    :func:`~analysis.textfiles.read_utf8` reads a file), which are split without decoding
    them whole. Blank lines are skipped, rows with too few fields are padded with empty
    fields. With ``as_text`` every column is text and nothing is missing (a population
    table, whose checks name the bad value); otherwise empty fields and
    :data:`MISSING_WORDS` are missing and columns of numbers are float64. Column names are
    made unique as pandas does ("a", "a.1"; "Unnamed: 2" for an empty name).

    Raises
    ------
    EmptyCsv, TooManyFields, CsvError
    """
    data = bytearray(text.encode("utf-8") + bytes(PADDING)) if isinstance(text, str) else text
    split = _split_bytes(data, sep)
    if split is None:
        if not isinstance(text, str):
            text = _decode(data, 0, len(data) - PADDING)
        split = _split_rows(text, sep)
    header, fields = split
    rows = len(fields[0][1]) if fields else 0
    table, found = Columns(length=rows), []
    for name, (distinct, inverse) in zip(_unique_names(header), fields, strict=True):
        table[name], words = _column(distinct, inverse, as_text)
        found += [(name, word, count) for word, count in words]
    return table, found


def first_line(text: str | bytearray) -> str:
    """The first line of what :func:`parse_csv` reads (to sniff the separator from)."""
    if isinstance(text, str):
        end = text.find("\n")
        return text if end < 0 else text[:end]
    end = text.find(b"\n", 0, len(text) - PADDING)
    return _decode(text, 0, len(text) - PADDING if end < 0 else end)


def _decode(data: bytearray, start: int, end: int) -> str:
    with memoryview(data) as view:  # no copy of the bytes first
        return str(view[start:end], "utf-8")


def _split_bytes(data: bytearray, sep: str
                 ) -> tuple[list[str], list[tuple[list[str], np.ndarray]]] | None:
    """The header and each column as (distinct values, code per row), split with numpy;
    None when the text needs the csv module (quotes, ragged rows, blank lines).

    ``data`` is UTF-8 followed by PADDING zero bytes."""
    size = len(data) - PADDING
    if data.find(b'"', 0, size) >= 0 or data.find(b"\0", 0, size) >= 0:
        return None  # "\0" would read as the zero padding (see _distinct_bytes)
    # "\r\n" ends a line as "\n" does: its "\r" ends the line's last field. A lone "\r"
    # ends a line too, for the csv module.
    crlf = data.find(b"\r", 0, size) >= 0
    if crlf and data.count(b"\r", 0, size) != data.count(b"\r\n", 0, size):
        return None
    # Blank lines before the header and at the end are skipped.
    lo, hi = _LEADING_BLANK.match(data, 0, size).end(), size
    while hi > lo and data[hi - 1] in b"\r\n":
        hi -= 1
    end = data.find(b"\n", lo, hi)
    if end < 0:
        return None  # a header alone
    header = _decode(data, lo, end).removesuffix("\r").split(sep)
    if len(header) < 2:
        return None  # one column, where a blank line would be a row of no fields
    buf = np.frombuffer(data, dtype=np.uint8)
    width, lines = len(header), _count(buf[lo:hi], ord("\n")) + 1
    # Field k of the file runs from starts[k] to starts[k + 1] - 1 (its separator or
    # newline); column j of data row r is field (r + 1) * width + j. Found a block at a
    # time: masks over the whole file would cost more in fresh memory than in comparisons.
    # Positions as int32 halve the memory read per column.
    starts = np.empty(lines * width + 1, dtype=np.int32 if len(buf) < 2**31 else np.int64)
    starts[0], starts[-1] = lo, hi + 1
    filled = 1
    found = np.empty(min(_BLOCK, hi - lo), dtype=bool)
    newline = np.empty_like(found)
    for begin in range(lo, hi, _BLOCK):
        block = buf[begin:min(begin + _BLOCK, hi)]
        mask = np.equal(block, ord(sep), out=found[:len(block)])
        mask |= np.equal(block, ord("\n"), out=newline[:len(block)])
        stops = np.flatnonzero(mask)
        if filled + len(stops) >= len(starts):
            return None  # more separators than width - 1 a line
        at = starts[filled:filled + len(stops)]
        at[:] = stops
        at += begin + 1
        filled += len(stops)
    # Exactly width - 1 separators, then a newline, on every line.
    if filled + 1 != len(starts) or not (buf[starts[width:-1:width] - 1] == ord("\n")).all():
        return None
    columns = _hashed_columns(buf, starts, width, crlf)
    for j in set(range(width)) - columns.keys():
        first, lengths = starts[width + j:-1:width], starts[width + j + 1::width] - 1
        lengths -= first
        if crlf and j == width - 1:
            lengths -= buf[first + lengths - 1] == ord("\r")
        columns[j] = _distinct_bytes(buf, first, lengths)
    return header, [columns[j] for j in range(width)]


def _hashed_columns(buf: np.ndarray, starts: np.ndarray, width: int, crlf: bool
                    ) -> dict[int, tuple[list[str], np.ndarray]]:
    """The columns (by index) of fields of up to 8 bytes whose few distinct values all
    appear in the first _PROBE rows, as (distinct values, code per row).

    The common survey column. Each field's bytes are a key (as in _distinct_bytes) looked
    up in a perfect hash of those values (multiply-shift), a block of rows of every such
    column at a time: one pass over the file's bytes instead of one per column, with the
    block's arrays in the cache and small enough to be reused instead of fresh memory."""
    first = starts[width:-1].reshape(-1, width)  # row × column: the field's first byte
    after = starts[width + 1:].reshape(-1, width)  # the byte after its separator
    words = np.ndarray((len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))
    no_column = np.zeros(width, dtype=bool)

    def keys(rows: slice) -> tuple[np.ndarray, np.ndarray]:
        """The keys of a block of rows, and which columns have a longer field there."""
        lengths = after[rows] - first[rows]
        lengths -= 1
        if crlf:
            lengths[:, -1] -= buf[after[rows, -1] - 2] == ord("\r")
        # Tested for the whole block first: usually no field is longer, and that test is
        # quicker than one for each column.
        longer = (lengths > 8).any(axis=0) if lengths.max() > 8 else no_column
        key = words[first[rows]]
        key &= np.take(_MASKS, lengths, mode="clip")  # a longer field's key is not used
        return key, longer

    probe, longer = keys(slice(0, _PROBE))
    hashes = {}  # column → (its values in order of first appearance, multiplier, shift)
    for j in np.flatnonzero(~longer).tolist():
        unique, seen = np.unique(probe[:, j], return_index=True)
        if len(unique) <= _HASHED and (perfect := _perfect_hash(unique)) is not None:
            hashes[j] = (unique[np.argsort(seen)], *perfect)
    if not hashes:
        return {}
    # The columns' values one after another, and one table for all of them, each column's
    # part after the one before: a block of rows is looked up at once. An empty slot
    # points past the values, to a key no field has (0xFF is no byte of UTF-8), so that a
    # value of another column is never taken for one of this column's.
    columns = list(hashes)
    bases = list(accumulate((len(unique) for unique, _, _ in hashes.values()), initial=0))
    values = np.concatenate([*(unique for unique, _, _ in hashes.values()),
                             np.array([2**64 - 1], dtype=np.uint64)])
    sizes = [1 << (64 - int(shift)) for _, _, shift in hashes.values()]
    offsets = np.array(list(accumulate(sizes, initial=0)), dtype=np.uint64)
    table = np.full(sum(sizes), bases[-1], dtype=np.min_scalar_type(bases[-1]))
    for (unique, multiplier, shift), offset, base in zip(hashes.values(), offsets[:-1],
                                                         bases[:-1], strict=True):
        slots = (unique * multiplier) >> shift
        slots += offset
        table[slots.view(np.int64)] = base + np.arange(len(unique))
    multipliers = np.array([multiplier for _, multiplier, _ in hashes.values()])
    shifts = np.array([shift for _, _, shift in hashes.values()])
    codes = np.empty((len(first), len(columns)), dtype=table.dtype)
    good = np.ones(len(columns), dtype=bool)
    step = max(1, _FIELDS // width)
    for start in range(0, len(first), step):
        rows = slice(start, start + step)
        block, longer = keys(rows)
        if len(columns) < width:
            block, longer = block[:, columns], longer[columns]
        hashed = block * multipliers
        hashed >>= shifts
        hashed += offsets[:-1]
        code = table[hashed.view(np.int64)]  # indexing by uint64 is slower
        wrong = values[code] != block
        if wrong.any():  # as for the lengths, a test of the block first
            good &= ~wrong.any(axis=0)
        good &= ~longer
        codes[rows] = code
    return {j: (_texts(unique, 8), codes[:, i] - bases[i])
            for i, (j, (unique, _, _)) in enumerate(hashes.items()) if good[i]}


def _perfect_hash(unique: np.ndarray) -> tuple[np.uint64, np.uint64] | None:
    """A multiplier and shift that give the distinct keys ``unique`` distinct slots, in a
    table of 2n² to 4n² slots (which stays in the cache); None if none of ours does."""
    shift = np.uint64(64 - (2 * len(unique) ** 2).bit_length())
    for multiplier in _MULTIPLIERS:
        if len(np.unique((unique * multiplier) >> shift)) == len(unique):
            return multiplier, shift
    return None


def _count(buf: np.ndarray, byte: int) -> int:
    """How many times ``byte`` is in ``buf``: a block at a time, faster than bytes.count."""
    equal = np.empty(min(_BLOCK, len(buf)), dtype=bool)
    total = 0
    for begin in range(0, len(buf), _BLOCK):
        block = buf[begin:begin + _BLOCK]
        total += int(np.count_nonzero(np.equal(block, byte, out=equal[:len(block)])))
    return total


def _distinct_bytes(buf: np.ndarray, starts: np.ndarray, lengths: np.ndarray
                    ) -> tuple[list[str], np.ndarray]:
    """One column's distinct values, in order of first appearance, and a code per row.

    ``buf`` (uint8) ends in PADDING zero bytes, so that 8 bytes can be read from any
    field's start."""
    longest = int(lengths.max()) if len(lengths) else 0
    if longest <= 8:
        # Fields of up to 8 bytes (codes, age bands): the 8 bytes from each start as one
        # little-endian integer, the bytes past the field's end masked to zero.
        words = np.ndarray((len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))
        keys = words[starts]
        keys &= _MASKS[lengths]
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
    unique, codes = _unique(keys)
    return _texts(unique, size), codes


def _texts(keys: np.ndarray, size: int) -> list[str]:
    """The text of keys of ``size`` bytes each."""
    values = keys.view(f"S{size}").tolist()  # bytes without the zero padding
    return [value.decode("utf-8") for value in values]


def _unique(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys in order of first appearance (as from the csv route, and
    pandas.factorize before: cells and groups keep the order they had), and each key's
    index among them.

    A survey column holds a few distinct values: those among the first rows are usually
    all of them, and then looking every key up among them is faster than sorting them all
    (np.unique), and their first appearances are among those rows."""
    unique, first = np.unique(keys[:_PROBE], return_index=True)
    unique = unique[np.argsort(first)]
    codes = _lookup(unique, keys)
    if (unique[codes] == keys).all():
        return unique, codes
    unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return unique[order], rank[inverse.ravel()]


def _lookup(unique: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Each key's index in ``unique`` (distinct keys), where it is there; any index where
    it is not."""
    order = np.argsort(unique)
    found = np.searchsorted(unique, keys, sorter=order)
    np.minimum(found, len(unique) - 1, out=found)
    return order[found]


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
