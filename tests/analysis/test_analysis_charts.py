"""Charts return valid PNG and SVG bytes, with titles, labels and suppression marked."""

import xml.etree.ElementTree as ET

import pytest
from matplotlib.text import Text

from analysis import AnalysisError, charts, rank_items

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
    for name, fig in figures.items():
        fig.canvas.draw()  # at the figure's own dpi, as the boxes below are measured
        renderer = fig.canvas.get_renderer()
        page = fig.bbox
        texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text()]
        assert any(t.get_text() == long[ranked.items[0]] or
                   t.get_text().startswith(long[ranked.items[0]]) for t in texts), name
        for t in texts:
            box = t.get_window_extent(renderer)
            assert (box.x0 >= page.x0 - 0.5 and box.x1 <= page.x1 + 0.5
                    and box.y0 >= page.y0 - 0.5 and box.y1 <= page.y1 + 0.5), (name,
                                                                               t.get_text())


def test_long_group_names_under_the_heat_map_do_not_overlap(ranked):
    """Swedish age groups side by side ("65–79 år", "80 år eller äldre") once ran together."""
    names = {group: f"{group} år eller äldre" for group in ranked.groups}
    fig = charts.figures(ranked, None, {"dotplot": "", "heatmap": "Andel", "small_multiples": ""},
                         group_labels=names)["heatmap"]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ticks = [t for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert len(ticks) == len(ranked.groups) + 1
    assert any("\n" in t.get_text() for t in ticks)
    boxes = sorted((t.get_window_extent(renderer) for t in ticks), key=lambda b: b.x0)
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert left.x1 <= right.x0, (left, right)
