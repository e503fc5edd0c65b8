"""Write a ranking to a folder: CSV, Excel, JSON summary and charts.

The files (charts included) are written from the result's :class:`~analysis.columns.Columns`,
without pandas: ``python -m analysis`` must start and finish in well under a second, and
importing pandas alone takes a quarter of that. Only sheets a caller hands in as data frames
use it. ``ranking.csv`` is the file ``DataFrame.to_csv(index=False)`` wrote, byte for byte,
and ``ranking.xlsx`` has the cells ``DataFrame.to_excel`` wrote.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .columns import Columns, is_missing
from .errors import AnalysisError
from .method_notes import METHOD_NOTES
from .notes import LANGUAGES, Note
from .ranking import INTEGER_COLUMNS, OVERALL, RANKING_COLUMNS, RankingResult
from .workbook import open_workbook

if TYPE_CHECKING:
    import pandas as pd
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

__all__ = ["METHOD_NOTES", "ReadableSheet", "summary", "write_report"]


@dataclass(frozen=True)
class ReadableSheet:
    """A sheet for people rather than analysts, written before the exact figures.

    ``frame`` (a pandas ``DataFrame`` or :class:`~analysis.columns.Columns`) holds texts and
    rounded numbers already; the columns named in ``percent`` hold shares (0.38) shown as per
    cent ("38 %"). Columns are as wide as their longest text.
    """

    frame: pd.DataFrame | Columns
    percent: tuple[str, ...] = ()

_TITLES = {
    "sv": {"heatmap": "Andel som ser problemet som ganska eller mycket stort, per grupp",
           "dotplot": "Problemens rangordning med 95 % konfidensintervall",
           "small_multiples": "Per grupp, med 95 % konfidensintervall"},
    "en": {"heatmap": "Share seeing the problem as fairly or very big, by group",
           "dotplot": "Problems ranked, with 95 % confidence intervals",
           "small_multiples": "By group, with 95 % confidence intervals"},
}
_TEXTS = {
    "sv": {},
    "en": {"share": "Share fairly/very big problem", "group": "Group", "item": "Problem",
           "suppressed": "withheld", "overall": "All", "rank": "rank"},
}


def write_report(
    result: RankingResult,
    out_dir: str | Path,
    labels: Mapping[str, str] | None = None,
    lang: str = "sv",
    *,
    charts: bool = True,
    extra_sheets: Mapping[str, pd.DataFrame | Columns] | None = None,
    front_sheets: Mapping[str, ReadableSheet] | None = None,
) -> list[Path]:
    """Write ``ranking.csv``, ``ranking.xlsx``, ``summary.json`` and charts to ``out_dir``.

    Parameters
    ----------
    result : RankingResult
    out_dir : str or Path
        Created if missing; existing files of the same names are replaced.
    labels : mapping, optional
        Item name to display text (already in ``lang``); added as a ``label`` column.
    lang : {"sv", "en"}
        Language of chart titles and axis texts.
    charts : bool
        Also write ``heatmap``, ``dotplot`` and ``small_multiples`` as PNG and SVG.
    extra_sheets : mapping, optional
        Sheet name to table (a pandas ``DataFrame`` or :class:`~analysis.columns.Columns`),
        written into ``ranking.xlsx`` before the method notes (e.g. the same analysis by
        area); small groups must already be withheld in them.
    front_sheets : mapping, optional
        Sheet name to a :class:`ReadableSheet`, written first in ``ranking.xlsx`` (the sheet
        the workbook opens on); small groups must already be withheld in them.

    Returns
    -------
    list of Path
        The files written.
    """
    if lang not in _TITLES:
        raise AnalysisError(f"unknown language {lang!r}; choose sv or en")
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AnalysisError(f"cannot create output folder {out}: {exc.strerror}") from None
    rows = _with_labels(result.rows, labels)
    written = [out / "ranking.csv", out / "ranking.xlsx", out / "summary.json"]
    _write_csv(rows, written[0])
    _write_excel(result, rows, written[1], extra_sheets or {}, front_sheets or {})
    written[2].write_text(json.dumps(summary(result), ensure_ascii=False, indent=2),
                          encoding="utf-8")
    if charts:
        written += _write_charts(result, out, labels, lang)
    return written


_RANKED = ["item", "n", "n_eff_kish", "n_eff_design", "share", "ci_low", "ci_high", "rank",
           "rank_low", "rank_high", "suppressed"]


def summary(result: RankingResult) -> dict[str, object]:
    """The JSON summary: weighting, parameters, per-group ranking, differences, notes."""
    w = result.weighting
    rows = result.rows
    groups = rows["group"]
    columns = {k: rows[k] for k in _RANKED}
    ranked = {}
    for group in dict.fromkeys(groups):  # in order of first appearance
        ranked[str(group)] = [{k: _plain(columns[k][i], whole=k in INTEGER_COLUMNS)
                               for k in _RANKED}
                              for i in np.flatnonzero(groups == group)]
    d = result.diagnostics
    return {
        "weighting": {"method": w.method, "n": _plain(w.n), "n_eff_kish": _plain(w.n_eff),
                      "design_effect_kish": _plain(w.design_effect),
                      "max_to_mean": None if d is None else _plain(d.max_to_mean),
                      "small_cell_weight_share": None if d is None
                      else _plain(d.small_cell_weight),
                      "warning": None if d is None else d.warning,
                      "notes": [_note(n) for n in w.notes]},
        "parameters": {k: _plain(v) for k, v in result.parameters.items()},
        "group_column": result.group,
        "groups": list(result.groups),
        "items": list(result.items),
        "kendall_w": _plain(result.kendall_w),
        "suppressed": int(rows["suppressed"].sum()),
        "ranking": ranked,
        "differences": [{k: _plain(v) for k, v in row.items()}
                        for row in result.difference_rows.records()],
        "notes": [_note(n) for n in result.notes],
        "method_notes": [_note(n) for n in METHOD_NOTES],
    }


def _note(note: Note) -> dict[str, str]:
    return {lang: note.text(lang) for lang in LANGUAGES}


def _plain(value: object, *, whole: bool = False) -> object:
    """``value`` as JSON: numpy scalars as Python ones, NaN as None; ``whole`` numbers (a
    count or a rank kept as float so that it can be missing) as ``int``."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        return int(value) if whole else float(value)
    return value


