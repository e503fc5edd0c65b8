"""Signing a medborgarlöfte in the browser: the draft with an åtgärd, the preview of exactly
what will be published with what signing means, the confirmation, and the public page.

The löfte is made for the small ``grannskap`` survey, so the built-in round the other browser
tests walk keeps no löfte.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import STAFF_EMAIL, assert_accessible, shot, sign_in

pytestmark = pytest.mark.e2e


def test_preview_confirm_and_publish_a_loefte(server, new_page):
    page = new_page(1280, 800)
    sign_in(page, server, STAFF_EMAIL, "sv")
    base = f"{server.url}/dashboard/grannskap/lofte"
    page.goto(base + "/ny")
    page.fill("input[name=title_sv]", "Ett tryggare grannskap")
    page.fill("input[name=period_start]", "2027")
    page.fill("input[name=period_end]", "2028")
    page.locator("input[name=focus][value=belysning]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Skapa utkastet").click()

    page.fill("textarea[name=what_sv]", "Ny belysning på gångvägen vid skolan")
    page.locator("input[name=responsible][value=kommun]").check()
    page.fill("input[name=starts]", "2027-03-01")
    page.fill("input[name=ends]", "2027-10-31")
    page.fill("textarea[name=follow_up_sv]", "Trygghetsvandring efter ombyggnaden")
    with page.expect_navigation():
        page.get_by_role("button", name="Lägg till åtgärden").click()

    page.fill("textarea[name=signatories]", "Anna Andersson, kommunstyrelsens ordförande")
    page.fill("input[name=signed_on]", "2027-02-15")
    with page.expect_navigation():
        page.get_by_role("button", name="Förhandsgranska före undertecknandet").click()
    assert page.get_by_role("heading", name="Bekräfta undertecknandet", level=1).is_visible()
    preview = page.locator("article.preview")
    for text in ("Ett tryggare grannskap", "Ny belysning på gångvägen vid skolan",
                 "Anna Andersson", "15 februari 2027"):
        assert text in preview.inner_text()
    assert "kan inte ändras i efterhand" in page.locator(".notice").inner_text()
    assert_accessible(page, "löfte confirmation")
    shot(page, "promise-1-confirm")
    # Nothing is public before the confirmation.
    assert page.request.get(f"{server.url}/sv/loften/grannskap").status == 404

    with page.expect_navigation():
        page.get_by_role("button", name="Underteckna och publicera").click()
    assert "undertecknat och publicerat" in page.locator("main").inner_text()
    page.goto(f"{server.url}/sv/loften/grannskap")
    assert page.get_by_role("heading", name="Ett tryggare grannskap", level=1).is_visible()
    assert "Anna Andersson" in page.locator("main").inner_text()
    assert_accessible(page, "public löfte")
    shot(page, "promise-2-public")
