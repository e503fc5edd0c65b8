"""The place question on the resident's page without any script, paper entry, the raw marks
in the staff export, and map tiles through the app's own origin."""

from __future__ import annotations

import http.server
import re
import threading

import pytest
from sqlalchemy import select

from dialog.extensions import db
from dialog.models import Response
from dialog.places import aggregates
from dialog.places import service as places_service
from dialog.services import catalog
from surveys import load_builtin_template
from tests.dialog.helpers import begin, seed, sign_in, walk

QUESTION = "otrygg_plats"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def _place_page(survey) -> int:
    return next(i for i, page in enumerate(survey.pages)
                if any(q.id == QUESTION for q in page.questions)) + 1


def _open_place_page(client, csrf, survey, lang="sv"):
    number = _place_page(survey)
    if number > 1:
        walk(client, csrf, survey, lang=lang, stop_after=number - 1)
    else:
        begin(client, csrf, lang)
    page = client.get(f"/{lang}/s/trygghet/p/{number}")
    assert page.status_code == 200
    return number, page


def _stored_answers(app) -> dict:
    with app.app_context():
        return db.session.scalars(select(Response.answers).order_by(Response.id.desc())).first()


def test_the_list_and_text_answer_the_question_without_any_script(app, client, csrf, survey):
    number, page = _open_place_page(client, csrf, survey)
    html = page.text
    assert '<label for="otrygg_plats.1.place">Välj en plats i listan</label>' in html
    assert '<option value="resecentrum">Resecentrum</option>' in html
    assert ('<label for="otrygg_plats.1.text">Eller skriv en gata eller en känd plats</label>'
            in html)
    assert html.count('<details class="mark"') == 3
    # The first mark is open, the others fold away until they hold something.
    assert re.search(r'<details class="mark" id="mark-otrygg_plats.1"[^>]* open>', html)
    assert not re.search(r'<details class="mark" id="mark-otrygg_plats.2"[^>]* open>', html)
    assert 'name="otrygg_plats.2.varfor" value="belysning"' in html
    resp = client.post(f"/sv/s/trygghet/p/{number}", data={
        "csrf_token": csrf(html), "action": "next",
        "otrygg_plats.1.place": "stadsparken", "otrygg_plats.1.varfor": ["belysning", "annat"],
        "otrygg_plats.1.nar": "kvall",
        "otrygg_plats.2.text": "Gångtunneln vid Hamngatan", "otrygg_plats.2.mer": "Mörkt.",
    })
    assert resp.status_code == 302, resp.text[-1500:]
    assert _stored_answers(app)[QUESTION] == [
        {"place": "stadsparken", "lat": None, "lon": None, "text": None,
         "varfor": ["belysning", "annat"], "nar": ["kvall"]},
        {"place": None, "lat": None, "lon": None, "text": "Gångtunneln vid Hamngatan",
         "mer": "Mörkt."},
    ]
    again = client.get(f"/sv/s/trygghet/p/{number}").text
    assert '<option value="stadsparken" selected>Stadsparken</option>' in again
    assert 'value="Gångtunneln vid Hamngatan"' in again
    assert re.search(r'<details class="mark" id="mark-otrygg_plats.2"[^>]* open>', again)


def test_answers_about_a_place_without_the_place_are_asked_again(client, csrf, survey):
    number, page = _open_place_page(client, csrf, survey, lang="ar")
    resp = client.post(f"/ar/s/trygghet/p/{number}", data={
        "csrf_token": csrf(page.text), "action": "next", "otrygg_plats.2.nar": "natt"})
    assert resp.status_code == 422
    assert 'href="#q-otrygg_plats.2.place"' in resp.text
    assert "المكان 2" in resp.text
    assert "اختر مكانًا من القائمة، أو اكتب اسم شارع أو معلم" in resp.text
    # The mark with the problem is open, its select tied to the message.
    assert re.search(r'<details class="mark" id="mark-otrygg_plats.2"[^>]* open>', resp.text)
    assert 'aria-describedby="err-otrygg_plats.2.place"' in resp.text


def test_a_point_outside_the_area_or_an_extra_mark_is_refused(client, csrf, survey):
    number, page = _open_place_page(client, csrf, survey)
    token = csrf(page.text)
    resp = client.post(f"/sv/s/trygghet/p/{number}", data={
        "csrf_token": token, "action": "next",
        "otrygg_plats.1.lat": "59.3293", "otrygg_plats.1.lon": "18.0686"})
    assert resp.status_code == 422
    assert "utanför området för den här enkäten" in resp.text
    resp = client.post(f"/sv/s/trygghet/p/{number}", data={
        "csrf_token": token, "action": "next", "otrygg_plats.4.place": "resecentrum"})
    assert resp.status_code == 400


