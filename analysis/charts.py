"""Charts of a ranking as PNG or SVG bytes.

Each chart is laid out once in pixels (:mod:`.drawing`: shapes and texts placed from the
widths of the texts in the font the PNG is drawn with) and written as SVG or drawn as PNG
from that layout. Titles and labels arrive already translated; the palette is colour-blind
safe (cividis for the heatmap – dark blue to yellow, readable in every kind of colour
blindness and in greyscale – and the first colour of seaborn's ``colorblind`` palette for
points). :func:`figures` lays out each chart of a report once; :func:`render` writes it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from .columns import Columns
from .drawing import (
    INCH,
    PT,
    Chart,
    Dot,
    Gradient,
    Hatch,
    Line,
    Rect,
    Text,
    block_height,
    text_width,
    to_png,
    to_svg,
    wrap,
)
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
_GRID_COLOUR = "#dddddd"
_AXIS_COLOUR = "#000000"
# matplotlib's cividis at 0, 1/16, …, 1 (interpolated linearly in between).
_CIVIDIS = ("#00224e", "#002e6a", "#1a386f", "#32436d", "#434e6c", "#535a6d", "#61656f",
            "#6f7073", "#7d7c78", "#8c8878", "#9b9476", "#aba072", "#bcae6c", "#cdbb63",
            "#dec958", "#f0d846", "#fee838")


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
    return render(_heatmap_chart(result, labels, title, texts, group_labels), fmt)


def _heatmap_chart(result: RankingResult, labels: Mapping[str, str] | None, title: str,
                   texts: Mapping[str, str] | None,
                   group_labels: Mapping[str, str] | None) -> Chart:
    text = {**DEFAULT_TEXTS, **(texts or {})}
    order = _item_order(result)
    columns = [OVERALL, *result.groups]
    panels = [_group_rows(result, c, order) for c in columns]
    values = np.column_stack([p["share"] for p in panels])
    hidden = np.column_stack([p["suppressed"] for p in panels])
    plain_names = _names(order, labels)
    names = _wrapped(plain_names)
    share_label = text["share"] + " (%)"
    line = block_height(1, _SIZE)
    left = _PAD + _widest(names) + _TICK
    # The colour bar, its ticks ("100") and its turned label take the right margin.
    right = _GAP + _BAR + _TICK + text_width("100", _SIZE) + _LABEL_PAD + line + _PAD
    width = _fit_width(INCH * (1.6 + 0.9 * len(columns) + 0.06 * max(map(len, plain_names))),
                       left + right + _MIN_PLOT)
    cell_w = (width - left - right) / len(columns)
    # Group names wrapped to their column, so that "65–79 år" and "80 år eller äldre" side
    # by side do not run into each other.
    col_names = [wrap(text["overall"] if c == OVERALL else (group_labels or {}).get(c, c),
                      _SIZE, cell_w - _PAD) for c in columns]
    col_h = max(block_height(len(n), _SIZE) for n in col_names)
    top = _title_room(title)
    bottom = _TICK + col_h + _LABEL_PAD + line + _PAD
    row_h = _row_height(names, 0.42 * INCH)
    height = top + row_h * len(order) + bottom
    x0, y0, x1, y1 = left, top, width - right, height - bottom
    chart = Chart(round(width), round(height), title or share_label,
                  f"{share_label}: {text['item']} × {text['group']}")
    labels_on_cells = []
    for (r, c), value in np.ndenumerate(values):
        cx0, cy0 = x0 + c * cell_w, y0 + r * row_h
        centre = (cx0 + cell_w / 2, cy0 + row_h / 2)
        if hidden[r, c]:
            chart.shapes.append(Hatch(cx0, cy0, cx0 + cell_w, cy0 + row_h, _HATCH_COLOUR))
            labels_on_cells.append(Text(*centre, (text["suppressed"],), 7, "middle",
                                        background="#ffffff", kind="suppressed"))
        elif not np.isnan(value):
            colour = _scale_colour(value)
            chart.shapes.append(Rect(cx0, cy0, cx0 + cell_w, cy0 + row_h, fill=colour))
            labels_on_cells.append(Text(*centre, (f"{whole_percent(value)} %",), _SIZE,
                                        "middle", _text_colour_on(colour), kind="cell"))
    # Cell borders in white, then the texts on top of the cells.
    chart.shapes += [Line(x0, y0 + r * row_h, x1, y0 + r * row_h, "#ffffff", 0.5 * PT)
                     for r in range(1, len(order))]
    chart.shapes += [Line(x0 + c * cell_w, y0, x0 + c * cell_w, y1, "#ffffff", 0.5 * PT)
                     for c in range(1, len(columns))]
    chart.shapes += labels_on_cells
    chart.shapes += [Text(x0 - _TICK, y0 + (r + 0.5) * row_h, n, _SIZE, "end", kind="name")
                     for r, n in enumerate(names)]
    chart.shapes += [Text(x0 + (c + 0.5) * cell_w, y1 + _TICK + block_height(len(n), _SIZE) / 2,
                          n, _SIZE, "middle", kind="column") for c, n in enumerate(col_names)]
    chart.shapes.append(Text((x0 + x1) / 2, y1 + _TICK + col_h + _LABEL_PAD + line / 2,
                             (text["group"],), _SIZE, "middle", kind="xlabel"))
    _title(chart, title, (x0 + x1) / 2)
    # The colour bar: 0 at the bottom, 100 at the top, ticks every 20.
    bx0 = x1 + _GAP
    bx1 = bx0 + _BAR
    chart.shapes += [Gradient(bx0, y0, bx1, y1, _CIVIDIS),
                     Rect(bx0, y0, bx1, y1, stroke=_AXIS_COLOUR, stroke_width=_SPINE)]
    for v in range(0, 101, 20):
        y = y1 - (y1 - y0) * v / 100
        chart.shapes += [Line(bx1, y, bx1 + _TICK_LENGTH, y, _AXIS_COLOUR, _SPINE),
                         Text(bx1 + _TICK, y, (str(v),), _SIZE, kind="tick")]
    chart.shapes.append(Text(bx1 + _TICK + text_width("100", _SIZE) + _LABEL_PAD + line / 2,
                             (y0 + y1) / 2, (share_label,), _SIZE, "middle", rotated=True,
                             kind="xlabel"))
    return chart


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
    return render(_dotplot_chart(result, labels, title, group, texts), fmt)


def _dotplot_chart(result: RankingResult, labels: Mapping[str, str] | None, title: str,
                   group: str, texts: Mapping[str, str] | None) -> Chart:
    text = {**DEFAULT_TEXTS, **(texts or {})}
    if not (result.rows["group"] == group).any():
        raise AnalysisError(f"no rows for group {group!r}")
    order = _item_order(result, group)
    rows = _group_rows(result, group, order)
    plain_names = _dot_names(order, rows, labels, text)
    names = _wrapped(plain_names)
    xlabel = text["share"] + " (%)"
    left = _PAD + _widest(names) + _TICK
    right = _PAD + text_width("100", _SIZE) / 2
    width = _fit_width(8.0 * INCH, left + right + _MIN_PLOT)
    top = _title_room(title)
    row_h = _row_height(names, 0.42 * INCH)
    height = top + row_h * len(rows) + _foot()
    box = (left, top, width - right, height - _foot())
    shares = [name + (f": {text['suppressed']}" if math.isnan(s) else f": {whole_percent(s)} %")
              for name, s in zip(plain_names, rows["share"], strict=True)]
    chart = Chart(round(width), round(height), title or xlabel,
                  f"{xlabel}. " + "; ".join(shares))
    _dots(chart, box, rows, names, text, labelled=True)
    _title(chart, title, (box[0] + box[2]) / 2)
    return chart


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
    return render(_small_multiples_chart(result, labels, title, texts, group_labels, columns),
                  fmt)


def _small_multiples_chart(result: RankingResult, labels: Mapping[str, str] | None,
                           title: str, texts: Mapping[str, str] | None,
                           group_labels: Mapping[str, str] | None, columns: int) -> Chart:
    if not result.groups:
        raise AnalysisError("small multiples need a grouping column")
    text = {**DEFAULT_TEXTS, **(texts or {})}
    order = _item_order(result)
    ncols = min(columns, len(result.groups))
    nrows = -(-len(result.groups) // ncols)
    names = _wrapped(_names(order, labels))
    xlabel = text["share"] + " (%)"
    panel_titles = [(group_labels or {}).get(g, g) for g in result.groups]
    left = _PAD + _widest(names) + _TICK
    right = _PAD + text_width("100", _SIZE) / 2
    gap = text_width("100", _SIZE) + 2 * _PAD
    width = _fit_width(INCH * (1.5 + 4.2 * ncols),
                       left + right + gap * (ncols - 1) + ncols * _MIN_PANEL)
    panel_w = (width - left - right - gap * (ncols - 1)) / ncols
    head = block_height(1, _TITLE_SIZE) + _TITLE_PAD
    panel_h = _row_height(names, 0.3 * INCH) * len(order)
    top = _title_room(title)
    height = top + nrows * (head + panel_h + _foot())
    chart = Chart(round(width), round(height), title or xlabel,
                  f"{xlabel}: {text['group']} " + ", ".join(panel_titles))
    for i, g in enumerate(result.groups):
        r, c = divmod(i, ncols)
        x = left + c * (panel_w + gap)
        y = top + r * (head + panel_h + _foot()) + head
        chart.shapes.append(Text(x + panel_w / 2, y - _TITLE_PAD - block_height(1, _TITLE_SIZE) / 2,
                                 (panel_titles[i],), _TITLE_SIZE, "middle", kind="panel"))
        rows = _group_rows(result, g, order)
        # Names only in the first column (the rows line up across a row of panels, every
        # panel has the same scale); the scale's numbers under the lowest panel of a column.
        _dots(chart, (x, y, x + panel_w, y + panel_h), rows, names if c == 0 else None, text,
              labelled=i + ncols >= len(result.groups))
    _title(chart, title, width / 2)
    return chart


def figures(result: RankingResult, labels: Mapping[str, str] | None,
            titles: Mapping[str, str], texts: Mapping[str, str] | None = None,
            group_labels: Mapping[str, str] | None = None) -> dict[str, Chart]:
    """The dot plot and, with groups, the heatmap and small multiples, each laid out once
    (``titles`` by chart name); write them with :func:`render`."""
    out = {"dotplot": _dotplot_chart(result, labels, titles["dotplot"], OVERALL, texts)}
    if result.groups:
        out["heatmap"] = _heatmap_chart(result, labels, titles["heatmap"], texts, group_labels)
        out["small_multiples"] = _small_multiples_chart(
            result, labels, titles["small_multiples"], texts, group_labels, 3)
    return out


def render(chart: Chart, fmt: str) -> bytes:
    """A chart as PNG (150 dpi) or SVG bytes, identical between runs."""
    _check_format(fmt)
    return to_svg(chart) if fmt == "svg" else to_png(chart)


def _dot_names(order: list[str], rows: Columns, labels: Mapping[str, str] | None,
               text: Mapping[str, str]) -> list[str]:
    """Item names with their rank interval, for the dot plot of one group (``rows``: its
    rows for the items in ``order``)."""
    return [
        name if math.isnan(rank) else f"{name} ({_rank_text(low, high, text)})"
        for name, rank, low, high in zip(_names(order, labels), rows["rank"], rows["rank_low"],
                                         rows["rank_high"], strict=True)
    ]


def _dots(chart: Chart, box: tuple[float, float, float, float], rows: Columns,
          names: list[tuple[str, ...]] | None, text: Mapping[str, str], *,
          labelled: bool) -> None:
    """A panel: dots and CI whiskers of ``rows`` (one per item, in drawing order) on a
    0–100 scale; ``names`` label the rows (``None``: no names), ``labelled`` puts the
    scale's numbers under it."""
    x0, y0, x1, y1 = box
    row_h = (y1 - y0) / len(rows)

    def at(v: float) -> float:
        return x0 + (x1 - x0) * v / 100

    chart.shapes += [Line(at(v), y0, at(v), y1, _GRID_COLOUR, 0.6 * PT) for v in _X_TICKS]
    share = rows["share"] * 100
    low = rows["ci_low"] * 100
    high = rows["ci_high"] * 100
    cap = 3 * PT
    for i in range(len(rows)):
        y = y0 + (i + 0.5) * row_h
        if np.isnan(share[i]):
            chart.shapes.append(Text(at(1), y, (text["suppressed"],), 8, "start", _HATCH_COLOUR,
                                     italic=True, kind="suppressed"))
            continue
        chart.shapes += [Line(at(low[i]), y, at(high[i]), y, _POINT_COLOUR, 1.5 * PT),
                         Line(at(low[i]), y - cap, at(low[i]), y + cap, _POINT_COLOUR, PT),
                         Line(at(high[i]), y - cap, at(high[i]), y + cap, _POINT_COLOUR, PT),
                         Dot(at(share[i]), y, 3 * PT, _POINT_COLOUR)]
    chart.shapes.append(Rect(x0, y0, x1, y1, stroke=_AXIS_COLOUR, stroke_width=_SPINE))
    line = block_height(1, _SIZE)
    for v in _X_TICKS:
        chart.shapes.append(Line(at(v), y1, at(v), y1 + _TICK_LENGTH, _AXIS_COLOUR, _SPINE))
        if labelled:
            chart.shapes.append(Text(at(v), y1 + _TICK + line / 2, (str(v),), _SIZE, "middle",
                                     kind="tick"))
    below = y1 + _TICK + (line + _LABEL_PAD if labelled else 0.0)
    chart.shapes.append(Text((x0 + x1) / 2, below + line / 2, (text["share"] + " (%)",), _SIZE,
                             "middle", kind="xlabel"))
    for i, name in enumerate(names or ()):
        y = y0 + (i + 0.5) * row_h
        chart.shapes += [Line(x0 - _TICK_LENGTH, y, x0, y, _AXIS_COLOUR, _SPINE),
                         Text(x0 - _TICK, y, name, _SIZE, "end", kind="name")]


