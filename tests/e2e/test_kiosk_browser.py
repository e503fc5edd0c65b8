"""The kiosk in a real browser: the idle timer clears the screen, Back shows nothing, axe passes.

These contexts keep the real Content-Security-Policy (kiosk.js must run under it), except the
accessibility test, which injects axe-core.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    KIOSK_IDLE,
    KIOSK_WARNING,
    answer_like_a_person,
    assert_accessible,
    open_kiosk,
    register_kiosk,
    shot,
)

pytestmark = pytest.mark.e2e


def _kiosk_responses(server) -> list[tuple]:
    return server.query(
        "SELECT r.id, r.status, r.channel, r.token_hash, k.device_id FROM response r "
        "JOIN kiosk_response k ON k.response_id = r.id ORDER BY r.id")


def test_idle_kiosk_is_cleared_and_the_next_person_sees_nothing(server, new_page):
    page, violations = open_kiosk(new_page, server)
    shot(page, "kiosk-1-attract")
    with page.expect_navigation():
        page.locator("button[value=sv]").click()
    answer_like_a_person(page)
    with page.expect_navigation():
        page.locator("#answers button[name=action][value=next]").click()
    assert page.url.endswith("/kiosk/trygghet/sv/p/2")
    page.locator("form#answers input[type=radio]").first.check()  # half-way, then walks off
    shot(page, "kiosk-2-half-answered")
    notice = page.locator("#idle-notice")
    notice.wait_for(state="visible", timeout=(KIOSK_IDLE - KIOSK_WARNING + 2) * 1000)
    assert page.evaluate("document.activeElement.hasAttribute('data-stay')")
    shot(page, "kiosk-3-still-there")
    page.wait_for_url("**/kiosk/trygghet/", timeout=(KIOSK_WARNING + 3) * 1000)
    shot(page, "kiosk-4-cleared")
    assert page.locator("input:checked").count() == 0
    assert page.locator("button[value=sv]").is_visible()
    # The next person presses Back, again and again: no page of the first person comes back.
    for _ in range(3):
        page.go_back()
        assert page.locator("input:checked").count() == 0
        assert "/p/" not in page.url
    shot(page, "kiosk-5-after-back")
    [(_id, status, channel, token_hash, device_id)] = _kiosk_responses(server)[-1:]
    assert (status, channel, token_hash) == ("partial", "kiosk", None)
    assert device_id is not None
    assert violations == []


def test_back_to_the_start_ends_the_person_for_back_and_forward(server, new_page):
    """The first person reads the statement and goes "Back to the start"; the next person
    walks the history both ways and finds none of the first person's answers."""
    page, violations = open_kiosk(new_page, server)
    with page.expect_navigation():
        page.locator("button[value=sv]").click()
    answer_like_a_person(page)
    with page.expect_navigation():
        page.locator("#answers button[name=action][value=next]").click()
    page.locator("form#answers input[type=radio]").first.check()
    with page.expect_navigation():
        page.locator("footer a[href$='/tillganglighet']").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Tillbaka till början").click()
    assert page.url.endswith("/kiosk/trygghet/")
    [(_id, status, _channel, token_hash, _device)] = _kiosk_responses(server)[-1:]
    assert (status, token_hash) == ("partial", None)
    seen = []
    for step in [page.go_back] * 4 + [page.go_forward] * 4:
        step()
        seen.append(page.url)
        assert page.locator("input:checked").count() == 0, page.url
        assert "/p/" not in page.url
    shot(page, "kiosk-6-history-after-start")
    assert any(url.endswith("/tillganglighet") for url in seen)  # the walk did move
    assert violations == []


def test_still_there_keeps_the_answers(server, new_page):
    page, _violations = open_kiosk(new_page, server)
    with page.expect_navigation():
        page.locator("button[value=sv]").click()
    page.locator("form#answers input[type=radio]").first.check()
    notice = page.locator("#idle-notice")
    notice.wait_for(state="visible", timeout=(KIOSK_IDLE - KIOSK_WARNING + 2) * 1000)
    page.locator("#idle-notice [data-stay]").click()
    assert notice.is_hidden()
    page.wait_for_timeout((KIOSK_WARNING + 1) * 1000)
    assert page.url.endswith("/kiosk/trygghet/sv/p/1")
    assert page.locator("form#answers input:checked").count() == 1


def test_kiosk_without_javascript_is_cleared_by_the_refresh(server, new_page):
    page, _violations = open_kiosk(new_page, server, java_script_enabled=False)
    with page.expect_navigation():
        page.locator("button[value=sv]").click()
    assert page.url.endswith("/p/1")
    page.wait_for_url("**/kiosk/trygghet/", timeout=(KIOSK_IDLE + 3) * 1000)
    last = _kiosk_responses(server)[-1]
    assert last[1] == "partial" and last[3] is None


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_kiosk_screens_pass_axe(server, new_page, lang):
    page = new_page(1280, 800)
    register_kiosk(page, server)
    page.goto(f"{server.url}/kiosk/grannskap/")
    assert_accessible(page, "kiosk attract")
    shot(page, f"kiosk-{lang}-attract")
    with page.expect_navigation():
        page.locator(f"button[value={lang}]").click()
    assert page.locator("html").get_attribute("lang") == lang
    number = 0
    while "/klart" not in page.url:
        number += 1
        answer_like_a_person(page)
        assert_accessible(page, f"kiosk {lang} page {number}")
        targets = page.eval_on_selector_all(
            "label.option, main button, header button",
            "els => els.filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height)")
        assert min(targets) >= 44, targets
        shot(page, f"kiosk-{lang}-page-{number}")
        with page.expect_navigation():
            page.locator("#answers button[name=action][value=next]").click()
    assert_accessible(page, f"kiosk {lang} thanks")
    shot(page, f"kiosk-{lang}-thanks")
    page.goto(f"{server.url}/kiosk/grannskap/{lang}/tillganglighet")
    assert_accessible(page, f"kiosk {lang} statement")


def test_stop_deletes_the_answers_on_a_kiosk_in_large_type(server, new_page):
    """"Stop and delete my answers" deletes the half-done response from the database; the
    kiosk uses the whole screen in large type. (grannskap keeps the default idle time, so
    the idle timer cannot clear the screen first.)"""
    page, violations = open_kiosk(new_page, server, slug="grannskap")
    with page.expect_navigation():
        page.locator("button[value=sv]").click()
    width = page.evaluate("document.querySelector('main').getBoundingClientRect().width")
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.option')).fontSize)")
    assert width >= 1200 and size >= 20, (width, size)
    answer_like_a_person(page)
    with page.expect_navigation():
        page.locator("#answers button[name=action][value=next]").click()
    [(response_id, status, *_rest)] = _kiosk_responses(server)[-1:]
    assert status == "partial"
    assert server.query("SELECT answers FROM response WHERE id = ?", response_id)[0][0] != "{}"
    shot(page, "kiosk-stop-before")
    with page.expect_navigation():
        page.get_by_role("button", name="Sluta och ta bort mina svar").click()
    assert page.url.endswith("/kiosk/grannskap/")
    assert server.query("SELECT count(*) FROM response WHERE id = ?", response_id) == [(0,)]
    assert server.query("SELECT count(*) FROM kiosk_response WHERE response_id = ?",
                        response_id) == [(0,)]
    assert violations == []