def test_paper_entry_takes_the_place_from_the_list(app, staff, csrf):
    page = staff.get("/staff/surveys/trygghet/paper")
    assert '<select name="otrygg_plats.1.place" id="otrygg_plats.1.place"' in page.text
    resp = staff.post("/staff/surveys/trygghet/paper", data={
        "csrf_token": csrf(page.text), "paper_language": "sv",
        "otrygg_plats.1.place": "resecentrum", "otrygg_plats.1.nar": "natt"})
    assert resp.status_code == 302, resp.text[-1500:]
    assert _stored_answers(app)[QUESTION] == [
        {"place": "resecentrum", "lat": None, "lon": None, "text": None, "nar": ["natt"]}]


def test_raw_marks_are_in_the_staff_export_only(app, staff, csrf, client):
    page = staff.get("/staff/surveys/trygghet/paper")
    staff.post("/staff/surveys/trygghet/paper", data={
        "csrf_token": csrf(page.text), "paper_language": "sv",
        "otrygg_plats.1.place": "kopmangatan", "otrygg_plats.1.varfor": "trafik"})
    export = staff.get("/staff/surveys/trygghet/export?format=csv")
    assert export.status_code == 200
    assert '[{""place"":""kopmangatan"",""lat"":null' in export.get_data(as_text=True)
    anonymous = app.test_client()
    assert anonymous.get("/staff/surveys/trygghet/export?format=csv").status_code in (302, 401,
                                                                                       403)


# -- map tiles ---------------------------------------------------------------------------------


class _TileHandler(http.server.BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        type(self).seen.append(dict(self.headers))
        if self.path == "/tiles/15/17940/8745.png":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG)
        elif self.path.startswith("/broken/"):
            self.send_response(500)
            self.end_headers()
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def tile_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _TileHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _empty_tile_cache():
    places_service._TILES.clear()


def test_tiles_come_through_the_app_without_the_residents_details(app, tile_server):
    app.config["MAP_TILE_URL"] = tile_server + "/tiles/{z}/{x}/{y}.png"
    client = app.test_client()
    client.set_cookie("session", "secret-of-the-resident")
    resp = client.get("/map/tiles/15/17940/8745.png",
                      headers={"Accept-Language": "ar", "X-Forwarded-For": "10.1.2.3"})
    assert resp.status_code == 200
    assert resp.data == PNG and resp.mimetype == "image/png"
    assert "max-age=86400" in resp.headers["Cache-Control"]
    asked = _TileHandler.seen[-1]
    assert asked["User-Agent"] == "Medborgardialog tile proxy"
    assert not {"Cookie", "Accept-Language", "X-Forwarded-For"} & set(asked)
    # Kept in memory: the source is asked once.
    count = len(_TileHandler.seen)
    assert client.get("/map/tiles/15/17940/8745.png").data == PNG
    assert len(_TileHandler.seen) == count
    assert client.get("/map/tiles/15/17940/8746.png").status_code == 404
    assert client.get("/map/tiles/3/8/0.png").status_code == 404  # outside the world
    assert client.get("/map/tiles/19/0/0.png").status_code == 404  # above MAP_MAX_ZOOM
    app.config["MAP_TILE_URL"] = tile_server + "/broken/{z}/{x}/{y}.png"
    assert client.get("/map/tiles/1/0/0.png").status_code == 502


def test_tiles_from_files_on_the_server_and_none_without_a_source(app, tmp_path):
    client = app.test_client()
    assert client.get("/map/tiles/1/0/0.png").status_code == 404
    (tmp_path / "1" / "0").mkdir(parents=True)
    (tmp_path / "1" / "0" / "1.png").write_bytes(PNG)
    app.config["MAP_TILE_URL"] = f"file://{tmp_path}/{{z}}/{{x}}/{{y}}.png"
    assert client.get("/map/tiles/1/0/1.png").data == PNG
    assert client.get("/map/tiles/1/1/1.png").status_code == 404


def test_the_page_says_where_tiles_come_from_only_when_there_is_a_source(app, client, csrf,
                                                                         survey):
    _number, page = _open_place_page(client, csrf, survey)
    assert 'data-tiles=""' in page.text
    app.config.update(MAP_TILE_URL="https://karta.kommunen.example/{z}/{x}/{y}.png",
                      MAP_ATTRIBUTION="© Kommunen")
    again = client.get(page.request.path).text
    assert 'data-tiles="/map/tiles/{z}/{x}/{y}.png"' in again
    assert "karta.kommunen.example" not in again
    assert 'data-attribution="© Kommunen"' in again


