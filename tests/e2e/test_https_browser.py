"""The app as deployed, over https: once with gunicorn's own TLS, once behind a real nginx.

In each, a resident answers to the thank-you page, a resident uses the kiosk to the end and a
staff member signs in and downloads the export – with production settings (no development
mode, a real SECRET_KEY, Secure cookies), Chromium accepting the harness's self-signed
certificate. Before Referrer-Policy became same-origin, the first form post of each failed.
The map pages and a trygghetsvandring's photo upload run under the real Content-Security-Policy:
Leaflet comes from the app's (or nginx's) static files and a photo goes through nginx's body
limit.
"""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from tests.e2e.conftest import (
    COUNCILLOR_EMAIL,
    PASSWORD,
    STAFF_EMAIL,
    Server,
    answer_like_a_person,
    count_complete,
    export_csv,
    open_kiosk,
    open_place_map,
    shot,
    sign_in,
    walk_survey,
)

pytestmark = pytest.mark.e2e

DEPLOYMENTS = {"gunicorn-tls": "tls_server", "nginx": "nginx_server"}


@pytest.fixture(params=list(DEPLOYMENTS))
def deployed(request) -> Server:
    return request.getfixturevalue(DEPLOYMENTS[request.param])


@pytest.fixture
def label(request) -> str:
    return "https-" + request.node.callspec.params["deployed"]


def _kiosk_completed(server: Server) -> int:
    return server.query("SELECT count(*) FROM response r JOIN kiosk_response k "
                        "ON k.response_id = r.id WHERE r.status = 'complete'")[0][0]


def test_a_resident_answers_to_the_thank_you_page(deployed, new_page, label):
    page = new_page(375, 667, ignore_https_errors=True)
    before = count_complete(deployed, "trygghet", "sv")
    first = page.goto(f"{deployed.url}/sv/")
    assert deployed.url.startswith("https://")
    # The app itself sees https, through nginx too (TRUSTED_PROXIES=1).
    assert first.headers["strict-transport-security"].startswith("max-age=")
    assert first.headers["referrer-policy"] == "same-origin"
    walk_survey(page, deployed, "trygghet", "sv", f"{label}-resident")
    assert count_complete(deployed, "trygghet", "sv") == before + 1
    cookies = page.context.cookies()
    assert cookies and all(cookie["secure"] for cookie in cookies), cookies
    # Styles and fonts: from nginx's own alias behind nginx, from the app otherwise.
    for path, kind in (("style.css", "text/css"),
                       ("fonts/noto-sans-ethiopic-400.woff2", "font/woff2")):
        static = page.request.get(f"{deployed.url}/static/{path}")
        assert static.ok and static.headers["content-type"].startswith(kind), static.headers
        assert static.headers["x-content-type-options"] == "nosniff"


def test_the_kiosk_takes_an_answer_to_the_end(deployed, new_page, label):
    before = _kiosk_completed(deployed)
    page, violations = open_kiosk(new_page, deployed, "grannskap", ignore_https_errors=True)
    with page.expect_navigation():
        page.locator("button[value=sv]").click()
    while "/klart" not in page.url:
        answer_like_a_person(page)
        with page.expect_navigation():
            page.locator("#answers button[name=action][value=next]").click()
    shot(page, f"{label}-kiosk-thanks")
    assert _kiosk_completed(deployed) == before + 1
    assert violations == []


def test_staff_sign_in_and_download_the_export(deployed, new_page, label):
    page = new_page(1280, 800, ignore_https_errors=True)
    sign_in(page, deployed, STAFF_EMAIL, "sv")
    page.goto(f"{deployed.url}/staff/surveys/trygghet/")
    shot(page, f"{label}-staff-survey")
    export_csv(page, f"{label}-staff", "sv")


def _refusals(page) -> list[str]:
    """What the browser refuses under the Content-Security-Policy, as console errors."""
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text else None)
    return refused


def _sign_in_under_csp(page, server: Server, email: str) -> None:
    # Not conftest's sign_in: it injects axe, which the real policy would block.
    page.goto(f"{server.url}/staff/login?lang=sv")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def test_maps_and_walk_photos_under_the_real_policy(deployed, new_page, label):
    # A resident marks a place by tapping the map on a phone.
    page = new_page(390, 844, axe=False, has_touch=True, is_mobile=True,
                    ignore_https_errors=True)
    refused = _refusals(page)
    canvas = open_place_map(page, deployed)
    box = canvas.bounding_box()
    canvas.tap(position={"x": box["width"] / 2, "y": box["height"] / 2})
    page.wait_for_function(
        "document.querySelector('input[name=\"otrygg_plats.1.lat\"]').value")
    shot(page, f"{label}-place-map")
    with page.expect_navigation():
        page.locator("#answers button[name=action][value=next]").click()
    assert page.locator(".error-summary").count() == 0
    stored = deployed.query("SELECT answers FROM response ORDER BY id DESC LIMIT 1")[0][0]
    mark = json.loads(stored)["otrygg_plats"][0]
    assert 61.0 < mark["lat"] < 61.5 and 16.7 < mark["lon"] < 17.4, mark

    # A councillor's heat map draws with Leaflet under the same policy.
    councillor = new_page(390, 844, axe=False, ignore_https_errors=True)
    refused += _refusals(councillor)
    _sign_in_under_csp(councillor, deployed, COUNCILLOR_EMAIL)
    councillor.goto(f"{deployed.url}/dashboard/trygghet/places/")
    councillor.locator(".heat-map .map-canvas").wait_for()
    shot(councillor, f"{label}-heat-map")

    # Staff upload a photo from a walk stop: multipart through nginx, shown back to staff.
    staff = new_page(390, 844, axe=False, ignore_https_errors=True)
    refused += _refusals(staff)
    _sign_in_under_csp(staff, deployed, STAFF_EMAIL)
    staff.goto(f"{deployed.url}/staff/trygghetsvandringar/")
    staff.fill("input[name=area]", f"Resecentrum ({label})")
    with staff.expect_navigation():
        staff.get_by_role("button", name="Starta vandringen").click()
    staff.fill("input[name=text]", "Gångtunneln vid järnvägen")
    with staff.expect_navigation():
        staff.get_by_role("button", name="Lägg till stoppet").click()
    photo = io.BytesIO()
    # About 4 MB of noise: larger than nginx's default body limit of 1 MB.
    Image.effect_noise((1600, 1200), 90).convert("RGB").save(photo, "PNG")
    assert photo.tell() > 1_000_000
    staff.set_input_files("input[name=photo]", files=[{
        "name": "IMG_0042.png", "mimeType": "image/png", "buffer": photo.getvalue()}])
    with staff.expect_navigation():
        staff.get_by_role("button", name="Ladda upp fotot").click()
    image = staff.get_by_role("img", name="Foto 1 från stoppet")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 1600
    shot(staff, f"{label}-walk-photo")
    assert refused == []
