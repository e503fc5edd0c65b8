"""Staff in Chromium: a paper questionnaire typed in by answer codes with the keyboard alone,
and a span of free text selected with the mouse and removed after the confirmation."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import STAFF_EMAIL, assert_accessible, shot, sign_in

pytestmark = pytest.mark.e2e

# What the typist keys in, by field; the other fields are left empty. Question 7 is skipped
# after "Nej" (code 3) to question 6, so its codes are an error the form points to.
CODES = {"alder": "3", "kon": "2", "ut_sent": "1", "undviker": "3", "undviker_vad": "1 2",
         "problem.klotter": "9", "polisen_bryr_sig": "4", "prioritera": "4 1",
         "tryggare": "Mer ljus"}
TEXT = "Kalle Svensson säljer knark på Storgatan 12. Han är där varje kväll."


def _focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.textContent")


def _tab_to_the_button(page) -> None:
    for _ in range(80):
        if "Kontrollera" in _focused(page):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"the check button was never reached: {_focused(page)}")


def test_paper_questionnaire_by_answer_codes_with_the_keyboard_only(server, new_page):
    page = new_page(1280, 800)
    sign_in(page, server, STAFF_EMAIL, "sv")
    page.goto(f"{server.url}/staff/surveys/trygghet/paper/codes")
    assert_accessible(page, "paper codes")
    fields = page.eval_on_selector_all(
        "#paper-codes .code-field input, #paper-codes .code-field textarea",
        "els => els.map(e => [e.id, e.tagName])")
    for field_id, tag in fields:  # Enter after a code, Tab after free text
        assert _focused(page) == field_id
        page.keyboard.type(CODES.get(field_id.removeprefix("f-"), ""))
        page.keyboard.press("Enter" if tag == "INPUT" else "Tab")
    assert "Kontrollera" in _focused(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The error is listed first and the list takes the focus; its link leads to the field.
    assert _focused(page) == "error-summary"
    assert "7. Lämna tomt" in page.locator("#error-summary").inner_text()
    assert_accessible(page, "paper codes with an error")
    shot(page, "paper-codes-1-error")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert _focused(page) == "f-undviker_vad"
    page.keyboard.press("Control+a")
    page.keyboard.press("Backspace")
    _tab_to_the_button(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The check page shows what the codes mean; its Save button has the focus.
    assert page.locator("main h1").inner_text() == "Kontrollera pappersenkäten"
    assert "Mörka platser och dålig belysning" in page.locator("main table").inner_text()
    assert_accessible(page, "paper check")
    shot(page, "paper-codes-2-check")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Pappersenkäten är sparad" in page.locator(".notice").inner_text()
    [(answers,)] = server.query("SELECT answers FROM response WHERE channel = 'paper' "
                                "ORDER BY id DESC LIMIT 1")
    answers = json.loads(answers)
    assert {k: answers.get(k) for k in ("alder", "kon", "undviker", "undviker_vad")} == {
        "alder": "25-44", "kon": "man", "undviker": "nej", "undviker_vad": None}
    assert answers["problem.klotter"] == "9" and answers["tryggare"] == "Mer ljus"
    assert answers["prioritera"] == ["nedskrapning", "belysning"]


def test_free_text_span_selected_and_removed_after_confirmation(server, new_page):
    [(version_id,)] = server.query(
        "SELECT current_version_id FROM survey WHERE slug = 'trygghet'")
    server.query("INSERT INTO response (version_id, status, channel, language, page_index, "
                 "answers, started_at, updated_at, completed_at) VALUES (?, 'complete', "
                 "'web', 'sv', 0, ?, datetime('now'), datetime('now'), datetime('now'))",
                 version_id, json.dumps({"tryggare": TEXT}, ensure_ascii=False))
    [(response_id,)] = server.query("SELECT max(id) FROM response")
    page = new_page(1280, 800)
    sign_in(page, server, STAFF_EMAIL, "sv")
    page.goto(f"{server.url}/staff/surveys/trygghet/free-text")  # unreviewed, newest first
    answer = page.locator(f"#r{response_id}-tryggare")
    assert answer.locator("mark").all_inner_texts() == ["Kalle Svensson", "Storgatan 12"]
    assert_accessible(page, "free-text review")
    # Select "varje kväll" in the answer with the mouse: the removal form fills itself.
    quote = answer.locator("blockquote")
    box = quote.bounding_box()
    page.evaluate("""([quote, words]) => {
        const text = [...quote.childNodes].filter(n => n.nodeType === Node.TEXT_NODE).pop();
        const at = text.data.indexOf(words);
        const range = document.createRange();
        range.setStart(text, at);
        range.setEnd(text, at + words.length);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
    }""", [quote.element_handle(), "varje kväll"])
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.up()
    form = answer.locator("form.span-form")
    assert form.locator("input[name=selected]").input_value() == "varje kväll"
    start = TEXT.index("varje kväll")
    assert form.locator("input[name=start]").input_value() == str(start)
    assert form.locator("input[name=end]").input_value() == str(start + len("varje kväll"))
    with page.expect_navigation():
        form.locator("button").click()
    # The confirmation shows before and after and says it cannot be undone.
    main = page.locator("main").inner_text()
    assert "Det går inte att ångra" in main
    assert page.locator("blockquote.removal-before del").inner_text() == "varje kväll"
    assert page.locator("blockquote.removal-after").inner_text() == (
        "Kalle Svensson säljer knark på Storgatan 12. Han är där [borttaget].")
    assert_accessible(page, "removal confirmation")
    shot(page, "free-text-removal-confirmation")
    with page.expect_navigation():
        page.get_by_role("button", name="Ta bort för gott").click()
    assert page.locator(".notice").inner_text() == "Texten är borttagen för alltid."
    [(stored,)] = server.query("SELECT answers FROM response WHERE id = ?", response_id)
    assert json.loads(stored)["tryggare"] == TEXT.replace("varje kväll", "[borttaget]")
