"""Staff sign in, open a survey and export CSV; a councillor opens the dashboard. Axe on each.

The staff area and the dashboard speak Swedish and English only (their STAFF_LANGUAGES /
DASHBOARD_LANGUAGES), so their pages are checked in those; residents' pages are checked in Arabic.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    COUNCILLOR_EMAIL,
    STAFF_EMAIL,
    assert_accessible,
    export_csv,
    shot,
    sign_in,
)

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_staff_sign_in_open_a_survey_and_export_csv(server, new_page, lang):
    page = new_page(1280, 800)
    sign_in(page, server, STAFF_EMAIL, lang)
    page.goto(f"{server.url}/staff/")
    assert_accessible(page, f"staff home {lang}")
    shot(page, f"staff-{lang}-1-home")
    with page.expect_navigation():
        page.locator("a[href='/staff/surveys/trygghet/']").first.click()
    assert_accessible(page, f"staff survey {lang}")
    shot(page, f"staff-{lang}-2-survey")
    export_csv(page, f"staff-{lang}", lang)
    page.goto(f"{server.url}/kiosk/devices")
    assert_accessible(page, f"kiosk set-up {lang}")
    shot(page, f"staff-{lang}-3-kiosks")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_councillor_opens_the_dashboard(server, new_page, lang):
    page = new_page(1024, 768)
    sign_in(page, server, COUNCILLOR_EMAIL, lang)
    page.goto(f"{server.url}/dashboard/trygghet/")
    assert page.locator("main h1").is_visible()
    assert_accessible(page, f"dashboard {lang}")
    shot(page, f"dashboard-{lang}")
    # a councillor sees aggregates only: the staff area and the raw export stay closed
    response = page.goto(f"{server.url}/staff/surveys/trygghet/export?format=csv")
    assert response.status == 403


def test_one_menu_takes_staff_everywhere_by_keyboard(server, new_page):
    """Every link of the staff menu, followed with the keyboard, lands on a page that has the
    same menu (marking where one is) and "Logga ut" – on a phone as on a laptop."""
    page = new_page(390, 844)
    sign_in(page, server, STAFF_EMAIL, "sv")
    menu = page.locator("nav.staff-nav")
    targets = menu.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    for wanted in ("/staff/", "/dashboard/", "/staff/lofte/", "/staff/atgardsplan/",
                   "/kiosk/devices", "/staff/urval/"):
        assert any(t.startswith(wanted) for t in targets), (wanted, targets)
    for href in targets:
        page.locator(f"nav.staff-nav a[href='{href}']").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith(href), (href, page.url)
        here = page.locator("nav.staff-nav a[aria-current='page']")
        assert here.count() == 1 and here.get_attribute("href") == href, href
        assert page.locator("nav.staff-nav button", has_text="Logga ut").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, href
        assert_accessible(page, f"staff page {href}")
    shot(page, "staff-menu-phone")
