"""Population tables used as calibration targets.

Two input shapes are accepted: a tidy table with the weighting variables and ``count``
(what staff type or export themselves), and the CSV that SCB's Statistikdatabasen exports
for "Folkmängden efter region, ålder och kön", whose single years of age are folded into
the survey's age bands here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ._cells import number_or_nan
from .columns import Columns
from .csvfile import CsvError, TooManyFields, parse_csv
from .errors import AnalysisError
from .textfiles import read_text

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["parse_age_band", "read_population", "read_scb_population", "tidy_population",
           "validate_population", "weighting_population"]

_BAND_RE = re.compile(r"^\s*(\d+)\s*(?:[-–]\s*(\d+)|(\+))\s*(?:år)?\s*$")
_AGE_RE = re.compile(r"^\s*(\d+)\s*(\+)?\s*år\s*$|^\s*(\d+)\s*(\+)?\s*$")
SCB_GENDER_LABELS: dict[str, str] = {"män": "man", "kvinnor": "kvinna"}


def parse_age_band(label: str) -> tuple[int, int | None]:
    """Return ``(low, high)`` for a band label such as ``"16-24"`` or ``"80+"``.

    ``high`` is inclusive and ``None`` for an open band.

    Raises
    ------
    AnalysisError
        If the label is not of the form ``"A-B"`` or ``"A+"``.
    """
    match = _BAND_RE.match(str(label))
    if not match:
        raise AnalysisError(
            f"age band {label!r} is not of the form '16-24' or '80+' / "
            f"åldersgruppen {label!r} har inte formen '16-24' eller '80+'"
        )
    low = int(match.group(1))
    high = None if match.group(3) else int(match.group(2))
    if high is not None and high < low:
        raise AnalysisError(f"age band {label!r} ends before it starts")
    return low, high


def validate_population(population: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Check a tidy population table and return it with one row per cell (see
    :func:`tidy_population`), as a ``DataFrame``."""
    return tidy_population(Columns.of(population), by).to_frame()


def tidy_population(population: Columns, by: Sequence[str]) -> Columns:
    """Check a tidy population table and return it with one row per cell: the ``by``
    columns as text and ``count`` as float, cells in the order they first appear.

    Duplicate cells are summed, because SCB-style exports often split a cell over regions.

    Raises
    ------
    AnalysisError
        If a column is missing, a count is negative or not a number.
    """
    missing = [c for c in [*by, "count"] if c not in population.columns]
    if missing:
        raise AnalysisError(
            f"population table lacks column(s) {', '.join(missing)}; it has "
            f"{', '.join(map(str, population.columns))}"
        )
    given = population["count"]
    counts = np.array([number_or_nan(v) for v in given.tolist()], dtype=float)
    unread = np.flatnonzero(np.isnan(counts))
    if len(unread):
        raise AnalysisError(f"population column 'count' has a non-number: "
                            f"{given[unread[0]]!r}")
    for bad, what in ((counts < 0, "negative"), (~np.isfinite(counts), "not a finite number")):
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            cell = ", ".join(f"{c}={population[c][row]}" for c in by)
            raise AnalysisError(f"population column 'count' is {what} ({given[row]}) for "
                                f"{cell}")
    for col in by:
        if (population.coded(col).codes < 0).any():
            raise AnalysisError(f"population column {col!r} has an empty value")
    totals: dict[tuple[str, ...], float] = {}
    for key, count in zip(zip(*(population[c].tolist() for c in by), strict=True),
                          counts.tolist(), strict=True):
        key = tuple(str(v) for v in key)
        totals[key] = totals.get(key, 0.0) + count
    keys = list(totals)
    return Columns({**{c: [k[i] for k in keys] for i, c in enumerate(by)},
                    "count": np.array(list(totals.values()), dtype=float)}, length=len(keys))


def weighting_population(responses: pd.DataFrame, population: pd.DataFrame,
                         other: str) -> pd.DataFrame:
    """An age band × gender population table for respondents of any stated gender.

    Respondents whose ``gender`` is not in the table (another gender, no answer) get a cell
    ``other`` in each age band, holding their share of that band's population, taken from the
    band's other cells in proportion; the gender column is named ``weight_gender``.

    Parameters
    ----------
    responses : pandas.DataFrame
        ``age_band`` and ``gender`` per respondent.
    population : pandas.DataFrame
        ``age_band``, ``gender`` and ``count``.
    other : str
        Label of the added cells; must not be a gender of the table.
    """
    import pandas as pd

    known = set(population["gender"])
    outside = ~responses["gender"].isin(known).fillna(False)
    share = outside.groupby(responses["age_band"]).mean()
    band_share = population["age_band"].map(share).fillna(0.0).to_numpy(dtype=float)
    scaled = population.assign(count=population["count"].to_numpy(dtype=float)
                               * (1 - band_share))
    totals = population.groupby("age_band", sort=False)["count"].sum()
    extra = pd.DataFrame({
        "age_band": totals.index, "gender": other,
        "count": totals.to_numpy(dtype=float) * share.reindex(totals.index).fillna(0.0)
        .to_numpy(dtype=float),
    })
    out = pd.concat([scaled, extra], ignore_index=True)
    out = out.loc[out["count"] > 0]
    return out.rename(columns={"gender": "weight_gender"}).reset_index(drop=True)