def _rank_text(low: float, high: float, text: Mapping[str, str]) -> str:
    low, high = int(low), int(high)
    span = f"{low}" if low == high else f"{low}–{high}"
    return f"{text['rank']} {span}"


def _item_order(result: RankingResult, group: str = OVERALL) -> list[str]:
    """The items by their share in ``group``, largest first (ties and missing shares in the
    table's order, missing shares last), then the items the group has no row for."""
    mine = np.flatnonzero(result.rows["group"] == group)
    # A stable sort of the negated shares: NaN sorts last, ties keep the table's order.
    ranked = result.rows["item"][mine[np.argsort(-result.rows["share"][mine], kind="stable")]]
    seen = set(ranked)
    return [*ranked, *(i for i in result.items if i not in seen)]


_FIGURES = ("share", "ci_low", "ci_high", "rank", "rank_low", "rank_high")


def _group_rows(result: RankingResult, group: str, order: list[str]) -> Columns:
    """The figures of ``group`` for the items in ``order``, one row each; an item the group
    has no row for has every figure missing and counts as withheld."""
    mine = np.flatnonzero(result.rows["group"] == group)
    at = dict(zip(result.rows["item"][mine], mine, strict=True))
    index = np.array([at.get(item, -1) for item in order], dtype=np.int64)
    found = index >= 0
    out = Columns(length=len(order))
    for name in _FIGURES:
        values = np.full(len(order), np.nan)
        values[found] = result.rows[name][index[found]]
        out[name] = values
    suppressed = np.ones(len(order), dtype=bool)
    suppressed[found] = result.rows["suppressed"][index[found]]
    out["suppressed"] = suppressed
    return out


