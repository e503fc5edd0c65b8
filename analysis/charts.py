"""Charts of a ranking as PNG or SVG bytes.

Figures are drawn on matplotlib ``Figure`` objects with the Agg canvas set explicitly, so
nothing touches pyplot's global state or needs a display, and a notebook's own backend is
left alone. Titles and labels arrive already translated; the palette is colour-blind safe
(``cividis`` for the heatmap, the first colour of seaborn's ``colorblind`` palette for
points). Plain matplotlib, not seaborn: importing seaborn cost more than drawing the charts.
:func:`figures` draws each chart once so that a report can save it as PNG and SVG.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.patches import Rectangle

from .errors import AnalysisError
from .ranking import OVERALL, RankingResult
from .rounding import whole_percent

__all__ = ["DEFAULT_TEXTS", "dotplot", "figures", "heatmap", "render", "small_multiples"]

FORMATS = ("png", "svg")
DEFAULT_TEXTS: dict[str, str] = {
    "share": "Andel ganska/mycket stort problem",
    "group": "Grupp",
    "item": "Problem",
    "suppressed": "visas ej",
    "overall": "Alla",
    "rank": "plats",
}
_POINT_COLOUR = "#0173b2"  # seaborn's "colorblind" palette, first colour
_HATCH_COLOUR = "#7f7f7f"


def heatmap(
    result: RankingResult,
    labels: Mapping[str, str] | None = None,
    title: str = "",
    *,
    fmt: str = "png",
    texts: Mapping[str, str] | None = None,
    group_labels: Mapping[str, str] | None = None,
) -> bytes:
    """Item × group heatmap of shares, annotated in per cent; suppressed cells hatched.

    Items are ordered by their overall rank; the first column is the whole sample.
    """
    _check_format(fmt)
    return render(_heatmap_figure(result, labels, title, texts, group_labels), fmt)


def _heatmap_figure(result: RankingResult, labels: Mapping[str, str] | None, title: str,
                    texts: Mapping[str, str] | None,
                    group_labels: Mapping[str, str] | None) -> Figure:
    text = {**DEFAULT_TEXTS, **(texts or {})}
    order = _item_order(result)
    columns = [OVERALL, *result.groups]
    wide = result.table.pivot(index="item", columns="group", values="share")
    wide = wide.reindex(index=order, columns=columns)
    suppressed = result.table.pivot(index="item", columns="group", values="suppressed")
    suppressed = suppressed.reindex(index=order, columns=columns).fillna(True).astype(bool)
    names = _names(order, labels)
    col_names = [text["overall"] if c == OVERALL else (group_labels or {}).get(c, c)
                 for c in columns]
    fig = _figure(width=1.6 + 0.9 * len(columns) + 0.06 * max(map(len, names)),
                  height=1.2 + 0.42 * len(order))
    ax = fig.add_subplot()
    values = wide.to_numpy(dtype=float) * 100
    hidden = suppressed.to_numpy()
    cmap = mpl.colormaps["cividis"]
    image = ax.imshow(np.ma.masked_array(values, hidden | np.isnan(values)), cmap=cmap,
                      vmin=0, vmax=100, aspect="auto", interpolation="nearest")
    for (r, c), value in np.ndenumerate(values):
        if hidden[r, c]:
            ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, hatch="///",
                                   edgecolor=_HATCH_COLOUR, linewidth=0))
            ax.text(c, r, text["suppressed"], ha="center", va="center", fontsize=7,
                    color="black", bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
        elif not np.isnan(value):
            red, green, blue, _ = cmap(value / 100)
            dark = 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.45
            ax.text(c, r, f"{whole_percent(value / 100)} %", ha="center", va="center",
                    color="white" if dark else "black")
    fig.colorbar(image, ax=ax, label=text["share"] + " (%)")
    ax.set_xticks(range(len(columns)), col_names)
    ax.set_yticks(range(len(order)), names)
    ax.set_xticks(np.arange(len(columns) + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(len(order) + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=0.5)
    ax.tick_params(which="minor", length=0)
    ax.tick_params(which="major", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel(text["group"])
    ax.set_title(title)
    return fig


def dotplot(
    result: RankingResult,
    labels: Mapping[str, str] | None = None,
    title: str = "",
    *,
    group: str = OVERALL,
    fmt: str = "png",
    texts: Mapping[str, str] | None = None,
) -> bytes:
    """Items ranked by share in one group, with CI whiskers and the rank interval."""
    _check_format(fmt)
    return render(_dotplot_figure(result, labels, title, group, texts), fmt)


def _dotplot_figure(result: RankingResult, labels: Mapping[str, str] | None, title: str,
                    group: str, texts: Mapping[str, str] | None) -> Figure:
    text = {**DEFAULT_TEXTS, **(texts or {})}
    rows = result.table.loc[result.table["group"] == group]
    if rows.empty:
        raise AnalysisError(f"no rows for group {group!r}")
    fig = _figure(width=8.0, height=1.2 + 0.42 * len(rows))
    ax = fig.add_subplot()
    _dots(ax, rows, _item_order(result, group), labels, text, with_ranks=True)
    ax.set_title(title)
    return fig


def small_multiples(
    result: RankingResult,
    labels: Mapping[str, str] | None = None,
    title: str = "",
    *,
    fmt: str = "png",
    texts: Mapping[str, str] | None = None,
    group_labels: Mapping[str, str] | None = None,
    columns: int = 3,
) -> bytes:
    """One dot-and-whisker panel per group, items in overall rank order, shared x axis."""
    _check_format(fmt)
    return render(_small_multiples_figure(result, labels, title, texts, group_labels, columns),
                  fmt)


def _small_multiples_figure(result: RankingResult, labels: Mapping[str, str] | None,
                            title: str, texts: Mapping[str, str] | None,
                            group_labels: Mapping[str, str] | None, columns: int) -> Figure:
    if not result.groups:
        raise AnalysisError("small multiples need a grouping column")
    text = {**DEFAULT_TEXTS, **(texts or {})}
    order = _item_order(result)
    ncols = min(columns, len(result.groups))
    nrows = -(-len(result.groups) // ncols)
    fig = _figure(width=1.5 + 4.2 * ncols, height=0.8 + nrows * (0.9 + 0.3 * len(order)))
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
    for ax, g in zip(axes.flat, result.groups, strict=False):
        rows = result.table.loc[result.table["group"] == g]
        _dots(ax, rows, order, labels, text, with_ranks=False)
        ax.set_title((group_labels or {}).get(g, g))
    for ax in list(axes.flat)[len(result.groups):]:
        ax.set_visible(False)
    fig.suptitle(title)
    return fig


def figures(result: RankingResult, labels: Mapping[str, str] | None,
            titles: Mapping[str, str], texts: Mapping[str, str] | None = None
            ) -> dict[str, Figure]:
    """The dot plot and, with groups, the heatmap and small multiples, each drawn once
    (``titles`` by chart name); save them with :func:`render`."""
    out = {"dotplot": _dotplot_figure(result, labels, titles["dotplot"], OVERALL, texts)}
    if result.groups:
        out["heatmap"] = _heatmap_figure(result, labels, titles["heatmap"], texts, None)
        out["small_multiples"] = _small_multiples_figure(
            result, labels, titles["small_multiples"], texts, None, 3)
    return out


def _dots(ax, rows: pd.DataFrame, order: list[str], labels: Mapping[str, str] | None,
          text: Mapping[str, str], *, with_ranks: bool) -> None:
    rows = rows.set_index("item").reindex(order)
    y = np.arange(len(order))
    share = rows["share"].to_numpy(dtype=float) * 100
    low = rows["ci_low"].to_numpy(dtype=float) * 100
    high = rows["ci_high"].to_numpy(dtype=float) * 100
    shown = ~np.isnan(share)
    ax.errorbar(share[shown], y[shown], xerr=[share[shown] - low[shown],
                high[shown] - share[shown]], fmt="o", color=_POINT_COLOUR, ecolor=_POINT_COLOUR,
                elinewidth=1.5, capsize=3, markersize=5)
    for yi in y[~shown]:
        ax.text(1, yi, text["suppressed"], va="center", fontsize=8, color=_HATCH_COLOUR,
                style="italic")
    names = _names(order, labels)
    if with_ranks:
        ranks = rows[["rank", "rank_low", "rank_high"]]
        names = [
            f"{name} ({_rank_text(r, text)})" if pd.notna(r["rank"]) else name
            for name, (_, r) in zip(names, ranks.iterrows(), strict=True)
        ]
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(text["share"] + " (%)")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def _rank_text(row: pd.Series, text: Mapping[str, str]) -> str:
    low, high = int(row["rank_low"]), int(row["rank_high"])
    span = f"{low}" if low == high else f"{low}–{high}"
    return f"{text['rank']} {span}"


def _item_order(result: RankingResult, group: str = OVERALL) -> list[str]:
    rows = result.table.loc[result.table["group"] == group]
    ranked = rows.sort_values("share", ascending=False, na_position="last", kind="stable")
    return list(ranked["item"]) + [i for i in result.items if i not in set(ranked["item"])]


def _names(order: list[str], labels: Mapping[str, str] | None) -> list[str]:
    return [(labels or {}).get(item, item) for item in order]


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise AnalysisError(f"unknown chart format {fmt!r}; choose png or svg")


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(min(width, 18.0), min(height, 20.0)), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def render(fig: Figure, fmt: str) -> bytes:
    """A figure as PNG (150 dpi) or SVG bytes, identical between runs."""
    _check_format(fmt)
    engine = fig.get_layout_engine()
    if engine is not None and not isinstance(engine, PlaceHolderLayoutEngine):
        # Lay the figure out once, then keep the positions: every save would otherwise run
        # the constrained layout again, which costs more than drawing.
        engine.execute(fig)
        fig.set_layout_engine("none")
    buffer = io.BytesIO()
    # A fixed hash salt and no date keep SVG output identical between runs.
    with mpl.rc_context({"svg.hashsalt": "medborgardialog", "svg.fonttype": "none"}):
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buffer, format=fmt, dpi=150, metadata=metadata)
    return buffer.getvalue()
