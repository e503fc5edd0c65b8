"""A resident marks places on the map with the keyboard and by touch; the tiles come from a
local tile source through the app, and the browser asks no other origin."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import (
    COUNCILLOR_EMAIL,
    Seeded,
    Server,
    answer_like_a_person,
    assert_accessible,
    development_server,
    open_place_map,
    shot,
    sign_in,
)

pytestmark = pytest.mark.e2e

# A 1×1 grey PNG: the map needs an image, not a real town.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763686868000003040181a1f7c00000000049454e44ae426082")


class _Tiles(http.server.BaseHTTPRequestHandler):
    asked: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        type(self).asked.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def map_server(seeded: Seeded) -> Iterator[Server]:
    tiles = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)
    threading.Thread(target=tiles.serve_forever, daemon=True).start()
    source = f"http://127.0.0.1:{tiles.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    try:
        with development_server(seeded, "map-server", MAP_TILE_URL=source,
                                MAP_ATTRIBUTION="Testkarta") as running:
            yield running
    finally:
        tiles.shutdown()
        tiles.server_close()


def _marks(page) -> list[tuple[str, str]]:
    return page.eval_on_selector_all(
        "details.mark", """marks => marks.map(m => [
            m.querySelector('input[name$=".lat"]').value,
            m.querySelector('input[name$=".lon"]').value])""")


def test_resident_marks_places_by_keyboard_and_touch(map_server, new_page):
    page = new_page(800, 1000, has_touch=True)
    origins: set[str] = set()
    page.on("request", lambda request: origins.add(request.url.split("/")[2]))
    canvas = open_place_map(page, map_server)
    page.wait_for_function("document.querySelectorAll('.leaflet-tile-loaded').length > 0")
    assert _Tiles.asked, "the tiles come from the configured source, through the app"
    assert "Testkarta" in page.locator(".leaflet-control-attribution").inner_text()

    # Keyboard: the map has focus; the arrows move it under the cross, Enter marks.
    assert page.evaluate("document.activeElement.classList.contains('map-canvas')")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('input[name=\"otrygg_plats.1.lat\"]').value")
    # Touch: a tap marks the next free place; Ta bort empties it again.
    box = canvas.bounding_box()
    canvas.tap(position={"x": box["width"] * 0.7, "y": box["height"] * 0.3})
    page.wait_for_function("document.querySelector('input[name=\"otrygg_plats.2.lat\"]').value")
    first, second = _marks(page)[:2]
    assert first != second and all(first) and all(second)
    assert page.locator("[data-point-for='otrygg_plats.2']").inner_text().startswith(
        "Markerad på kartan")
    page.get_by_role("button", name="Ta bort: Plats 2").click()
    assert _marks(page)[1] == ["", ""]
    canvas.click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.6})
    page.wait_for_function("document.querySelector('input[name=\"otrygg_plats.2.lat\"]').value")
    page.locator("input[name='otrygg_plats.1.varfor'][value=belysning]").check()
    assert_accessible(page, "place question with the map")
    shot(page, "places-map")

    with page.expect_navigation():
        page.locator("#answers button[name=action][value=next]").click()
    assert "/p/" in page.url and page.locator(".error-summary").count() == 0
    stored = map_server.query("SELECT answers FROM response ORDER BY id DESC LIMIT 1")[0][0]
    marks = json.loads(stored)["otrygg_plats"]
    assert len(marks) == 2
    assert marks[0]["varfor"] == ["belysning"] and marks[0]["place"] is None
    assert all(61.0 < m["lat"] < 61.5 and 16.7 < m["lon"] < 17.4 for m in marks)
    # Leaflet, its styles and every tile came from the app itself.
    assert origins == {map_server.url.split("/")[2]}


def test_without_javascript_the_list_and_text_complete_the_question(map_server, new_page):
    """No script at all: the map never appears, the list and the text answer the question."""
    page = new_page(375, 667, axe=False, java_script_enabled=False)
    page.goto(f"{map_server.url}/sv/s/trygghet/")
    page.locator("main form button.primary").click()
    while not page.locator("select[name='otrygg_plats.1.place']").count():
        answer_like_a_person(page)
        page.locator("#answers button[name=action][value=next]").click()
    assert not page.locator(".place-map").is_visible()
    page.get_by_label("Välj en plats i listan").first.select_option(label="Köpmangatan")
    page.locator("summary", has_text="Plats 2").click()  # <details> opens without script
    page.locator("input[name='otrygg_plats.2.text']").fill("Gångtunneln vid stationen")
    page.locator("input[name='otrygg_plats.2.nar'][value=natt]").check()
    page.locator("#answers button[name=action][value=next]").click()
    assert page.locator(".error-summary").count() == 0
    stored = map_server.query("SELECT answers FROM response ORDER BY id DESC LIMIT 1")[0][0]
    assert json.loads(stored)["otrygg_plats"] == [
        {"place": "kopmangatan", "lat": None, "lon": None, "text": None},
        {"place": None, "lat": None, "lon": None, "text": "Gångtunneln vid stationen",
         "nar": ["natt"]}]


def test_councillor_finds_the_heat_map_and_the_table_on_a_phone(map_server, new_page):
    """From the dashboard's decision section to the places page on a 390 px phone: the heat
    map of the shown squares on tiles through the app, the tables beside it, the size choice,
    axe-clean, no sideways scrolling down to 320 px, and on paper no form."""
    page = new_page(390, 844)
    origins: set[str] = set()
    page.on("request", lambda request: origins.add(request.url.split("/")[2]))
    sign_in(page, map_server, COUNCILLOR_EMAIL, "sv")
    page.goto(f"{map_server.url}/dashboard/trygghet/?lang=sv")
    with page.expect_navigation():
        page.get_by_role("link", name="Platser där invånare känner sig otrygga: karta och "
                                      "tabeller").click()
    page.wait_for_function("document.querySelectorAll('.leaflet-tile-loaded').length > 0")
    squares = page.locator(".heat-map path.leaflet-interactive")
    assert squares.count() >= 2, "the shown squares and named places are drawn"
    assert page.locator(".map-placeholder").count() == 0
    table = page.get_by_role("table", name="Namngivna platser, flest invånare först")
    assert table.locator("tbody tr").count() >= 1
    assert_accessible(page, "places heat map 390 px")
    shot(page, "places-heat-map")
    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_label("250 m").check()
    with page.expect_navigation():
        page.locator(".square-size button").click()
    assert "size=250" in page.url
    assert page.get_by_role("table", name="Rutor på 250 m, flest invånare först").count() == 1
    page.emulate_media(media="print")
    assert not page.locator(".square-size").is_visible()
    assert table.is_visible()
    assert origins == {map_server.url.split("/")[2]}