def _names(order: list[str], labels: Mapping[str, str] | None) -> list[str]:
    return [(labels or {}).get(item, item) for item in order]


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise AnalysisError(f"unknown chart format {fmt!r}; choose png or svg")


def _scale_colour(share: float) -> str:
    """The cividis colour of a share between 0 and 1."""
    at = min(max(share, 0.0), 1.0) * (len(_CIVIDIS) - 1)
    k = min(int(at), len(_CIVIDIS) - 2)
    a, b = _rgb(_CIVIDIS[k]), _rgb(_CIVIDIS[k + 1])
    return "#" + "".join(f"{round(p + (q - p) * (at - k)):02x}" for p, q in zip(a, b, strict=True))


def _text_colour_on(colour: str) -> str:
    """White on dark cells, black on light ones (relative luminance of the sRGB values)."""
    red, green, blue = (v / 255 for v in _rgb(colour))
    return "#ffffff" if 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.45 else "#000000"


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


# The layout, in pixels at 150 dpi. Sizes follow what the charts had with matplotlib's
# defaults: 10 pt tick and axis labels, 12 pt titles, 3.5 pt ticks and tick padding, 4 pt
# label and 6 pt title padding, 0.8 pt axis lines.
_SIZE = 10
_TITLE_SIZE = 12
_PAD = 6 * PT
_TICK_LENGTH = 3.5 * PT
_TICK = 7 * PT
_LABEL_PAD = 4 * PT
_TITLE_PAD = 6 * PT
_SPINE = 0.8 * PT
_GAP = 0.25 * INCH
_BAR = 0.2 * INCH
_MIN_PLOT = 5.0 * INCH
_MIN_PANEL = 3.0 * INCH
_MAX_WIDTH = 18.0 * INCH
# Item names wider than this wrap onto lines of about equal length instead of squeezing the
# plot.
_NAME_WIDTH = 6.0 * INCH
_X_TICKS = range(0, 101, 20)


def _wrapped(names: list[str]) -> list[tuple[str, ...]]:
    return [wrap(name, _SIZE, _NAME_WIDTH) for name in names]


def _widest(names: list[tuple[str, ...]]) -> float:
    return max(text_width(line, _SIZE) for name in names for line in name)


def _row_height(names: list[tuple[str, ...]], least: float) -> float:
    """``least``, or more where wrapped names need it."""
    return max(least, block_height(max(map(len, names)), _SIZE) + 4 * PT)


def _fit_width(width: float, needed: float) -> float:
    """The chart's width, widened (up to 18 inches) so that long names leave room."""
    return min(max(width, needed), _MAX_WIDTH)


def _foot() -> float:
    """Room under a panel: ticks, their numbers, the axis label."""
    line = block_height(1, _SIZE)
    return _TICK + line + _LABEL_PAD + line + _PAD


def _title_room(title: str) -> float:
    return _PAD + (block_height(1, _TITLE_SIZE) + _TITLE_PAD if title else 0.0)


def _title(chart: Chart, title: str, centre: float) -> None:
    if title:
        chart.shapes.append(Text(centre, _PAD + block_height(1, _TITLE_SIZE) / 2, (title,),
                                 _TITLE_SIZE, "middle", kind="title"))