def read_population(
    path: str | Path, by: Sequence[str] | None = None, bands: Sequence[str] | None = None
) -> Columns:
    """Read a population table from CSV, in tidy or SCB form.

    Parameters
    ----------
    path : str or Path
        CSV file. A tidy file has the weighting variables and ``count``; a file with an
        ``ålder`` column is read as an SCB export (see :func:`read_scb_population`).
    by : sequence of str, optional
        Weighting variables that must be present; all non-``count`` columns if omitted.
    bands : sequence of str, optional
        Survey age bands, needed only for an SCB export.

    Returns
    -------
    Columns
        The weighting variables (as text) and ``count``, one row per cell (see
        :func:`tidy_population`).
    """
    # SCB's "Komma-avgränsad" download is Windows-1252 encoded; read_text reads that too.
    table = _read_csv_text(read_text(path, "population file"), path)
    if _is_scb(table.columns):
        if bands is None:
            raise AnalysisError(
                f"{path} looks like an SCB export (column 'ålder'); the survey's age bands "
                "are needed to fold single years of age"
            )
        names = {}
        if by is not None and len(by) == 2:
            names = {"age_column": by[0], "gender_column": by[1]}
        return Columns.of(read_scb_population(path, bands, **names))
    if by is None:
        by = [c for c in table.columns if c != "count"]
    return tidy_population(table, by)


