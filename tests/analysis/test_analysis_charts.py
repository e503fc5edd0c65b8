"""Charts return valid PNG and SVG bytes, with titles, labels and suppression marked."""

import xml.etree.ElementTree as ET

import pytest

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
