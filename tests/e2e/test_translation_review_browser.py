"""A translation checker reviews Arabic strings side by side with the Swedish source: approves
one, corrects another with a comment; a resident then reads the corrected question, with the
machine-translation note where the text is still unchecked. Axe on every page.

The survey is uploaded by the test itself (a copy of grannskap.yaml under its own slug), so
the new version an edit publishes does not touch the surveys other browser tests answer.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import HERE, STAFF_EMAIL, assert_accessible, shot, sign_in

pytestmark = pytest.mark.e2e

SLUG = "oversattning-e2e"
KEY = "pages.om_dig.questions.alder.text"
CORRECTED = "ما عمرك؟"


def row(page, key: str):
    return page.locator("tr", has=page.locator(f"code:text-is('{key}')"))


def upload_survey(page, server, tmp_path) -> None:
    text = (HERE / "data" / "grannskap.yaml").read_text(encoding="utf-8")
    text = text.replace("slug: grannskap", f"slug: {SLUG}").replace(
        "default_language: sv\n", "default_language: sv\nreview: {ar: machine}\n")
    definition = tmp_path / f"{SLUG}.yaml"
    definition.write_text(text, encoding="utf-8")
    page.goto(f"{server.url}/staff/upload")
    page.set_input_files("input[type=file]", str(definition))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    with page.expect_navigation():
        page.locator("form[action$='/publish'] button[type=submit]").click()
    # A new round starts as a draft: open it for residents.
    page.goto(f"{server.url}/staff/surveys/{SLUG}/")
    page.locator("input[name=status][value=open]").check()
    with page.expect_navigation():
        page.locator("form[action$='/schedule'] button[type=submit]").click()


def test_reviewer_approves_and_corrects_side_by_side(server, new_page, tmp_path):
    page = new_page(1280, 900)
    sign_in(page, server, STAFF_EMAIL, "sv")
    upload_survey(page, server, tmp_path)
    page.goto(f"{server.url}/staff/translations/")
    assert_accessible(page, "translations overview")
    with page.expect_navigation():
        page.locator(f"a[href='/staff/translations/surveys/{SLUG}/ar/']").click()
    assert page.locator("html").get_attribute("lang") == "sv"  # the staff language
    assert_accessible(page, "translation review ar")
    shot(page, "translation-review-ar-1")

    title = row(page, "title")
    assert "Trygghet i grannskapet" in title.locator("td").first.inner_text()
    assert title.locator("textarea[name=text]").get_attribute("dir") == "rtl"
    with page.expect_navigation():
        title.locator("button[value=approve]").click()
    assert row(page, "title").locator(".review-state").inner_text() == "Godkänd"

    question = row(page, KEY)
    assert question.locator(".review-state").inner_text() == "Maskinöversättning"
    question.locator("textarea[name=text]").fill(CORRECTED)
    question.locator("textarea[name=comment]").fill("Rättad av översättaren")
    with page.expect_navigation():
        question.locator("button[value=edit]").click()
    assert "Version 2" in page.locator(".notice").inner_text()
    question = row(page, KEY)
    assert question.locator(".review-state").inner_text() == "Godkänd"
    assert question.locator("textarea[name=comment]").input_value() == "Rättad av översättaren"
    shot(page, "translation-review-ar-2")

    page.goto(f"{server.url}/staff/translations/surveys/{SLUG}/ar/?state=approved")
    assert page.locator("table.side-by-side tbody tr").count() == 2
    assert_accessible(page, "translation review filtered")

    audit = server.query("SELECT action, actor FROM audit_event WHERE action LIKE "
                         "'translation.%' ORDER BY id")
    assert audit[-2:] == [("translation.approved", STAFF_EMAIL),
                          ("translation.edit", STAFF_EMAIL)]

    # A resident answering in Arabic reads the corrected question; the page still says that
    # the rest is a machine translation, in Arabic.
    resident = new_page(375, 667)
    resident.goto(f"{server.url}/ar/s/{SLUG}/")
    assert resident.locator(".machine-note").inner_text().startswith("ترجمة آلية")
    with resident.expect_navigation():
        resident.locator("main form button[type=submit]").click()
    assert CORRECTED in resident.locator("main").inner_text()
    assert resident.locator(".machine-note").count() == 1
    assert_accessible(resident, "resident page with machine-translation note")
