"""Write a ranking to a folder: CSV, Excel, JSON summary and charts."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import AnalysisError
from .method_notes import METHOD_NOTES
from .notes import LANGUAGES, Note
from .ranking import OVERALL, RANKING_COLUMNS, RankingResult
from .workbook import frame_writer

__all__ = ["METHOD_NOTES", "ReadableSheet", "summary", "write_report"]


@dataclass(frozen=True)
class ReadableSheet:
    """A sheet for people rather than analysts, written before the exact figures.

    ``frame`` holds texts and rounded numbers already; the columns named in ``percent`` hold
    shares (0.38) shown as per cent ("38 %"). Columns are as wide as their longest text.
    """

    frame: pd.DataFrame
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
    extra_sheets: Mapping[str, pd.DataFrame] | None = None,
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
        Sheet name to table, written into ``ranking.xlsx`` before the method notes (e.g.
        the same analysis by area); small groups must already be withheld in them.
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
    table = _with_labels(result.table, labels)
    written = [out / "ranking.csv", out / "ranking.xlsx", out / "summary.json"]
    table.to_csv(written[0], index=False)
    _write_excel(result, table, written[1], extra_sheets or {}, front_sheets or {})
    written[2].write_text(json.dumps(summary(result), ensure_ascii=False, indent=2),
                          encoding="utf-8")
    if charts:
        written += _write_charts(result, out, labels, lang)
    return written


def summary(result: RankingResult) -> dict[str, object]:
    """The JSON summary: weighting, parameters, per-group ranking, differences, notes."""
    w = result.weighting
    ranked = {}
    for group, rows in result.table.groupby("group", sort=False):
        ranked[str(group)] = [
            {k: _plain(r[k]) for k in ["item", "n", "n_eff_kish", "n_eff_design", "share",
                                       "ci_low", "ci_high", "rank", "rank_low", "rank_high",
                                       "suppressed"]}
            for _, r in rows.iterrows()
        ]
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
        "suppressed": int(result.table["suppressed"].sum()),
        "ranking": ranked,
        "differences": [{k: _plain(v) for k, v in row.items()}
                        for row in result.differences.to_dict(orient="records")],
        "notes": [_note(n) for n in result.notes],
        "method_notes": [_note(n) for n in METHOD_NOTES],
    }


def _note(note: Note) -> dict[str, str]:
    return {lang: note.text(lang) for lang in LANGUAGES}


def _plain(value: object) -> object:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    return value


def _with_labels(table: pd.DataFrame, labels: Mapping[str, str] | None) -> pd.DataFrame:
    if not labels:
        return table
    return table.assign(label=table["item"].map(lambda i: labels.get(i, i)))


def _write_excel(result: RankingResult, table: pd.DataFrame, path: Path,
                 extra_sheets: Mapping[str, pd.DataFrame],
                 front_sheets: Mapping[str, ReadableSheet]) -> None:
    used: set[str] = set()
    with frame_writer(path) as writer:
        for name, readable in front_sheets.items():
            _write_readable(writer, _sheet_name(name, used), readable)
        exact = len(writer.sheets)
        frames = [("overall", table.loc[table["group"] == OVERALL])]
        frames += [(f"{result.group}_{g}" if result.group else str(g),
                    table.loc[table["group"] == g]) for g in result.groups]
        for name, frame in frames:
            frame.to_excel(writer, sheet_name=_sheet_name(name, used), index=False)
        result.differences.to_excel(writer, sheet_name=_sheet_name("differences", used),
                                    index=False)
        for name, frame in extra_sheets.items():
            frame.to_excel(writer, sheet_name=_sheet_name(name, used), index=False)
        w = result.weighting
        extra = [Note(f"Viktning: {w.method}, n = {w.n:.0f}, effektivt n (Kish) = {w.n_eff:.1f}",
                      f"Weighting: {w.method}, n = {w.n:.0f}, effective n (Kish) = "
                      f"{w.n_eff:.1f}")]
        notes = pd.DataFrame([(n.sv, n.en) for n in [*METHOD_NOTES, *result.notes, *extra]],
                             columns=["svenska", "english"])
        notes.to_excel(writer, sheet_name=_sheet_name("method notes", used), index=False)
        for sheet in list(writer.sheets.values())[exact:]:
            sheet.set_column(0, len(RANKING_COLUMNS), 14)


def _write_readable(writer: pd.ExcelWriter, name: str, readable: ReadableSheet) -> None:
    frame = readable.frame
    frame.to_excel(writer, sheet_name=name, index=False)
    sheet = writer.sheets[name]
    share = writer.book.add_format({"num_format": "0 %"})
    for column, title in enumerate(frame.columns):
        texts = [str(title), *(str(v) for v in frame[title] if not pd.isna(v))]
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
