"""Charts return valid PNG and SVG bytes, with titles, labels and suppression marked."""

import dataclasses
import io
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from analysis import AnalysisError, charts, drawing, rank_items

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def ranked(responses, population, items):
    return rank_items(responses, population, items, group="age_band", min_n=40, n_boot=200)


def _svg_text(data: bytes) -> str:
    root = ET.fromstring(data)
    assert root.tag == f"{SVG_NS}svg"
    return " ".join(t for t in root.itertext())


@pytest.mark.parametrize("draw", [charts.heatmap, charts.dotplot, charts.small_multiples])
def test_png_and_svg_bytes(draw, ranked):
    png = draw(ranked, {"klotter": "Klotter och tags"}, "Trygghet 2026", fmt="png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    text = _svg_text(draw(ranked, {"klotter": "Klotter och tags"}, "Trygghet 2026",
                          fmt="svg"))
    assert "Trygghet 2026" in text
    assert "Klotter och tags" in text


def test_suppressed_cells_are_marked(ranked):
    heat = _svg_text(charts.heatmap(ranked, None, "t", fmt="svg"))
    withheld = ranked.table.loc[ranked.table["group"] != "all", "suppressed"].sum()
    assert heat.count("visas ej") == withheld > len(ranked.items)
    multi = _svg_text(charts.small_multiples(ranked, None, "t", fmt="svg",
                                             texts={"suppressed": "too few answers"}))
    assert "too few answers" in multi


def test_dotplot_shows_rank_intervals(ranked):
    text = _svg_text(charts.dotplot(ranked, None, "t", fmt="svg", texts={"rank": "rank"}))
    assert "rank 1" in text
    assert "–" in text


def test_svg_is_reproducible(ranked):
    assert charts.dotplot(ranked, None, "t", fmt="svg") == charts.dotplot(ranked, None, "t",
                                                                          fmt="svg")


def test_unknown_format_is_refused(ranked):
    with pytest.raises(AnalysisError, match="pdf"):
        charts.heatmap(ranked, None, "t", fmt="pdf")


def test_texts_stay_inside_the_figure(ranked):
    """The fixed layout leaves room for long names, titles and the colour bar's label."""
    long = {item: f"Nedskräpning och klotter vid {item} i parker och på gator"
            for item in ranked.items}
    figures = charts.figures(ranked, long, {"dotplot": "Rangordning, alla svar",
                                            "heatmap": "Andel per grupp",
                                            "small_multiples": "Per grupp"})
    assert set(figures) == {"dotplot", "heatmap", "small_multiples"}
    for name, chart in figures.items():
        texts = [t for t in chart.texts if t.text]
        assert any(t.text == long[ranked.items[0]] or
                   t.text.startswith(long[ranked.items[0]]) for t in texts), name
        for t in texts:
            x0, y0, x1, y1 = t.box()
            assert (x0 >= -0.5 and x1 <= chart.width + 0.5
                    and y0 >= -0.5 and y1 <= chart.height + 0.5), (name, t.text)


def test_long_group_names_under_the_heat_map_do_not_overlap(ranked):
    """Swedish age groups side by side ("65–79 år", "80 år eller äldre") once ran together."""
    names = {group: f"{group} år eller äldre" for group in ranked.groups}
    chart = charts.figures(ranked, None, {"dotplot": "", "heatmap": "Andel",
                                          "small_multiples": ""}, group_labels=names)["heatmap"]
    ticks = [t for t in chart.texts if t.kind == "column"]
    assert len(ticks) == len(ranked.groups) + 1
    assert any(len(t.lines) > 1 for t in ticks)
    boxes = sorted((t.box() for t in ticks), key=lambda b: b[0])
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert left[2] <= right[0], (left, right)


LABELS = {"klotter": "Klotter och tags", "belysning": "Dålig belysning <på> gator & torg"}


@pytest.mark.parametrize("name", ["dotplot", "heatmap", "small_multiples"])
def test_svg_names_every_item_and_describes_itself(name, ranked):
    chart = charts.figures(ranked, LABELS, {"dotplot": "Rang", "heatmap": "Andel",
                                            "small_multiples": "Grupper"})[name]
    root = ET.fromstring(charts.render(chart, "svg"))
    assert root.get("role") == "img"
    assert root.find(f"{SVG_NS}title").text == chart.title
    assert root.find(f"{SVG_NS}desc").text
    texts = [" ".join(e.itertext()) for e in root.iter(f"{SVG_NS}text")]
    for item in ranked.items:
        label = LABELS.get(item, item)
        assert any(t == label or t.startswith(label + " (") for t in texts), (name, label)


def test_png_has_the_layouts_size(ranked):
    for name, chart in charts.figures(ranked, None, {"dotplot": "a", "heatmap": "b",
                                                     "small_multiples": "c"}).items():
        image = Image.open(io.BytesIO(charts.render(chart, "png")))
        image.load()
        assert image.format == "PNG" and image.mode == "RGB", name
        assert image.size == (chart.width, chart.height) > (600, 400), name
        assert round(image.info["dpi"][0]) == 150, name
        # Not blank: the cells, dots and texts are drawn.
        assert len(image.getcolors(maxcolors=1 << 16) or range(1 << 16)) > 50, name


