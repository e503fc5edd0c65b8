"""The councillor's decision page: signed in, the councillor lands on the current round's
dashboard, whose first screen – on a laptop and on a phone – holds the proposed focus
problems with their intervals; printed on A4, page 1 is that decision page, every page names the
survey and the round's dates and has its number, and no table is wider than the page.

Screenshots and the print go to ``test-artifacts/e2e/`` (git-ignored)."""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta

import pytest
from babel.dates import format_date

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


# The A4 page's printable width (210 mm less 2 × 15 mm margins) in CSS pixels.
A4_CONTENT_PX = int(180 / 25.4 * 96)


def _print(page, name: str) -> list[str]:
    """The page printed to A4 as the browser's print command does; the text per page."""
    page.emulate_media(media="print")
    # Chromium fires beforeprint for window.print(), not for page.pdf(): send it, as the
    # browser's print command would, so the page's script opens the detail sections.
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("article.report details:not([open])").count() == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / f"{name}.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), str(ARTIFACTS / name)],
                   check=True, timeout=120)
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, timeout=120,
                           capture_output=True, text=True).stdout.split("\f")
    return [p for p in pages if p.strip()]


def test_printed_page_one_is_the_decision_page(server, new_page):
    # The round's dates, as staff set them in the schedule.
    today = date.today()
    opens, last_day = today - timedelta(days=20), today + timedelta(days=40)
    server.query("UPDATE survey SET opens_at = ?, closes_at = ? WHERE slug = 'trygghet'",
                 f"{opens} 00:00:00.000000", f"{last_day + timedelta(days=1)} 00:00:00.000000")
    period = [format_date(d, format="long", locale="sv") for d in (opens, last_day)]
    # The width of the printed page: no table or chart may be wider (cut off on paper).
    page = new_page(A4_CONTENT_PX, 1000, axe=False)
    _sign_in_as_councillor(page, server)
    assert page.url.endswith("/dashboard/trygghet/")
    pages = _print(page, "decision-print")
    too_wide = page.evaluate("""() => [...document.querySelectorAll('table, figure img')]
        .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                      || el.scrollWidth > el.clientWidth + 1)
        .map(el => (el.querySelector('caption') || el).textContent.trim().slice(0, 60))""")
    assert not too_wide, too_wide
    first = pages[0]
    assert "Beslutsunderlag" in first and "Föreslagna fokusproblem" in first
    assert len(re.findall(r"^\s*\d\. ", first, re.M)) >= 2  # the numbered proposals
    assert INTERVAL.search(first), first
    assert f"{period[0]} till {period[1]}" in re.sub(r"\s+", " ", first)
    assert "Rapporten togs fram" in first
    assert "Visa resultaten för" not in first  # the selection form is for the screen
    assert "Beslutsunderlag" not in pages[1]
    assert len(pages) >= 3
    assert any("Om metoden" in p for p in pages[1:])
    for number, text in enumerate(pages, start=1):
        # Every page: the survey and the round's dates at the top, its number at the bottom.
        head = re.sub(r"\s+", " ", text.strip().splitlines()[0])
        assert head.startswith(f"Trygghetsundersökning – {period[0]}–{period[1]}"), (number,
                                                                                   head)
        assert re.search(rf"\b{number}\s*/\s*{len(pages)}\s*$", text.strip()), (number, text)
        # Notes and labels in Swedish only, not the analysis's English beside them.
        assert "ESTIMATE" not in text and "weighted" not in text, number
    # A selection prints what it is on every page ("Urval: Kvinna").
    page.goto(f"{server.url}/dashboard/trygghet/?urval=gender.kvinna")
    selected = _print(page, "decision-print-kvinna")
    assert all("Urval: Kvinna" in text for text in selected)