def _with_labels(rows: Columns, labels: Mapping[str, str] | None) -> Columns:
    if not labels:
        return rows
    return rows.assign(label=np.array([labels.get(i, i) for i in rows["item"]], dtype=object))


# -- ranking.csv ----------------------------------------------------------------------------

def _write_csv(rows: Columns, path: Path) -> None:
    """``rows`` as ``DataFrame.to_csv(index=False)`` wrote them (see :func:`_csv_texts`)."""
    texts = [_csv_texts(rows, name) for name in rows.columns]
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(rows.columns)
        writer.writerows(zip(*texts, strict=True))


def _csv_texts(rows: Columns, name: str) -> list[str]:
    """A column's fields as pandas writes them: floats by numpy's shortest repr (what
    ``astype(str)`` gives), whole-number columns (nullable Int64 in the data frame) without
    ".0", booleans as True/False, missing values as empty fields."""
    column = rows[name]
    kind = column.dtype.kind
    if kind == "f":
        missing = np.isnan(column)
        if name in INTEGER_COLUMNS:
            text = np.where(missing, 0, column).astype(np.int64).astype(str).astype(object)
        else:
            text = column.astype(str).astype(object)
        text[missing] = ""
        return text.tolist()
    if kind in "biu":
        return column.astype(str).tolist()
    return ["" if is_missing(v) else str(v) for v in column]


# -- ranking.xlsx ---------------------------------------------------------------------------

_HEADER = {"bold": True}


