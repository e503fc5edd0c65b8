"""The councillor's decision page: signed in, the councillor lands on the current round's
dashboard, whose first screen – on a laptop and on a phone – holds the proposed focus
problems with their intervals; printed, page 1 is that decision page, with page numbers.

Screenshots and the print go to ``test-artifacts/e2e/`` (git-ignored)."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.e2e.conftest import ARTIFACTS, COUNCILLOR_EMAIL, PASSWORD

pytestmark = pytest.mark.e2e

INTERVAL = re.compile(r"\d+\s?%.*95\s?%-intervall \d+\s?%?[–-]\d+", re.S)


def _sign_in_as_councillor(page, server) -> None:
    page.goto(f"{server.url}/staff/login?lang=sv")
    page.fill("input[name=email]", COUNCILLOR_EMAIL)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_the_proposals_with_intervals_fit_the_first_screen(server, new_page, width, height):
    # The real Content-Security-Policy: the page's own script must run under it.
    page = new_page(width, height, axe=False)
    _sign_in_as_councillor(page, server)
    assert page.url.endswith("/dashboard/trygghet/"), page.url
    nav = page.locator("nav.staff-nav")
    assert nav.locator("a[href='/staff/lofte/']").count() == 1
    assert nav.locator("button", has_text="Logga ut").count() == 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"decision-{width}x{height}.png"))
    page.screenshot(path=str(ARTIFACTS / f"decision-{width}x{height}-full.png"), full_page=True)
    proposals = page.locator(".decision .proposals > li")
    assert 2 <= proposals.count() <= 3
    for i in range(proposals.count()):
        item = proposals.nth(i)
        assert INTERVAL.search(item.inner_text()), item.inner_text()
        box = item.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, (i, box, width, height)
    # The details are closed sections that open.
    details = page.locator("article.report details")
    assert details.count() >= 5
    assert details.first.get_attribute("open") is None


def test_printed_page_one_is_the_decision_page(server, new_page, tmp_path):
    page = new_page(1280, 800, axe=False)
    _sign_in_as_councillor(page, server)
    assert page.url.endswith("/dashboard/trygghet/")
    page.emulate_media(media="print")
    # Chromium fires beforeprint for window.print(), not for page.pdf(): send it, as the
    # browser's print command would, so the page's script opens the detail sections.
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("article.report details:not([open])").count() == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "decision-print.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), str(ARTIFACTS / "decision-print")],
                   check=True, timeout=120)
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, timeout=120,
                           capture_output=True, text=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    first = pages[0]
    assert "Beslutsunderlag" in first and "Föreslagna fokusproblem" in first
    assert "Enkätomgången" in first and "Rapporten togs fram" in first
    assert INTERVAL.search(first), first
    assert re.search(rf"\b1\s*/\s*{len(pages)}\b", first), first  # the page numbers
    assert "Beslutsunderlag" not in pages[1]
    assert len(pages) >= 3
    assert any("Om metoden" in p for p in pages[1:])
