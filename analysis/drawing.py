"""A small chart engine: one layout in pixels, written as SVG or drawn as PNG.

A :class:`Chart` is a list of shapes (rectangles, lines, dots, hatched areas, a colour
gradient) and texts placed in pixels at 150 dpi. The layout is computed once, from the widths
of the texts measured with the font the PNG is drawn with (DejaVu Sans, the TrueType font
that matplotlib ships – located on disk, matplotlib itself is not imported), and both formats
are written from it: SVG by hand, with the texts as real ``<text>`` elements (searchable,
read by screen readers, sharp in print) and a ``<title>``/``<desc>``; PNG with Pillow.
Drawing through matplotlib's artists cost 1–1.5 s of CPU for the three charts of a report,
mostly in building objects; this needs a few milliseconds per chart plus PNG encoding.

Right-to-left texts (Arabic, Persian item names from the dashboard): the SVG marks them
``direction="rtl"`` so that the viewer's text engine orders and shapes them. The PNG shapes
and orders them with libraqm when Pillow finds it (its wheels bundle it; it needs the FriBiDi
library of the system), otherwise it draws the characters in their logical order, unshaped,
left to right – as matplotlib did.
"""

from __future__ import annotations

import importlib.util
import io
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
from PIL import Image, ImageDraw, ImageFont, features

DPI = 150
PT = DPI / 72  # pixels per point
INCH = float(DPI)
LINE_SPACING = 1.2  # of the font size, as matplotlib's default
FONT_FAMILY = "DejaVu Sans, Bitstream Vera Sans, Verdana, sans-serif"
_RAQM = features.check("raqm")


@dataclass(frozen=True)
class Rect:
    x0: float
    y0: float
    x1: float
    y1: float
    fill: str | None = None
    stroke: str | None = None
    stroke_width: float = 0.0


@dataclass(frozen=True)
class Line:
    x0: float
    y0: float
    x1: float
    y1: float
    colour: str
    width: float


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    radius: float
    colour: str


@dataclass(frozen=True)
class Hatch:
    """A white area crossed by thin diagonal lines ("///"), for withheld values."""

    x0: float
    y0: float
    x1: float
    y1: float
    colour: str


@dataclass(frozen=True)
class Gradient:
    """A vertical colour scale: ``stops`` from the bottom (0) to the top (1)."""

    x0: float
    y0: float
    x1: float
    y1: float
    stops: tuple[str, ...]


@dataclass(frozen=True)
class Text:
    """Lines of text whose block is centred vertically on ``y``; ``anchor`` says whether
    ``x`` is the start, middle or end of every line. ``rotated`` turns the block a quarter
    to read from bottom to top, centred on (x, y). ``kind`` names the text's part of the
    chart (title, name, column, …) for tests and the description."""

    x: float
    y: float
    lines: tuple[str, ...]
    size: float  # points
    anchor: str = "start"
    colour: str = "#000000"
    italic: bool = False
    rotated: bool = False
    background: str | None = None
    kind: str = ""

    @property
    def text(self) -> str:
        return " ".join(self.lines)

    def box(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the block in pixels."""
        width = max(text_width(line, self.size, self.italic) for line in self.lines)
        height = block_height(len(self.lines), self.size)
        if self.rotated:
            width, height = height, width
            return (self.x - width / 2, self.y - height / 2, self.x + width / 2,
                    self.y + height / 2)
        x0 = {"start": self.x, "middle": self.x - width / 2, "end": self.x - width}[self.anchor]
        return x0, self.y - height / 2, x0 + width, self.y + height / 2


Shape = Rect | Line | Dot | Hatch | Gradient | Text


@dataclass
class Chart:
    """A chart's layout: its size in pixels, its shapes in drawing order, its title and
    description for assistive technology."""

    width: int
    height: int
    title: str
    description: str
    shapes: list[Shape] = field(default_factory=list)

    @property
    def texts(self) -> list[Text]:
        return [s for s in self.shapes if isinstance(s, Text)]


# ---------------------------------------------------------------------------------- fonts

def _font_file(italic: bool) -> Path | None:
    """matplotlib's copy of DejaVu Sans (found without importing matplotlib), else the
    system's (Debian's fonts-dejavu-core)."""
    name = "DejaVuSans-Oblique.ttf" if italic else "DejaVuSans.ttf"
    places = [Path("/usr/share/fonts/truetype/dejavu")]
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.submodule_search_locations:
        places.insert(0, Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts"
                      / "ttf")
    return next((p / name for p in places if (p / name).is_file()), None)


@cache
def font(size: float, italic: bool = False, rtl: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu Sans at ``size`` points (in pixels at 150 dpi). Left-to-right texts use
    Pillow's basic layout (faster); right-to-left ones libraqm when available."""
    path = _font_file(italic)
    if path is None:  # matplotlib's font missing: Pillow's own (Latin only)
        return ImageFont.load_default(size * PT)  # type: ignore[return-value]
    engine = ImageFont.Layout.RAQM if rtl and _RAQM else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(path), size * PT, layout_engine=engine)


