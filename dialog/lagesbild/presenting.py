"""A lägesbild's frozen figures as pages and figures.csv show them: one source for both, so
the open data is exactly what the page says (``service.public_rows`` applies the
small-number rule and leaves out the areas of sensitive series)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import chain

from flask_babel import format_decimal
from flask_babel import gettext as _

from analysis.indicators import CATEGORIES, FIGURES

from ..services.export import iter_csv, neutralise
from .messages import CATEGORY_LABELS
from .service import Cell, FigureRow, public_rows

CSV_COLUMNS = ("indicator", "label", "area", "period", *FIGURES, "unit", "source")
CHART_WIDTH, CHART_HEIGHT = 320, 90


def staff_text(text: Mapping[str, str], lang: str) -> tuple[str, str]:
    """A staff text in the page's language when staff wrote one (Swedish or English), else
    Swedish; with the language it is in, for the ``lang`` attribute."""
    if text.get(lang):
        return text[lang], lang
    return text.get("sv", ""), "sv"


def number(value: float) -> str:
    if float(value).is_integer():
        return format_decimal(int(value))
    return format_decimal(round(value, 1))


@dataclass(frozen=True)
class ShownCell:
    text: str
    state: str  # shown | small | protecting | missing


def _shown(cell: Cell, min_count: int) -> ShownCell:
    if cell.state == "shown":
        return ShownCell(number(cell.value), "shown")  # type: ignore[arg-type]
    if cell.state == "small":
        return ShownCell(_("fewer than %(n)s", n=min_count), "small")
    if cell.state == "protecting":
        return ShownCell(_("withheld"), "protecting")
    return ShownCell("–", "missing")


def _change(now: float | None, before: float | None) -> str:
    """How this figure compares with the one a year earlier, in words."""
    if now is None or before is None:
        return ""
    if before == 0:
        return _("no cases a year earlier") if now else _("unchanged")
    change = (now - before) / before
    if abs(change) < 0.05:
        return _("about the same as a year earlier")
    percent = format_decimal(round(abs(change) * 100))
    if change > 0:
        return _("%(percent)s %% higher than a year earlier", percent=percent)
    return _("%(percent)s %% lower than a year earlier", percent=percent)


@dataclass(frozen=True)
class AreaRow:
    area: str  # '' = the whole kommun
    cells: dict[str, ShownCell]


@dataclass(frozen=True)
class Chart:
    """A small line chart of the kommun's last 24 periods, with the same points as a table."""

    points: str  # the polyline's "x,y x,y …"
    dots: list[tuple[float, float]]
    low: str
    high: str
    first: str
    last: str
    table: list[tuple[str, str]]


@dataclass(frozen=True)
class IndicatorView:
    code: str
    label: str
    label_lang: str
    unit: str
    source: str
    period: str
    sensitive: bool
    areas_hidden: bool
    demo: bool
    rows: list[AreaRow]
    year_change: str
    rolling_change: str
    rise_is_bad: bool
    chart: Chart | None


def _chart(history: list[list]) -> Chart | None:
    known = [(p, v) for p, v in history if v is not None]
    if len(known) < 2:
        return None
    values = [v for _p, v in known]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = CHART_WIDTH / max(len(history) - 1, 1)
    dots = [(round(i * step, 1), round(CHART_HEIGHT - 8 - (v - low) / span * (CHART_HEIGHT - 16),
                                       1))
            for i, (_p, v) in enumerate(history) if v is not None]
    return Chart(points=" ".join(f"{x},{y}" for x, y in dots), dots=dots,
                 low=number(low), high=number(high), first=history[0][0], last=history[-1][0],
                 table=[(p, number(v) if v is not None else "–") for p, v in history])


def _indicator(part: Mapping, rows: list[FigureRow], lang: str, min_count: int
               ) -> IndicatorView:
    label, label_lang = staff_text(part["label"], lang)
    kommun = part["kommun"] or {}
    return IndicatorView(
        code=part["code"], label=label, label_lang=label_lang, unit=part["unit"],
        source=part["source"], period=part["period"], sensitive=part["sensitive"],
        areas_hidden=part["sensitive"] and not part["show_areas"] and bool(part["areas"]),
        demo=part.get("demo", False),
        rows=[AreaRow(r.area, {f: _shown(r.cells[f], min_count) for f in FIGURES})
              for r in rows],
        year_change=_change(kommun.get("value"), kommun.get("value_year_before")),
        rolling_change=_change(kommun.get("rolling_12m"), kommun.get("rolling_12m_year_before")),
        rise_is_bad=part["rise_is_bad"],
        chart=_chart(part["history"]),
    )


@dataclass(frozen=True)
class FigureView:
    categories: list[tuple[str, list[IndicatorView]]]
    survey: dict | None
    commitments: list[dict]
    min_count: int
    any_demo: bool
    lang: str


def figure_view(figures: Mapping, lang: str, min_count: int) -> FigureView:
    """Everything computed that a page shows, in ``lang``."""
    rows = public_rows(figures, min_count)
    by_code: dict[str, list[FigureRow]] = {}
    for row in rows:
        by_code.setdefault(row.indicator, []).append(row)
    grouped: dict[str, list[IndicatorView]] = {}
    for part in figures.get("indicators", []):
        grouped.setdefault(part["category"], []).append(
            _indicator(part, by_code[part["code"]], lang, min_count))
    order = list(CATEGORIES)
    categories = [(str(CATEGORY_LABELS.get(code, code)), grouped[code])
                  for code in sorted(grouped, key=lambda c: order.index(c) if c in order else 99)]
    return FigureView(categories=categories, survey=figures.get("survey"),
                      commitments=figures.get("commitments", []), min_count=min_count,
                      any_demo=any(p.get("demo") for p in figures.get("indicators", [])),
                      lang=lang)


def _csv_value(cell: Cell, min_count: int) -> str:
    if cell.state == "small":
        return f"<{min_count}"
    if cell.state == "protecting":
        return ".."
    if cell.value is None:
        return ""
    return str(int(cell.value)) if float(cell.value).is_integer() else repr(cell.value)


def figures_csv(figures: Mapping, min_count: int) -> Iterator[str]:
    """figures.csv: one row per indicator and area (the kommun with an empty area), the
    Swedish label; ``<N`` for a count under the threshold, ``..`` for a figure withheld so
    that such a count cannot be worked out, empty where there is no figure. Texts staff or
    a file wrote are neutralised: a spreadsheet must not run them as formulas."""
    parts = {p["code"]: p for p in figures.get("indicators", [])}
    rows = ([row.indicator, neutralise(parts[row.indicator]["label"].get("sv", "")),
             neutralise(row.area), row.period,
             *(_csv_value(row.cells[f], min_count) for f in FIGURES),
             neutralise(parts[row.indicator]["unit"]),
             neutralise(parts[row.indicator]["source"])]
            for row in public_rows(figures, min_count))
    return iter_csv(chain([list(CSV_COLUMNS)], rows))
