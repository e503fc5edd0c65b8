"""A resident answers on a phone, in Swedish and in Arabic; every page passes axe-core."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    answer_like_a_person,
    assert_accessible,
    count_complete,
    shot,
    walk_survey,
)

pytestmark = pytest.mark.e2e


def test_resident_completes_the_survey_in_swedish_on_a_phone(server, new_page):
    page = new_page(375, 667)
    before = count_complete(server, "trygghet", "sv")
    page.goto(f"{server.url}/sv/")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert_accessible(page, "sv list")
    shot(page, "resident-sv-list")
    pages = walk_survey(page, server, "trygghet", "sv", "resident-sv")
    assert pages >= 5
    assert count_complete(server, "trygghet", "sv") == before + 1
    page.goto(f"{server.url}/sv/tillganglighet")
    assert_accessible(page, "sv statement")
    shot(page, "resident-sv-statement")


def _gaps(page, selector: str) -> tuple[float, float]:
    """Space left and right of the text inside an element (a Range measures the glyphs)."""
    return page.eval_on_selector(selector, """el => {
        const range = document.createRange(); range.selectNodeContents(el);
        const text = range.getBoundingClientRect(), box = el.getBoundingClientRect();
        return [text.left - box.left, box.right - text.right]; }""")


def test_resident_completes_the_survey_in_arabic_mirrored(server, new_page):
    page = new_page(375, 667)
    before = count_complete(server, "grannskap", "ar")

    def mirrored(page, number):
        assert page.locator("html").get_attribute("dir") == "rtl"
        left, right = _gaps(page, "main h1")
        assert right < 2 and left > right, (left, right)  # text starts at the right edge
        if number > 1:
            following = page.locator("#answers button[name=action][value=next]").bounding_box()
            back = page.locator("button[name=action][value=back]").bounding_box()
            assert following["x"] < back["x"], "Next must sit on the left in Arabic"

    pages = walk_survey(page, server, "grannskap", "ar", "resident-ar", check=mirrored)
    assert pages == 3
    assert count_complete(server, "grannskap", "ar") == before + 1
    page.goto(f"{server.url}/ar/tillganglighet")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert_accessible(page, "ar statement")


@pytest.mark.parametrize(("slug", "lang"), [("trygghet", "sv"), ("grannskap", "ar")])
def test_pages_reflow_at_320_css_pixels(server, new_page, slug, lang):
    """400 % zoom on a 1280 px screen: no horizontal scrolling on any resident page."""
    page = new_page(320, 640, axe=False)
    seen = []

    def fits(label):
        width = page.evaluate("document.documentElement.scrollWidth")
        seen.append(label)
        assert width <= 320, f"{label}: {width}px wide at 320px"

    for path in (f"/{lang}/", f"/{lang}/tillganglighet", f"/{lang}/s/{slug}/"):
        page.goto(server.url + path)
        fits(path)
    shot(page, f"reflow-{lang}-intro")
    page.locator("main form button.primary").click()
    while "/klart" not in page.url:
        page.wait_for_selector("form#answers")
        answer_like_a_person(page)
        fits(page.url)
        with page.expect_navigation():
            page.locator("#answers button[name=action][value=next]").click()
    fits(page.url)
    assert len(seen) >= 6


def test_keyboard_only_completes_the_survey_with_focus_always_visible(server, new_page):
    page = new_page(1024, 768)
    page.goto(f"{server.url}/sv/s/trygghet/")
    focused = _tab_until(page, "start", lambda el: el["tag"] == "BUTTON")
    assert focused["visible"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/p/1")
    pages = 0
    while "/klart" not in page.url:
        pages += 1
        answered: set[str] = set()
        while True:
            el = _focus_next(page)
            assert el["visible"], f"focus not visible on {el} at {page.url}"
            if el["tag"] == "INPUT" and el["type"] in ("radio", "checkbox") \
                    and el["name"] not in answered:
                page.keyboard.press("Space")
                answered.add(el["name"])
            elif el["tag"] == "TEXTAREA":
                page.keyboard.type("Mer belysning")
            elif el["tag"] == "SELECT" and not el["value"]:
                # The place question: the follow-ups just typed need a place, so pick the
                # first named one with the arrow key, as a keyboard user does.
                page.keyboard.press("ArrowDown")
            elif el["tag"] == "BUTTON" and el["value"] == "next":
                with page.expect_navigation():
                    page.keyboard.press("Enter")
                break
        assert answered, f"nothing could be answered by keyboard on page {pages}"
        # Every page is answered in one go; an error page here means the walk missed a field.
        assert not page.title().startswith("Fel"), f"page {pages} refused: {page.url}"
    shot(page, "keyboard-thanks")
    assert pages >= 5


def test_enter_on_a_radio_means_next_and_errors_take_the_focus(server, new_page):
    """Enter in a field submits Next (not the header's language buttons, which belong to the
    same form); an error page says "Fel:" in its title, focuses the summary and marks fields."""
    page = new_page(1024, 768, axe=False)  # the real Content-Security-Policy: answers.js runs
    page.goto(f"{server.url}/sv/s/trygghet/")
    with page.expect_navigation():
        page.locator("main form button.primary").click()
    assert page.url.endswith("/sv/s/trygghet/p/1"), page.url
    with page.expect_navigation():
        page.locator("button.primary[name=action][value=next]").click()
    assert page.title().startswith("Fel: ")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    invalid = page.locator("form#answers [aria-invalid=true]")
    assert invalid.count() > 0
    shot(page, "enter-1-errors-focused")

    first_radio = page.locator("form#answers input[type=radio]").first
    first_radio.focus()
    page.keyboard.press("Space")
    answer_like_a_person(page)
    first_radio.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/sv/s/trygghet/p/2"), page.url
    assert page.locator("html").get_attribute("lang") == "sv"
    assert not page.title().startswith("Fel")
    shot(page, "enter-2-next-page")

    # Tillbaka is drawn before Nästa and Tab reaches it first.
    back = page.locator("button[name=action][value=back]").bounding_box()
    forward = page.locator("button.primary[name=action][value=next]").bounding_box()
    assert back["x"] < forward["x"]
    page.locator("button[name=action][value=back]").focus()
    assert _focus_next(page)["value"] == "next"


_FOCUSED = """() => {
    const el = document.activeElement, style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return {tag: el.tagName, type: el.type || '', name: el.name || '', value: el.value || '',
            visible: outline || style.boxShadow !== 'none'};
}"""


def _focus_next(page) -> dict:
    page.keyboard.press("Tab")
    return page.evaluate(_FOCUSED)


def _tab_until(page, what: str, wanted, limit: int = 60) -> dict:
    for _ in range(limit):
        el = _focus_next(page)
        if wanted(el):
            return el
    raise AssertionError(f"Tab never reached {what}")


def test_tigrinya_is_drawn_in_a_real_font_not_boxes(server, new_page):
    """Debian's Chromium has no Ge'ez font, so this page only shows letters if the font the
    app serves is used – in the heading and the bold language link too."""
    page = new_page(390, 700, axe=False)
    page.goto(f"{server.url}/ti/s/trygghet/")
    page.evaluate("document.fonts.ready")
    faces = page.evaluate("Array.from(document.fonts).map(f => [f.family, f.status])")
    assert ["Noto Sans Ethiopic", "loaded"] in faces
    for selector in ("h1", ".languages [aria-current]"):
        family = page.evaluate(f"getComputedStyle(document.querySelector('{selector}'))"
                               ".fontFamily")
        assert family.startswith('"Noto Sans Ethiopic"'), (selector, family)
    # A box (.notdef) is as wide as every other missing glyph; real letters differ in width.
    widths = page.evaluate("""() => ['ሀ', 'ሐ', 'መ', 'ሰ', 'ቀ', 'ተ', 'ኘ'].map(c => {
        const s = document.createElement('span'); s.textContent = c;
        s.style.fontWeight = '700'; document.querySelector('h1').append(s);
        const w = s.getBoundingClientRect().width; s.remove(); return w; })""")
    assert len({round(w, 1) for w in widths}) > 1, widths
    shot(page, "tigrinya-intro")


@pytest.mark.parametrize("script", [True, False], ids=["with-js", "without-js"])
def test_date_and_number_in_arabic_with_errors_in_arabic(server, new_page, script):
    """The native date field and the number field, right to left; the server's errors in
    Arabic name the allowed range; the same works with JavaScript switched off."""
    page = new_page(375, 667, axe=script, java_script_enabled=script)
    page.goto(f"{server.url}/ar/s/handelser/")
    page.locator("main form button.primary").click()
    page.wait_for_selector("form#answers")
    assert page.locator("html").get_attribute("dir") == "rtl"
    field = page.get_by_label("متى حدث ذلك؟")  # the label names the date field
    assert field.get_attribute("type") == "date" and field.get_attribute("dir") == "ltr"
    field.fill("2019-06-01")  # before the earliest day the question allows
    page.get_by_label("كم مرة حدث ذلك؟").fill("99")
    with page.expect_navigation():
        page.locator("#answers button[name=action][value=next]").click()
    errors = page.locator(".question .error").all_inner_texts()
    assert len(errors) == 2 and errors[0].startswith("اكتب تاريخًا من"), errors
    assert "2020" in errors[0]
    if script:
        assert_accessible(page, "ar date errors")
        shot(page, "resident-ar-date-errors")
    page.get_by_label("متى حدث ذلك؟").fill("2024-03-14")
    page.get_by_label("كم مرة حدث ذلك؟").fill("3")
    with page.expect_navigation():
        page.locator("#answers button[name=action][value=next]").click()
    assert "/klart" in page.url


def test_on_a_phone_the_start_and_the_matrix_question_stay_in_view(server, new_page):
    """390 × 844: "Start the survey" on the first screen in Swedish, Somali (the longest texts)
    and Arabic; the language menu is one line that opens inside the screen, on the left in
    Arabic; the 17-row matrix is short and its question and scale stay in view at the last row."""
    page = new_page(390, 844)
    for lang in ("sv", "so", "ar"):
        page.goto(f"{server.url}/{lang}/s/trygghet/")
        start = page.locator("main form button.primary").bounding_box()
        assert start["y"] + start["height"] <= 844, (lang, start)
    menu = page.locator("details.languages summary").bounding_box()
    assert menu["height"] <= 60 and menu["x"] + menu["width"] / 2 < 195, menu  # left in Arabic
    page.locator("details.languages summary").click()
    choices = page.locator("details.languages nav").bounding_box()
    assert choices["x"] >= 0 and choices["x"] + choices["width"] <= 390, choices
    assert_accessible(page, "ar intro, language menu open")
    shot(page, "phone-ar-intro-languages")
    page.goto(f"{server.url}/sv/")
    shot(page, "phone-sv-list")
    page.goto(f"{server.url}/sv/s/trygghet/")
    shot(page, "phone-sv-intro")
    page.locator("main form button.primary").click()
    page.wait_for_selector("form#answers")
    while page.locator("fieldset.matrix").count() == 0:
        answer_like_a_person(page)
        with page.expect_navigation():
            page.locator("#answers button[name=action][value=next]").click()
    # The matrix alone (the page also holds the place question): one radio button per line
    # made it about 5,000 px.
    height = round(page.locator("fieldset.matrix").bounding_box()["height"])
    assert height < 2000, height
    answer_like_a_person(page)
    last = page.locator("fieldset.matrix fieldset.item").last
    last.scroll_into_view_if_needed()
    head, row = page.locator(".matrix-head").bounding_box(), last.bounding_box()
    assert head["y"] >= 0 and head["y"] + head["height"] <= row["y"], (head, row)
    assert page.locator(".matrix-head").get_by_text("Hur stort problem").is_visible()
    assert_accessible(page, "sv matrix")
    shot(page, f"phone-sv-matrix-last-rows-matrix-{height}px")