def is_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


@cache
def text_width(text: str, size: float, italic: bool = False) -> float:
    """Width in pixels of one line drawn at ``size`` points."""
    rtl = is_rtl(text)
    kwargs = {"direction": "rtl"} if rtl and _RAQM else {}
    return font(size, italic, rtl).getlength(text, **kwargs)


def block_height(lines: int, size: float) -> float:
    return lines * size * PT * LINE_SPACING


def wrap(text: str, size: float, width: float) -> tuple[str, ...]:
    """``text`` broken between words into as few lines at most ``width`` pixels wide as
    it takes, of about equal length (a single word longer than that keeps its own line, as
    textwrap does with break_long_words off)."""
    lines = _wrap_greedy(text, size, width)
    if len(lines) > 1:
        # Narrower lines that still need no more of them: no lone last word.
        total = text_width(text, size)
        for share in (1.0, 1.1, 1.2, 1.35):
            even = _wrap_greedy(text, size, min(width, total / len(lines) * share))
            if len(even) == len(lines):
                return even
    return lines


def _wrap_greedy(text: str, size: float, width: float) -> tuple[str, ...]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return (*lines, current) if current or not lines else tuple(lines)


def _baseline(text: Text, index: int) -> float:
    """Baseline of line ``index`` of an unrotated block: lines of LINE_SPACING × size,
    the glyphs' ascent and descent centred in each."""
    step = text.size * PT * LINE_SPACING
    top = text.y - step * len(text.lines) / 2
    ascent, descent = font(text.size, text.italic).getmetrics()
    return top + step * (index + 0.5) + (ascent - descent) / 2


# ------------------------------------------------------------------------------------ SVG