# -- aggregates --------------------------------------------------------------------------------


def test_geojson_has_squares_over_the_threshold_and_no_raw_point(app, client):
    seed(app, 400)
    sign_in(app, client, "councillor")
    resp = client.get("/dashboard/trygghet/places.geojson?size=250")
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
    collection = resp.get_json()
    features = collection["features"]
    assert features, "the demo's hot spots are shown"
    assert {f["geometry"]["type"] for f in features} == {"Polygon", "Point"}
    assert all(f["properties"]["count"] >= 10 for f in features)
    assert all(n >= 10 for f in features for n in f["properties"]["groups"].values())
    # Reasons and times of day: only counts of 10 or more, and never more than the place's.
    answers = [(f["properties"]["count"], a["count"]) for f in features
               for pairs in f["properties"]["answers"].values() for a in pairs]
    assert {"varfor", "nar"} <= {q for f in features for q in f["properties"]["answers"]}
    assert all(10 <= n <= count for count, n in answers)
    assert all(a["count"] >= 10 for f in features
               for by_group in f["properties"]["group_answers"].values()
               for pairs in by_group.values() for a in pairs)
    # A point is a named place where the definition puts it, never where anyone marked.
    survey = load_builtin_template("trygghet")
    question = next(q for q in survey.questions() if q.id == QUESTION)
    named = {p.code: [round(p.lon, 6), round(p.lat, 6)] for p in question.places}
    points = [f for f in features if f["geometry"]["type"] == "Point"]
    assert points, "the demo's most chosen named places are shown"
    assert all(f["geometry"]["coordinates"] == named[f["properties"]["place"]] for f in points)
    features = [f for f in features if f["geometry"]["type"] == "Polygon"]
    with app.app_context():
        marks = [m for answers in db.session.scalars(select(Response.answers))
                 for m in answers.get(QUESTION) or ()]
    raw = {(round(m["lon"], 5), round(m["lat"], 5)) for m in marks if m["lat"] is not None}
    assert raw, "the demo data have map points"
    corners = {(round(x, 5), round(y, 5)) for f in features
               for x, y in f["geometry"]["coordinates"][0]}
    assert not raw & corners
    # Each feature is a whole square of the grid: its corner is on the 250 m lines.
    assert all(n % 250 == 0 and e % 250 == 0
               for n, e in (f["properties"]["sweref99tm"] for f in features))
    assert client.get("/dashboard/trygghet/places.geojson?size=300").status_code == 400


def test_geojson_is_for_signed_in_councillors_and_staff_only(app):
    anonymous = app.test_client()
    resp = anonymous.get("/dashboard/trygghet/places.geojson")
    assert resp.status_code in (302, 401, 403)


def test_dashboard_places_page_lists_top_places_with_reasons_without_script(app, client):
    seed(app, 400)
    sign_in(app, client, "councillor")
    dashboard = client.get("/dashboard/trygghet/").text
    assert "/dashboard/trygghet/places/" in dashboard
    assert "place_results.js" not in dashboard and "leaflet" not in dashboard
    page = client.get("/dashboard/trygghet/places/?lang=sv")
    assert page.status_code == 200
    html = page.text
    assert "Resecentrum" in html and "Dålig belysning" in html and "På kvällen" in html
    # The table's counts are the aggregate's, every one at least the threshold.
    counts = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', html)]
    assert counts and min(counts) >= 10
    # The size choice is a plain form; the map's placeholder says the tables carry it all.
    assert 'name="size" value="250"' in html and 'value="1000" checked' in html
    assert "map-placeholder" in html
    with app.app_context():
        marks = [m for answers in db.session.scalars(select(Response.answers))
                 for m in answers.get(QUESTION) or ()]
    assert not [m for m in marks if m["lat"] is not None and f'{m["lat"]:.5f}' in html]
    smaller = client.get("/dashboard/trygghet/places/?size=250").text
    assert 'value="250" checked' in smaller
    assert client.get("/dashboard/trygghet/places/?size=12").status_code == 400


def test_counts_are_kept_until_an_answer_is_added(app):
    """The public löfte page counts on every visit: the counts are kept per round until its
    answers change, and a new answer is counted at once."""
    seed(app, 60)
    with app.app_context():
        record = catalog.find_survey("trygghet")
        survey = catalog.definition_of(record.current_version)
        first = aggregates.grid_counts(record, survey, 10)
        assert aggregates.grid_counts(record, survey, 10) is first
    seed(app, 1, seed=9)
    with app.app_context():
        record = catalog.find_survey("trygghet")
        again = aggregates.grid_counts(record, survey, 10)
    assert again is not first