def read_scb_population(
    path: str | Path,
    bands: Sequence[str],
    *,
    region: str | None = None,
    year: str | None = None,
    gender_labels: Mapping[str, str] | None = None,
    age_column: str = "age_band",
    gender_column: str = "gender",
) -> pd.DataFrame:
    """Read SCB's "Folkmängden efter region, ålder och kön" CSV and fold ages into bands.

    Parameters
    ----------
    path : str or Path
        The CSV as Statistikdatabasen exports it: columns ``region``, ``ålder``, ``kön`` and
        one column per year; a title line above the header and Windows-1252 encoding are
        accepted.
    bands : sequence of str
        Survey age bands such as ``["16-24", "25-44", "80+"]``. Ages outside every band
        (for example children in a 16+ survey) are left out; overlapping bands are refused.
    region : str, optional
        Region to keep when the file holds several (matched on the full label or its code).
    year : str, optional
        Year column to use; the latest one if omitted.
    gender_labels : mapping, optional
        SCB ``kön`` label to the survey's gender code; default ``män→man, kvinnor→kvinna``.
    age_column, gender_column : str
        Names of the output columns, matching the survey's weighting variables.

    Returns
    -------
    pandas.DataFrame
        ``age_column``, ``gender_column`` and ``count``, one row per band × gender.

    References
    ----------
    SCB, Statistikdatabasen, table BE0101N1 "Folkmängden efter region, civilstånd, ålder
    och kön. År".
    """
    import pandas as pd

    table = _read_csv_text(read_text(path, "population file"), path).to_frame()
    cols = {_fold(c): c for c in table.columns}
    for need in ("region", "alder", "kon"):
        if need not in cols:
            raise AnalysisError(f"{path}: SCB export lacks column {need!r}")
    year_cols = [c for c in table.columns if re.fullmatch(r"\d{4}", str(c).strip())]
    if not year_cols:
        raise AnalysisError(f"{path}: SCB export has no year column such as '2024'")
    if year is None:
        year = max(year_cols, key=lambda c: int(str(c).strip()))
    elif year not in year_cols:
        raise AnalysisError(f"{path}: year {year!r} not in the export ({', '.join(year_cols)})")
    regions = table[cols["region"]].astype(str).unique()
    if region is not None:
        keep = table[cols["region"]].astype(str).map(
            lambda r: r == region or r.split(" ", 1)[0] == region
        )
        if not keep.any():
            raise AnalysisError(f"{path}: region {region!r} not in the export")
        table = table.loc[keep]
    elif len(regions) > 1:
        raise AnalysisError(
            f"{path}: the export holds {len(regions)} regions ({', '.join(regions[:3])}, ...); "
            "choose one"
        )
    labels = dict(SCB_GENDER_LABELS if gender_labels is None else gender_labels)
    parsed = [(b, *parse_age_band(b)) for b in bands]
    _check_bands_disjoint(parsed)
    # A "totalt ålder" row would count everyone twice.
    table = table.loc[~table[cols["alder"]].astype(str).str.strip().str.lower()
                      .str.startswith("total")]
    ages = table[cols["alder"]].astype(str).map(_parse_single_age)
    kon = table[cols["kon"]].astype(str).str.strip()
    unknown = sorted(set(kon) - set(labels))
    if unknown:
        raise AnalysisError(f"{path}: unknown 'kön' value {unknown[0]!r}; expected {list(labels)}")
    counts = pd.to_numeric(table[year].astype(str).str.replace(r"\s", "", regex=True),
                           errors="coerce")
    band_of = pd.Series(pd.NA, index=table.index, dtype=object)
    for label, low, high in parsed:
        inside = (ages >= low) & ((ages <= high) if high is not None else True)
        band_of[inside.fillna(False).astype(bool)] = label
    keep = band_of.notna()
    if ages.isna().any():
        bad = table.loc[ages.isna(), cols["alder"]].iloc[0]
        raise AnalysisError(f"{path}: 'ålder' value {bad!r} is not an age such as '34 år'")
    for label, _, _ in parsed:
        if not (band_of == label).any():
            raise AnalysisError(f"{path}: no ages in the export fall in band {label!r}")
    if counts[keep].isna().any():
        raise AnalysisError(f"{path}: year {year} has a missing count ('..') inside the bands")
    if (counts[keep] < 0).any() or not np.isfinite(counts[keep]).all():
        raise AnalysisError(f"{path}: year {year} has a negative or infinite count")
    out = pd.DataFrame({
        age_column: band_of[keep].astype(str).to_numpy(),
        gender_column: kon[keep].map(labels).to_numpy(),
        "count": counts[keep].to_numpy(dtype=float),
    })
    out = out.groupby([age_column, gender_column], sort=False, as_index=False)["count"].sum()
    order = {label: i for i, (label, _, _) in enumerate(parsed)}
    out = out.assign(_order=out[age_column].map(order)).sort_values(
        ["_order", gender_column], kind="stable")
    return out.drop(columns="_order").reset_index(drop=True)


def _check_bands_disjoint(parsed: list[tuple[str, int, int | None]]) -> None:
    spans = sorted((low, np.inf if high is None else high, label) for label, low, high in parsed)
    for (_, end, first), (start, _, second) in zip(spans, spans[1:], strict=False):
        if start <= end:
            raise AnalysisError(f"age bands {first!r} and {second!r} overlap")


def _parse_single_age(value: str) -> float:
    match = _AGE_RE.match(value)
    if not match:
        return np.nan
    return float(match.group(1) or match.group(3))


def _fold(name: object) -> str:
    return (str(name).strip().lower().replace("å", "a").replace("ä", "a").replace("ö", "o"))


def _is_scb(columns: Sequence[object]) -> bool:
    folded = {_fold(c) for c in columns}
    return "alder" in folded and "kon" in folded


def _read_csv_text(text: str, path: str | Path) -> Columns:
    """Every column as text, nothing missing: the checks of the counts and cells name the
    value at fault."""
    lines = text.splitlines()
    head = [line for line in lines[:20] if line.strip()]
    # SCB puts a title line (which may itself contain commas) above the header row, so the
    # separator is the one giving the most common field count, and the header the first
    # line with that count.
    best_sep, best_count = ",", 0
    for sep in (",", ";", "\t"):
        counts = [line.count(sep) for line in head]
        modal = Counter(counts).most_common(1)[0][0] if counts else 0
        if modal > best_count:
            best_sep, best_count = sep, modal
    start = next((i for i, line in enumerate(lines)
                  if line.strip() and line.count(best_sep) == best_count), 0)
    body = "\n".join(lines[start:])
    try:
        return parse_csv(body, best_sep, as_text=True)[0]
    except TooManyFields as exc:  # its row counted in the file, title lines too
        raise AnalysisError(f"{path}: {TooManyFields(exc.row + start, exc.fields, exc.width)}"
                            ) from None
    except CsvError as exc:
        raise AnalysisError(f"cannot parse {path} as CSV: {exc}") from None