def test_suppressed_heat_map_cells_are_hatched_and_labelled(ranked):
    chart = charts.figures(ranked, None, {"dotplot": "", "heatmap": "t",
                                          "small_multiples": ""})["heatmap"]
    hatches = [s for s in chart.shapes if isinstance(s, drawing.Hatch)]
    labels = [t for t in chart.texts if t.kind == "suppressed"]
    withheld = ranked.table["suppressed"].sum()
    assert len(hatches) == len(labels) == withheld > 0
    for t in labels:  # every label sits in a hatched cell
        assert any(h.x0 < t.x < h.x1 and h.y0 < t.y < h.y1 for h in hatches)
    svg = charts.render(chart, "svg").decode()
    assert svg.count('fill="url(#hatch)"') == withheld


def test_heat_map_numbers_are_readable_on_their_cells(ranked):
    """White on dark cells, black on light ones: at least 4:1 contrast (WCAG's formula)."""
    chart = charts.figures(ranked, None, {"dotplot": "", "heatmap": "t",
                                          "small_multiples": ""})["heatmap"]
    cells = [s for s in chart.shapes if isinstance(s, drawing.Rect) and s.fill]
    numbers = [t for t in chart.texts if t.kind == "cell"]
    assert len(numbers) == (~ranked.table["suppressed"]).sum()
    colours = set()
    for t in numbers:
        cell = next(c for c in cells if c.x0 < t.x < c.x1 and c.y0 < t.y < c.y1)
        light, dark = sorted((_luminance(t.colour), _luminance(cell.fill)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.0, (t.text, t.colour, cell.fill)
        colours.add(t.colour)
    assert colours == {"#ffffff", "#000000"}


def _luminance(colour: str) -> float:
    def linear(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_right_to_left_names_round_trip_in_the_svg(ranked):
    arabic, persian = "مشكلة النظافة في الحدائق", "روشنایی ضعیف خیابان"
    labels = {ranked.items[0]: arabic, ranked.items[1]: persian}
    for draw in (charts.heatmap, charts.dotplot, charts.small_multiples):
        root = ET.fromstring(draw(ranked, labels, "عنوان", fmt="svg"))
        marked = {" ".join(e.itertext()).split(" (")[0]: e for e in root.iter(f"{SVG_NS}text")
                  if e.get("direction") == "rtl"}
        assert arabic in marked and persian in marked, draw
        assert marked[arabic].get("unicode-bidi") == "embed"
        assert "Nedskräpning" not in marked  # left-to-right texts stay unmarked
        png = draw(ranked, labels, "عنوان", fmt="png")
        assert Image.open(io.BytesIO(png)).size[0] > 600


def test_items_are_ordered_by_share_and_rows_a_group_lacks_are_withheld(ranked):
    """The charts read the result's columns: items largest share first, and an item that
    has no row in a group comes last in that group's dot plot and is hatched in the heat
    map, as a withheld figure."""
    titles = dict.fromkeys(("dotplot", "heatmap", "small_multiples"), "t")
    overall = ranked.table.loc[ranked.table["group"] == "all"]
    by_share = list(overall.sort_values("share", ascending=False, kind="stable")["item"])
    names = [t.text for t in charts.figures(ranked, None, titles)["dotplot"].texts
             if t.kind == "name"]
    assert [n.split(" (")[0] for n in names] == by_share
    group, item = "25-44", by_share[0]
    rows = ranked.rows
    holed = dataclasses.replace(ranked, rows=rows.take(
        ~((rows["group"] == group) & (rows["item"] == item))))
    heat = charts.figures(holed, None, titles)["heatmap"]
    hatches = [s for s in heat.shapes if isinstance(s, drawing.Hatch)]
    assert len(hatches) == ranked.table["suppressed"].sum() + 1
    dots = charts.figures(holed, None, titles)["dotplot"]  # the overall plot is unchanged
    assert [t.text for t in dots.texts if t.kind == "name"] == names
    root = ET.fromstring(charts.dotplot(holed, None, "t", group=group, fmt="svg"))
    texts = [" ".join(e.itertext()) for e in root.iter(f"{SVG_NS}text")]
    assert texts.count("visas ej") == 1
    assert [t for t in texts if t.split(" (")[0] in ranked.items][-1] == item
    assert root.find(f"{SVG_NS}desc").text.endswith(f"; {item}: visas ej")
    with pytest.raises(AnalysisError, match="nobody"):
        charts.dotplot(ranked, None, "t", group="nobody")


def test_charts_draw_without_matplotlib():
    """The charts are drawn by our own engine: a process that renders all three never
    imports matplotlib (≈0.3 s of start-up and the cost of its artists)."""
    code = (
        "import sys\n"
        "import pandas as pd\n"
        "from analysis import charts, rank_items\n"
        "ref = '../shared/fixtures/survey-reference/'\n"
        "r = pd.read_csv(ref + 'public_responses.csv')\n"
        "p = pd.read_csv(ref + 'public_population.csv')\n"
        "items = [c for c in r.columns if c not in ('age_band', 'gender')]\n"
        "res = rank_items(r, p, items, group='age_band', min_n=40, n_boot=200)\n"
        "for chart in charts.figures(res, None, dict.fromkeys(\n"
        "        ('dotplot', 'heatmap', 'small_multiples'), 't')).values():\n"
        "    assert charts.render(chart, 'png') and charts.render(chart, 'svg')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))\n"
    )
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
