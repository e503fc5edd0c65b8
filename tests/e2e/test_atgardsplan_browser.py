"""The åtgärdsplan in the browser: a samordnare adds a measure, follows it up and prints the
yearly report; residents read the public plan at 320 px in Swedish and in Arabic (right to
left), axe-clean."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import STAFF_EMAIL, assert_accessible, print_staff_page, shot, sign_in

pytestmark = pytest.mark.e2e


def test_add_a_measure_and_read_the_public_plan(server, new_page):
    page = new_page(1280, 800)
    sign_in(page, server, STAFF_EMAIL, "sv")
    page.goto(f"{server.url}/staff/atgardsplan/ny")
    page.select_option("select[name=problem]", index=1)
    page.fill("textarea[name=what_sv]", "Bättre belysning på gång- och cykelvägen i Ljusne")
    page.get_by_label("Kommunen", exact=True).check()
    page.fill("input[name=responsible_name]", "Samhällsbyggnadsförvaltningen")
    page.fill("input[name=starts]", "2026-03-01")
    page.fill("input[name=ends]", "2026-11-30")
    page.select_option("select[name=status]", "ongoing")
    with page.expect_navigation():
        page.get_by_role("button", name="Lägg till åtgärden").click()
    assert "Åtgärden har lagts till i åtgärdsplanen." in page.locator(".notice").inner_text()
    page.fill("input[name=followup-on]", "2026-06-15")
    page.fill("textarea[name=followup-text_sv]", "Tolv nya lampor är uppsatta.")
    with page.expect_navigation():
        page.get_by_role("button", name="Spara uppföljningen").click()
    assert_accessible(page, "measure staff page")

    # The yearly report prints on A4 with the measure and its follow-up.
    page.goto(f"{server.url}/staff/atgardsplan/rapport/2026")
    report = page.locator("main").inner_text()
    assert "Det brottsförebyggande arbetet 2026: rapport till kommunfullmäktige" in report
    assert "Tolv nya lampor är uppsatta." in report
    assert_accessible(page, "yearly report")
    print_staff_page(page, "atgardsplan-rapport-2026.pdf")

    reader = new_page(320, 640)
    reader.goto(f"{server.url}/sv/atgardsplan/")
    main = reader.locator("main").inner_text()
    assert "Bättre belysning på gång- och cykelvägen i Ljusne" in main
    assert "Senaste uppföljningen, 15 juni 2026:" in main
    assert "Tolv nya lampor är uppsatta." in main
    # Nothing wider than the screen.
    assert reader.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(reader, "åtgärdsplan 320 px")
    shot(reader, "atgardsplan-public-320")

    reader.goto(f"{server.url}/ar/atgardsplan/")
    assert reader.locator("html").get_attribute("dir") == "rtl"
    assert reader.locator("h3[lang=sv]").first.inner_text().startswith("Bättre belysning")
    assert_accessible(reader, "åtgärdsplan in Arabic")
