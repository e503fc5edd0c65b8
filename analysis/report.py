"""Write a ranking to a folder: CSV, Excel, JSON summary and charts."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import AnalysisError
from .ranking import OVERALL, RANKING_COLUMNS, RankingResult

__all__ = ["METHOD_NOTES", "write_report"]

METHOD_NOTES: list[tuple[str, str]] = [
    ("Varje svar får först vikten 1 och kalibreras sedan mot befolkningen, antingen genom "
     "efterstratifiering på celler (t.ex. åldersgrupp × kön) eller genom raking på "
     "marginalerna.",
     "Every answer starts with weight 1 and is calibrated to the population, either by "
     "post-stratification on cells (e.g. age band × gender) or by raking on the margins."),
    ("Andel = viktad andel som svarat 'ganska' eller 'mycket stort problem' bland dem som "
     "svarat; 'vet ej' och obesvarat räknas inte men deras andel redovisas.",
     "Share = weighted share answering 'fairly' or 'very big problem' among those who "
     "answered; 'don't know' and no answer are left out, their share is reported."),
    ("Medelfel beräknas med Taylorlinjärisering som tar hänsyn till kalibreringen (som R:s "
     "survey-paket). Konfidensintervallen (95 %) bildas på logitskala.",
     "Standard errors use Taylor linearisation that accounts for the calibration (as R's "
     "survey package does). Confidence intervals (95 %) are formed on the logit scale."),
    ("Rangintervall: skattningarna simuleras från sin gemensamma normalfördelning (med "
     "korrelationen mellan frågor) och rangordnas; intervallet täcker 95 % av simuleringarna.",
     "Rank intervals: the estimates are simulated from their joint normal distribution "
     "(including the correlation between items) and ranked; the interval covers 95 % of "
     "the simulations."),
    ("Skillnader mellan grupper prövas med Rao–Scotts korrigerade chi2-test; p-värdena "
     "justeras för antalet frågor med Benjamini–Hochberg. Kendalls W mäter hur lika "
     "grupperna rangordnar problemen (0 = ingen, 1 = full samstämmighet).",
     "Group differences are tested with the Rao–Scott corrected chi-square test; p-values "
     "are adjusted for the number of items with Benjamini–Hochberg. Kendall's W measures how "
     "alike the groups order the problems (0 = no, 1 = full agreement)."),
    ("Skattningar som bygger på färre svar än gränsvärdet visas inte.",
     "Estimates resting on fewer answers than the threshold are withheld."),
]

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
           "suppressed": "too few answers", "overall": "All", "rank": "rank"},
}


def write_report(
    result: RankingResult,
    out_dir: str | Path,
    labels: Mapping[str, str] | None = None,
    lang: str = "sv",
    *,
    charts: bool = True,
    extra_sheets: Mapping[str, pd.DataFrame] | None = None,
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
    _write_excel(result, table, written[1], extra_sheets or {})
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
            {k: _plain(r[k]) for k in ["item", "n", "share", "ci_low", "ci_high", "rank",
                                       "rank_low", "rank_high", "suppressed"]}
            for _, r in rows.iterrows()
        ]
    return {
        "weighting": {"method": w.method, "n": _plain(w.n), "n_eff": _plain(w.n_eff),
                      "design_effect": _plain(w.design_effect), "notes": list(w.notes)},
        "parameters": {k: _plain(v) for k, v in result.parameters.items()},
        "group_column": result.group,
        "groups": list(result.groups),
        "items": list(result.items),
        "kendall_w": _plain(result.kendall_w),
        "suppressed": int(result.table["suppressed"].sum()),
        "ranking": ranked,
        "differences": [{k: _plain(v) for k, v in row.items()}
                        for row in result.differences.to_dict(orient="records")],
        "notes": list(result.notes),
    }


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
                 extra_sheets: Mapping[str, pd.DataFrame]) -> None:
    used: set[str] = set()
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        frames = [("overall", table.loc[table["group"] == OVERALL])]
        frames += [(f"{result.group}_{g}" if result.group else str(g),
                    table.loc[table["group"] == g]) for g in result.groups]
        for name, frame in frames:
            frame.to_excel(writer, sheet_name=_sheet_name(name, used), index=False)
        result.differences.to_excel(writer, sheet_name=_sheet_name("differences", used),
                                    index=False)
        for name, frame in extra_sheets.items():
            frame.to_excel(writer, sheet_name=_sheet_name(name, used), index=False)
        notes = pd.DataFrame(
            METHOD_NOTES + [tuple(_split(n)) for n in result.notes]
            + [(f"Viktning: {result.weighting.method}, n = {result.weighting.n:.0f}, "
                f"effektivt n = {result.weighting.n_eff:.1f}",
                f"Weighting: {result.weighting.method}, n = {result.weighting.n:.0f}, "
                f"effective n = {result.weighting.n_eff:.1f}")],
            columns=["svenska", "english"])
        notes.to_excel(writer, sheet_name=_sheet_name("method notes", used), index=False)
        for sheet in writer.sheets.values():
            sheet.set_column(0, len(RANKING_COLUMNS), 14)


def _split(note: str) -> list[str]:
    parts = note.split(" / ", 1)
    return parts if len(parts) == 2 else [note, note]


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

    titles, texts = _TITLES[lang], _TEXTS[lang]
    plots = [("dotplot", charts.dotplot)]
    if result.groups:
        plots += [("heatmap", charts.heatmap), ("small_multiples", charts.small_multiples)]
    written = []
    for name, draw in plots:
        for fmt in ("png", "svg"):
            path = out / f"{name}.{fmt}"
            path.write_bytes(draw(result, labels, titles[name], fmt=fmt, texts=texts))
            written.append(path)
    return written