def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def to_svg(chart: Chart) -> bytes:
    """The chart as an SVG document: the same layout, 150 px to the inch, sized in points
    as matplotlib's SVGs were (an 8-inch chart is 576 pt wide)."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="chart-title chart-desc" width="{_n(chart.width / PT)}pt" '
        f'height="{_n(chart.height / PT)}pt" viewBox="0 0 {chart.width} {chart.height}" '
        f'font-family={quoteattr(FONT_FAMILY)}>\n'
        f'<title id="chart-title">{escape(chart.title)}</title>\n'
        f'<desc id="chart-desc">{escape(chart.description)}</desc>\n'
    ]
    defs = []
    if any(isinstance(s, Hatch) for s in chart.shapes):
        colour = next(s.colour for s in chart.shapes if isinstance(s, Hatch))
        step, end = _HATCH_STEP, _HATCH_STEP + 4
        # Lines x + y = k·step, the corners included, as the PNG's.
        defs.append(f'<pattern id="hatch" patternUnits="userSpaceOnUse" width="{step}" '
                    f'height="{step}"><rect width="{step}" height="{step}" fill="#ffffff"/>'
                    f'<path d="M-4,4 L4,-4 M0,{step} L{step},0 M{step - 4},{end} L{end},{step - 4}"'
                    f' stroke="{colour}" stroke-width="2"/></pattern>')
    gradients = [s for s in chart.shapes if isinstance(s, Gradient)]
    for i, g in enumerate(gradients):
        stops = "".join(f'<stop offset="{_n(k / (len(g.stops) - 1))}" stop-color="{c}"/>'
                        for k, c in enumerate(g.stops))
        defs.append(f'<linearGradient id="scale{i}" x1="0" y1="1" x2="0" y2="0">{stops}'
                    "</linearGradient>")
    if defs:
        out.append("<defs>" + "".join(defs) + "</defs>\n")
    out.append(f'<rect width="{chart.width}" height="{chart.height}" fill="#ffffff"/>\n')
    for shape in chart.shapes:
        out.append(_svg_shape(shape, gradients))
    out.append("</svg>\n")
    return "".join(out).encode("utf-8")


def _svg_shape(shape: Shape, gradients: list[Gradient]) -> str:
    if isinstance(shape, Text):
        return _svg_text(shape)
    if isinstance(shape, Rect):
        stroke = (f' stroke="{shape.stroke}" stroke-width="{_n(shape.stroke_width)}"'
                  if shape.stroke else "")
        return (f'<rect x="{_n(shape.x0)}" y="{_n(shape.y0)}" width="{_n(shape.x1 - shape.x0)}"'
                f' height="{_n(shape.y1 - shape.y0)}" fill="{shape.fill or "none"}"{stroke}/>\n')
    if isinstance(shape, Line):
        return (f'<line x1="{_n(shape.x0)}" y1="{_n(shape.y0)}" x2="{_n(shape.x1)}" '
                f'y2="{_n(shape.y1)}" stroke="{shape.colour}" '
                f'stroke-width="{_n(shape.width)}"/>\n')
    if isinstance(shape, Dot):
        return (f'<circle cx="{_n(shape.x)}" cy="{_n(shape.y)}" r="{_n(shape.radius)}" '
                f'fill="{shape.colour}"/>\n')
    fill = "url(#hatch)" if isinstance(shape, Hatch) else f"url(#scale{gradients.index(shape)})"
    return (f'<rect x="{_n(shape.x0)}" y="{_n(shape.y0)}" width="{_n(shape.x1 - shape.x0)}" '
            f'height="{_n(shape.y1 - shape.y0)}" fill="{fill}"/>\n')


def _svg_text(text: Text) -> str:
    parts = []
    if text.background:
        x0, y0, x1, y1 = text.box()
        parts.append(f'<rect x="{_n(x0 - _BOX_PAD)}" y="{_n(y0)}" '
                     f'width="{_n(x1 - x0 + 2 * _BOX_PAD)}" height="{_n(y1 - y0)}" '
                     f'fill="{text.background}"/>')
    rtl = is_rtl(text.text)
    anchor = text.anchor
    if rtl:  # under direction="rtl" a line's start is its right end
        anchor = {"start": "end", "end": "start"}.get(anchor, anchor)
    attributes = [f'font-size="{_n(text.size * PT)}"', f'fill="{text.colour}"']
    if anchor != "start":
        attributes.append(f'text-anchor="{anchor}"')
    if text.italic:
        attributes.append('font-style="italic"')
    if rtl:
        attributes.append('direction="rtl" unicode-bidi="embed"')
    if text.rotated:
        # Laid out unrotated around (0, 0), then turned and moved to (x, y).
        attributes.append(f'transform="translate({_n(text.x)} {_n(text.y)}) rotate(-90)"')
        flat = Text(0, 0, text.lines, text.size, text.anchor, italic=text.italic)
        xs, baselines = 0.0, [_baseline(flat, i) for i in range(len(text.lines))]
    else:
        xs, baselines = text.x, [_baseline(text, i) for i in range(len(text.lines))]
    spans = "".join(f'<tspan x="{_n(xs)}" y="{_n(b)}">{escape(line)}</tspan>'
                    for line, b in zip(text.lines, baselines, strict=True))
    parts.append(f'<text {" ".join(attributes)}>{spans}</text>')
    return "".join(parts) + "\n"


# ------------------------------------------------------------------------------------ PNG

_HATCH_STEP = 16
_BOX_PAD = 2.0
_SUPERSAMPLE = 4  # dots and hatching are drawn 4× larger and scaled down: smooth edges


def to_png(chart: Chart) -> bytes:
    """The chart as PNG (150 dpi, zlib level 1: files somewhat larger, encoded in half the
    time of the default level), identical between runs."""
    image = Image.new("RGB", (chart.width, chart.height), "#ffffff")
    draw = ImageDraw.Draw(image)
    for shape in chart.shapes:
        if isinstance(shape, Text):
            _png_text(image, draw, shape)
        elif isinstance(shape, Rect):
            box = _pixels(shape.x0, shape.y0, shape.x1, shape.y1)
            width = max(1, round(shape.stroke_width)) if shape.stroke else 0
            draw.rectangle(box, fill=shape.fill, outline=shape.stroke, width=width)
        elif isinstance(shape, Line):
            draw.line([(shape.x0, shape.y0), (shape.x1, shape.y1)], fill=shape.colour,
                      width=max(1, round(shape.width)))
        elif isinstance(shape, Dot):
            mask = _dot_mask(round(shape.radius * 2))
            image.paste(shape.colour, (round(shape.x - mask.width / 2),
                                       round(shape.y - mask.height / 2)), mask)
        elif isinstance(shape, Hatch):
            x0, y0, x1, y1 = _pixels(shape.x0, shape.y0, shape.x1, shape.y1)
            draw.rectangle((x0, y0, x1, y1), fill="#ffffff")
            image.paste(shape.colour, (x0, y0), _hatch_mask(x1 - x0 + 1, y1 - y0 + 1))
        else:
            x0, y0, x1, y1 = _pixels(shape.x0, shape.y0, shape.x1, shape.y1)
            image.paste(_gradient(shape.stops, x1 - x0 + 1, y1 - y0 + 1), (x0, y0))
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1, dpi=(DPI, DPI))
    return buffer.getvalue()


def _pixels(x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
    """Pillow's rectangles include their last pixel."""
    return round(x0), round(y0), max(round(x0), round(x1) - 1), max(round(y0), round(y1) - 1)


