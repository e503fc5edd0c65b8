"""The app as deployed, over https: once with gunicorn's own TLS, once behind a real nginx.

In each, a resident answers to the thank-you page, a resident uses the kiosk to the end and a
staff member signs in and downloads the export – with production settings (no development
mode, a real SECRET_KEY, Secure cookies), Chromium accepting the harness's self-signed
certificate. Before Referrer-Policy became same-origin, the first form post of each failed.
The map pages and a trygghetsvandring's photo upload run under the real Content-Security-Policy:
Leaflet comes from the app's (or nginx's) static files and a photo goes through nginx's body
limit. Behind nginx, staff open every page of their menu without a console error and post
real forms with their CSRF token: a new round, its sample and letters, a measure.
"""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from playwright.sync_api import Page, Response

from tests.dialog.test_staff_navigation import MENU
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


def _console_errors(page, containing: str = "") -> list[str]:
    """The console errors of the page from now on that contain ``containing``."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and containing in message.text else None)
    return errors


def _refusals(page) -> list[str]:
    """What the browser refuses under the Content-Security-Policy, as console errors."""
    return _console_errors(page, "Content Security Policy")


def _sign_in_under_csp(page, server: Server, email: str) -> None:
    # Not conftest's sign_in: it injects axe, which the real policy would block.
    page.goto(f"{server.url}/staff/login?lang=sv")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    # Signed in once the landing page is there: a councillor lands on the dashboard, whose
    # charts (drawn cold on a busy machine) a test of other pages need not wait for.
    with page.expect_navigation(wait_until="domcontentloaded"):
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


def _staff_under_csp(new_page, server: Server) -> tuple[Page, list[str]]:
    """A staff member signed in under the real policy, and the page's console errors (the
    policy's refusals among them)."""
    page = new_page(1280, 800, axe=False, ignore_https_errors=True)
    errors = _console_errors(page)
    page.on("pageerror", lambda error: errors.append(str(error)))
    _sign_in_under_csp(page, server, STAFF_EMAIL)
    assert "/staff/login" not in page.url
    return page, errors


def _shown(page, response, errors: list[str]) -> str:
    """The page came as a 200 with its heading and no console error; its heading."""
    assert response is not None and response.status == 200, (page.url, response)
    heading = page.locator("main h1")
    assert heading.count() == 1 and heading.is_visible(), page.url
    assert errors == [], (page.url, errors)
    return heading.inner_text()


def test_every_staff_menu_page_behind_nginx(nginx_server, new_page):
    # The navigation test's list: a new menu page is opened here too.
    page, errors = _staff_under_csp(new_page, nginx_server)
    for path in MENU["staff"]:
        _shown(page, page.goto(f"{nginx_server.url}{path}"), errors)
    shot(page, "https-nginx-staff-menu-last")


def _submit(page, button) -> Response | None:
    with page.expect_navigation() as navigation:
        button.click()
    return navigation.value


def test_staff_forms_post_through_nginx(nginx_server, new_page):
    """Forms with their CSRF token over TLS behind nginx, production settings: a new round,
    its sample (multipart), its first letters, and a measure in the åtgärdsplan."""
    server = nginx_server
    page, errors = _staff_under_csp(new_page, server)
    slug = "urval-https"
    _shown(page, page.goto(f"{server.url}/staff/new-round"), errors)
    template = page.locator("select[name=source] option[value^='template:']").first
    page.select_option("select[name=source]", template.get_attribute("value"))
    page.fill("input[name=slug]", slug)
    page.fill("input[name=title]", "Urval över https")
    _shown(page, _submit(page, page.locator("main form button.primary")), errors)
    assert "/staff/pending/" in page.url
    _shown(page, _submit(page, page.locator("form[action$='/publish'] button")), errors)
    assert page.url.endswith(f"/staff/surveys/{slug}/")

    # The sample: two files in one multipart post.
    _shown(page, page.goto(f"{server.url}/staff/urval/"), errors)
    with page.expect_navigation() as navigation:
        page.locator(f"main a[href$='/urval/{slug}/']").click()
    _shown(page, navigation.value, errors)
    members = "".join(f"p{n},{'centrum' if n % 2 else 'norr'},Namn {n},Storgatan {n}\n"
                      for n in range(1, 7))
    for field, text in (("sample", "id,stratum,address1,address2\n" + members),
                        ("strata", "stratum,population\ncentrum,9200\nnorr,4100\n")):
        page.set_input_files(f"input[name={field}]", files=[{
            "name": f"{field}.csv", "mimeType": "text/csv", "buffer": text.encode()}])
    _shown(page, _submit(page, page.locator("main form button.primary")), errors)
    assert page.locator(".notice").count() == 1, page.locator("main").inner_text()[:500]
    assert server.query("SELECT count(*) FROM sample_member m JOIN survey s "
                        "ON m.survey_id = s.id WHERE s.slug = ?", slug)[0][0] == 6
    page.locator("input[name=kind][value=invitation]").check()
    letters = _submit(page, page.locator(f"form[action$='/urval/{slug}/utskick'] button"))
    assert "6" in _shown(page, letters, errors)
    assert page.locator("main svg").count() == 6
    shot(page, "https-nginx-letters")

    # A measure in the åtgärdsplan: an ordinary urlencoded post.
    _shown(page, page.goto(f"{server.url}/staff/atgardsplan/ny"), errors)
    page.select_option("select[name=problem]", index=1)
    page.fill("textarea[name=what_sv]", "Belysning vid resecentrum (https)")
    page.locator("input[name=responsible][value=kommun]").check()
    page.fill("input[name=responsible_name]", "Samhällsbyggnadsförvaltningen")
    page.fill("input[name=starts]", "2026-03-01")
    page.fill("input[name=ends]", "2026-11-30")
    page.select_option("select[name=status]", "planned")
    _shown(page, _submit(page, page.locator("main form button.primary")), errors)
    assert "Belysning vid resecentrum (https)" in page.locator("main").inner_text()
    assert page.locator(".notice").count() == 1
    shot(page, "https-nginx-measure")
