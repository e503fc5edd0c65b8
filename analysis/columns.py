"""A table as named numpy columns: what the analysis needs of a data frame, without pandas.

``python -m analysis`` must start, read 200,000 answers, weight, estimate and write in well
under a second; importing pandas alone takes a quarter of that. So the statistics work on
:class:`Columns`, and pandas is imported only where a caller hands in or asks for a
``DataFrame`` (the web app, notebooks): :meth:`Columns.of` and
:meth:`Columns.to_frame` convert at that edge, so there is one implementation of every
figure whichever way the data came in.

A column is a one-dimensional numpy array (numbers as float64 with NaN for missing,
booleans, integers or Python objects) or :class:`Coded` text: an integer code per row
(-1 for missing) into a short array of distinct values. Survey text columns (age band,
gender, area) hold a handful of values in hundreds of thousands of rows, and everything
done with them (cells, groups, checks against the population table) needs the codes, so
text is kept coded from the moment it is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Coded", "Columns", "is_missing"]


@dataclass(frozen=True, eq=False)
class Coded:
    """Text (or other values) as a code per row into ``levels``; -1 marks a missing value.

    ``levels`` holds distinct values, in no promised order.
    """

    codes: np.ndarray
    levels: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "codes", np.asarray(self.codes, dtype=np.int64))
        levels = np.empty(len(self.levels), dtype=object)
        levels[:] = list(self.levels)
        object.__setattr__(self, "levels", levels)

    def __len__(self) -> int:
        return len(self.codes)

    @classmethod
    def from_values(cls, values: Iterable[object]) -> Coded:
        """Code a sequence of values; None and float NaN are missing. Levels keep the order
        in which values first appear."""
        index: dict[object, int] = {}
        codes = [-1 if is_missing(v) else index.setdefault(v, len(index)) for v in values]
        return cls(np.array(codes, dtype=np.int64), np.array(list(index), dtype=object))

    def values(self) -> np.ndarray:
        """The values as an object array, None where missing."""
        lookup = np.empty(len(self.levels) + 1, dtype=object)
        lookup[:-1] = self.levels
        return lookup[self.codes]

    def take(self, rows: np.ndarray) -> Coded:
        """The same levels for the rows selected by ``rows`` (an index or boolean mask)."""
        return Coded(self.codes[rows], self.levels)


Column = np.ndarray | Coded


class Columns:
    """Named columns of equal length, in order.

    ``columns[name]`` gives a numpy array (a :class:`Coded` column as an object array with
    None for missing values); :meth:`coded` gives a column as codes and levels.
    """

    __slots__ = ("_data", "_length")

    def __init__(self, data: Mapping[str, Column | Iterable[Any]] | None = None,
                 length: int | None = None) -> None:
        self._data: dict[str, Column] = {}
        self._length = length
        for name, column in (data or {}).items():
            self[name] = column
        if self._length is None:
            self._length = 0

    # -- building -----------------------------------------------------------------------

    def __setitem__(self, name: str, column: Column | Iterable[Any]) -> None:
        if not isinstance(column, Coded | np.ndarray):
            column = np.asarray(column)
        if isinstance(column, np.ndarray):
            if column.ndim == 0:  # a scalar fills the column, as in a data frame
                if self._length is None:
                    raise ValueError("a scalar column needs the table's length")
                column = np.full(self._length, column.item(),
                                 dtype=object if column.dtype.kind in "US" else column.dtype)
            elif column.dtype.kind in "US":
                column = column.astype(object)
        if self._length is None:
            self._length = len(column)
        elif len(column) != self._length:
            raise ValueError(f"column {name!r} has {len(column)} values, the table "
                             f"{self._length} rows")
        self._data[str(name)] = column

    @classmethod
    def of(cls, table: Columns | pd.DataFrame | Mapping[str, Any]) -> Columns:
        """``table`` as columns: itself if it already is; a pandas ``DataFrame`` converted
        (numbers to float64 with NaN, booleans as they are, anything else coded)."""
        if isinstance(table, Columns):
            return table
        if not hasattr(table, "dtypes"):  # a plain mapping of names to values
            return cls(table)
        import pandas as pd

        out = cls(length=len(table))
        for name in table.columns:
            series = table[name]
            if pd.api.types.is_bool_dtype(series) and not series.isna().any():
                out[str(name)] = series.to_numpy(dtype=bool)
            elif series.dtype.kind in "iu":  # numpy integers: never missing
                out[str(name)] = series.to_numpy()
            elif pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
                out[str(name)] = series.to_numpy(dtype=float, na_value=np.nan)
            else:
                codes, uniques = pd.factorize(series, use_na_sentinel=True)
                out[str(name)] = Coded(codes, np.asarray(uniques, dtype=object))
        return out

    # -- reading --------------------------------------------------------------------------

    @property
    def columns(self) -> list[str]:
        """Column names, in order."""
        return list(self._data)

    def __len__(self) -> int:
        """Rows (a data frame's ``len``), not columns."""
        return int(self._length or 0)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __contains__(self, name: object) -> bool:
        return name in self._data

    def __getitem__(self, name: str) -> np.ndarray:
        column = self._data[name]
        return column.values() if isinstance(column, Coded) else column

    def raw(self, name: str) -> Column:
        """The column as stored: an array or a :class:`Coded`."""
        return self._data[name]

    def coded(self, name: str) -> Coded:
        """The column as codes into its distinct values; NaN and None are missing."""
        column = self._data[name]
        if isinstance(column, Coded):
            return column
        if column.dtype.kind == "f":
            missing = np.isnan(column)
            levels, codes = np.unique(column[~missing], return_inverse=True)
            out = np.full(len(column), -1, dtype=np.int64)
            out[~missing] = codes
            return Coded(out, levels.astype(object))
        if column.dtype.kind in "biu":
            levels, codes = np.unique(column, return_inverse=True)
            return Coded(codes, levels.astype(object))
        return Coded.from_values(column)

    def take(self, rows: np.ndarray) -> Columns:
        """The rows selected by ``rows`` (an index array or a boolean mask), in that order."""
        rows = np.asarray(rows)
        size = int(rows.sum()) if rows.dtype == bool else len(rows)
        out = Columns(length=size)
        for name, column in self._data.items():
            out[name] = column.take(rows) if isinstance(column, Coded) else column[rows]
        return out

    def select(self, names: Iterable[str]) -> Columns:
        """Only the columns ``names``, in that order."""
        out = Columns(length=len(self))
        for name in names:
            out[name] = self._data[name]
        return out

    def assign(self, **columns: Column | Iterable[Any]) -> Columns:
        """A copy with ``columns`` added or replaced."""
        out = Columns(self._data, length=len(self))
        for name, column in columns.items():
            out[name] = column
        return out

    def records(self) -> Iterator[dict[str, object]]:
        """One dict per row (for small tables: reports, messages)."""
        values = [self[name] for name in self._data]
        names = list(self._data)
        for i in range(len(self)):
            yield {name: column[i] for name, column in zip(names, values, strict=True)}

    def to_frame(self, integers: Iterable[str] = ()) -> pd.DataFrame:
        """A pandas ``DataFrame`` of the same columns; ``integers`` become nullable Int64."""
        import pandas as pd

        whole = set(integers)
        return pd.DataFrame(
            {name: pd.array(self[name].astype(float), dtype="Int64") if name in whole
             else self[name] for name in self._data},
            index=pd.RangeIndex(len(self)))

    def __repr__(self) -> str:
        return f"Columns({len(self)} rows: {', '.join(self._data)})"


def is_missing(value: object) -> bool:
    """Whether a single value is missing: None or a float NaN (numpy's included)."""
    return value is None or (isinstance(value, float | np.floating) and value != value)