@cache
def _dot_mask(diameter: int) -> Image.Image:
    big = Image.new("L", (diameter * _SUPERSAMPLE, diameter * _SUPERSAMPLE), 0)
    ImageDraw.Draw(big).ellipse((0, 0, big.width - 1, big.height - 1), fill=255)
    return big.reduce(_SUPERSAMPLE)


@cache
def _hatch_mask(width: int, height: int) -> Image.Image:
    s, step = _SUPERSAMPLE, _HATCH_STEP
    big = Image.new("L", (width * s, height * s), 0)
    draw = ImageDraw.Draw(big)
    # Lines x + y = k·step (bottom left to top right), as the SVG pattern.
    for k in range(0, (width + height) // step + 2):
        c = k * step * s
        draw.line([(c, 0), (c - height * s, height * s)], fill=255, width=2 * s)
    return big.reduce(s)


def _gradient(stops: tuple[str, ...], width: int, height: int) -> Image.Image:
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in stops], dtype=float)
    at = np.linspace(1, 0, height) * (len(stops) - 1)  # the top row is the last stop
    column = np.stack([np.interp(at, np.arange(len(stops)), rgb[:, k]) for k in range(3)],
                      axis=1)
    pixels = np.repeat(np.rint(column).astype(np.uint8)[:, None, :], width, axis=1)
    return Image.fromarray(pixels, "RGB")


def _png_text(image: Image.Image, draw: ImageDraw.ImageDraw, text: Text) -> None:
    if text.background:
        x0, y0, x1, y1 = text.box()
        draw.rectangle(_pixels(x0 - _BOX_PAD, y0, x1 + _BOX_PAD, y1), fill=text.background)
    if text.rotated:
        # Drawn flat on its own layer, turned a quarter and laid on the chart.
        width = max(text_width(line, text.size, text.italic) for line in text.lines)
        height = block_height(len(text.lines), text.size)
        layer = Image.new("L", (round(width) + 2, round(height) + 2), 0)
        flat = Text(layer.width / 2, layer.height / 2, text.lines, text.size, "middle",
                    italic=text.italic)
        _draw_lines(ImageDraw.Draw(layer), flat, 255)
        mask = layer.transpose(Image.Transpose.ROTATE_90)
        image.paste(text.colour, (round(text.x - mask.width / 2),
                                  round(text.y - mask.height / 2)), mask)
        return
    _draw_lines(draw, text, text.colour)


def _draw_lines(draw: ImageDraw.ImageDraw, text: Text, fill: str | int) -> None:
    anchor = {"start": "ls", "middle": "ms", "end": "rs"}[text.anchor]
    for i, line in enumerate(text.lines):
        rtl = is_rtl(line)
        kwargs = {"direction": "rtl"} if rtl and _RAQM else {}
        draw.text((text.x, _baseline(text, i)), line, fill=fill,
                  font=font(text.size, text.italic, rtl), anchor=anchor, **kwargs)