def _write_excel(result: RankingResult, rows: Columns, path: Path,
                 extra_sheets: Mapping[str, pd.DataFrame | Columns],
                 front_sheets: Mapping[str, ReadableSheet]) -> None:
    used: set[str] = set()
    book = open_workbook(path)
    header = book.add_format(_HEADER)
    for name, readable in front_sheets.items():
        _write_readable(book, header, _sheet_name(name, used), readable)
    groups = rows["group"]
    tables = [("overall", rows.take(groups == OVERALL))]
    tables += [(f"{result.group}_{g}" if result.group else str(g), rows.take(groups == g))
               for g in result.groups]
    tables.append(("differences", result.difference_rows))
    tables += [(name, Columns.of(table)) for name, table in extra_sheets.items()]
    w = result.weighting
    extra = [Note(f"Viktning: {w.method}, n = {w.n:.0f}, effektivt n (Kish) = {w.n_eff:.1f}",
                  f"Weighting: {w.method}, n = {w.n:.0f}, effective n (Kish) = "
                  f"{w.n_eff:.1f}")]
    notes = [*METHOD_NOTES, *result.notes, *extra]
    tables.append(("method notes", Columns({"svenska": [n.sv for n in notes],
                                            "english": [n.en for n in notes]})))
    for name, table in tables:
        sheet = _write_table(book, header, _sheet_name(name, used), table)
        sheet.set_column(0, len(RANKING_COLUMNS), 14)
    book.close()


def _write_table(book: Workbook, header: object, name: str, table: Columns) -> Worksheet:
    """A sheet with a header row and one row per row of ``table``, each cell of its type."""
    sheet = book.add_worksheet(name)
    for col, title in enumerate(table.columns):
        sheet.write(0, col, title, header)
        for row, value in enumerate(_cells(table, title), start=1):
            _write_cell(sheet, row, col, value)
    return sheet


def _cells(table: Columns, name: str) -> Iterator[object]:
    """A column's values as Python objects (missing as None)."""
    column = table[name]
    if column.dtype.kind == "f":
        return (None if math.isnan(v) else v for v in column.tolist())
    return iter(column.tolist())


def _write_cell(sheet: Worksheet, row: int, col: int, value: object) -> None:
    """One cell as ``to_excel`` wrote it: missing and "" left empty, infinities as the texts
    "inf" and "-inf", numbers as numbers, booleans as booleans, anything else as text."""
    if is_missing(value) or value == "":
        return
    if isinstance(value, bool | np.bool_):
        sheet.write_boolean(row, col, bool(value))
    elif isinstance(value, int | float | np.integer | np.floating):
        if math.isinf(value):
            sheet.write_string(row, col, "inf" if value > 0 else "-inf")
        else:
            sheet.write_number(row, col, float(value))
    else:
        sheet.write_string(row, col, str(value))


def _write_readable(book: Workbook, header: object, name: str, readable: ReadableSheet
                    ) -> None:
    table = Columns.of(readable.frame)
    sheet = _write_table(book, header, name, table)
    share = book.add_format({"num_format": "0 %"})
    for column, title in enumerate(table.columns):
        texts = [str(title), *(str(v) for v in _cells(table, title) if not is_missing(v))]
        width = min(max(len(t) for t in texts) + 2, 60)
        sheet.set_column(column, column, width, share if title in readable.percent else None)
    sheet.freeze_panes(1, 1)


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "sheet"
    candidate, i = base, 2
    while candidate.lower() in used:
        suffix = f"_{i}"
        candidate, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(candidate.lower())
    return candidate


def _write_charts(result: RankingResult, out: Path, labels: Mapping[str, str] | None,
                  lang: str) -> list[Path]:
    from . import charts

    written = []
    for name, figure in charts.figures(result, labels, _TITLES[lang], _TEXTS[lang]).items():
        for fmt in ("png", "svg"):
            path = out / f"{name}.{fmt}"
            path.write_bytes(charts.render(figure, fmt))
            written.append(path)
    return written
