"""The app as deployed, over https: once with gunicorn's own TLS, once behind a real nginx.

In each, a resident answers to the thank-you page, a resident uses the kiosk to the end and a
staff member signs in and downloads the export – with production settings (no development
mode, a real SECRET_KEY, Secure cookies), Chromium accepting the harness's self-signed
certificate. Before Referrer-Policy became same-origin, the first form post of each failed.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    STAFF_EMAIL,
    Server,
    answer_like_a_person,
    count_complete,
    export_csv,
    open_kiosk,
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
