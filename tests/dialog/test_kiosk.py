"""Kiosk mode: one person after another at a shared computer, nothing of one seen by the next."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dialog.extensions import db
from dialog.kiosk import devices
from dialog.kiosk.models import KioskDevice, KioskResponse
from dialog.models import Response, utcnow
from dialog.services import catalog
from tests.dialog.helpers import as_answers, fill, sign_in_with_password

PAGE_RE = re.compile(r"/kiosk/trygghet/(\w+)/p/(\d+)$")


@pytest.fixture
def kiosk(app, client):
    """A client on a registered kiosk computer; returns the device id."""
    with app.app_context():
        device, code = devices.register_device("Kundtjänst Söderhamn")
        device_id, key = device.id, devices.redeem_code(code)
    client.set_cookie("kiosk_device", key, path="/kiosk")
    return device_id


def start(client, csrf, lang="sv"):
    attract = client.get("/kiosk/trygghet/")
    assert attract.status_code == 200
    resp = client.post("/kiosk/trygghet/start", data={"csrf_token": csrf(attract.text),
                                                      "lang": lang})
    assert resp.status_code == 303
    assert resp.headers["Location"] == f"/kiosk/trygghet/{lang}/p/1"
    return resp


def answer(client, csrf, survey, lang="sv", pages=None):
    """Answer page after page (all, or the first ``pages``); returns the last redirect."""
    number, answers, location = 1, {}, None
    while pages is None or number <= pages:
        html = client.get(f"/kiosk/trygghet/{lang}/p/{number}")
        assert html.status_code == 200, html.text[:300]
        data = fill(survey.pages[number - 1], answers)
        answers.update(as_answers(data))
        resp = client.post(f"/kiosk/trygghet/{lang}/p/{number}",
                           data={**data, "csrf_token": csrf(html.text), "action": "next"})
        assert resp.status_code in (302, 303), resp.text[:500]
        location = resp.headers["Location"]
        match = PAGE_RE.search(location)
        if not match:
            return location
        number = int(match.group(2))
    return location


def responses_in_db(app) -> list[Response]:
    with app.app_context():
        rows = db.session.scalars(select(Response).order_by(Response.id)).all()
        db.session.expunge_all()
        return rows


def test_attract_screen_offers_each_language_in_its_own_name(client, kiosk):
    resp = client.get("/kiosk/trygghet/")
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    assert '<html lang="sv"' in resp.text
    assert re.search(r'value="sv" lang="sv"[^>]*>Svenska</button>', resp.text)
    assert re.search(r'value="en" lang="en"[^>]*>English</button>', resp.text)
    # no way out of the kiosk into the ordinary web flow (its resume cookie would stay)
    assert 'href="/sv/"' not in resp.text


def test_a_computer_that_is_not_a_kiosk_is_refused(client):
    resp = client.get("/kiosk/trygghet/")
    assert resp.status_code == 403
    assert "kiosk" in resp.text


def _register(client, csrf, code: str):
    page = client.get("/kiosk/register")
    return client.post("/kiosk/register", data={"csrf_token": csrf(page.text), "code": code})


def test_a_one_time_code_gives_the_device_cookie_and_the_key_never_reaches_a_url(
        app, client, csrf):
    with app.app_context():
        _device, code = devices.register_device("Medborgarhuset")
    # typed as people do: lower case, in groups
    resp = _register(client, csrf, f" {code[:5].lower()}-{code[5:]} ")
    assert resp.status_code == 303 and resp.headers["Location"] == "/kiosk/"
    cookie = client.get_cookie("kiosk_device", path="/kiosk")
    assert cookie is not None and cookie.http_only
    key = cookie.value
    urls = [resp.headers["Location"]]
    for url in ("/kiosk/", "/kiosk/trygghet/"):
        page = client.get(url)
        assert page.status_code == 200
        urls += re.findall(r'(?:href|action)="([^"]*)"', page.text)
    assert urls and not [url for url in urls if key in url]
    with app.app_context():
        stored = db.session.scalar(select(KioskDevice))
        assert stored.key_hash != key and stored.code_hash != code and stored.code_hash is None
    # the old way, a key in the address, no longer sets anything up
    other = app.test_client()
    assert other.get(f"/kiosk/trygghet/?device={key}").status_code == 403


@pytest.mark.postgres
def test_a_kiosk_code_works_once_and_not_after_15_minutes(app, client, csrf):
    with app.app_context():
        _device, used = devices.register_device("Biblioteket")
        device, late = devices.register_device("Simhallen")
        device.code_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert _register(client, csrf, used).status_code == 303
    for code in (used, late, "FELKOD2345"):
        second = app.test_client()
        resp = _register(second, csrf, code)
        assert resp.status_code == 422
        assert "Koden fungerar inte" in resp.text
        assert second.get_cookie("kiosk_device", path="/kiosk") is None
    assert _register(app.test_client(), csrf, "").status_code == 422


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "RATELIMIT_KIOSK_CODES_PER_CLIENT": "3 per minute"}])
def test_kiosk_codes_cannot_be_guessed_at_speed(app, client, csrf):
    codes = [_register(client, csrf, f"GISSNING{n}").status_code for n in range(4)]
    assert codes == [422, 422, 422, 429]


def test_kiosk_respondent_completes_and_the_kiosk_forgets_them(app, client, csrf, survey, kiosk):
    start(client, csrf)
    location = answer(client, csrf, survey)
    assert location == "/kiosk/trygghet/sv/klart"
    assert client.get_cookie("kiosk_trygghet", path="/kiosk") is None
    thanks = client.get(location)
    assert thanks.status_code == 200
    assert 'data-idle="20"' in thanks.text and "/kiosk/trygghet/reset" in thanks.text
    [response] = responses_in_db(app)
    assert (response.status, response.channel, response.token_hash) == ("complete", "kiosk", None)
    with app.app_context():
        assert db.session.get(KioskResponse, response.id).device_id == kiosk
    # Back to a question page: the server no longer knows this browser, so the attract screen.
    back = client.get("/kiosk/trygghet/sv/p/2")
    assert back.status_code == 303 and back.headers["Location"] == "/kiosk/trygghet/"


def test_every_person_gets_a_new_response(app, client, csrf, survey, kiosk):
    start(client, csrf)
    answer(client, csrf, survey, pages=1)
    start(client, csrf, lang="en")
    first, second = responses_in_db(app)
    assert first.status == "partial" and first.token_hash is None
    assert first.answers  # the first person's page is kept for statistics
    assert second.token_hash is not None and second.language == "en" and second.answers == {}


def test_stop_button_clears_everything_and_back_reveals_nothing(app, client, csrf, survey, kiosk):
    start(client, csrf)
    answer(client, csrf, survey, pages=2)
    token_cookie = client.get_cookie("kiosk_trygghet", path="/kiosk").value
    page3 = client.get("/kiosk/trygghet/sv/p/3")
    assert page3.headers["Cache-Control"] == "no-store"
    resp = client.post("/kiosk/trygghet/reset", data={"csrf_token": csrf(page3.text)})
    assert resp.status_code == 303 and resp.headers["Location"] == "/kiosk/trygghet/"
    assert client.get_cookie("kiosk_trygghet", path="/kiosk") is None
    # "Stop and delete my answers" deletes them: the response and the rows that belong to it.
    assert responses_in_db(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(KioskResponse)) == 0
    # Even a copy of the old cookie (a browser that kept it) opens nothing any more.
    client.set_cookie("kiosk_trygghet", token_cookie, path="/kiosk")
    for number in (1, 2, 3):
        back = client.get(f"/kiosk/trygghet/sv/p/{number}")
        assert back.status_code == 303 and back.headers["Location"] == "/kiosk/trygghet/"
    assert "checked" not in client.get("/kiosk/trygghet/", follow_redirects=True).text


@pytest.mark.parametrize("next_screen", ["/kiosk/trygghet/", "/kiosk/"])
def test_the_start_screen_ends_the_previous_person(app, client, csrf, survey, kiosk,
                                                    next_screen):
    """"Back to the start" (or Back in the browser) ends the response on the server."""
    start(client, csrf)
    answer(client, csrf, survey, pages=2)
    token_cookie = client.get_cookie("kiosk_trygghet", path="/kiosk").value
    screen = client.get(next_screen)
    assert screen.status_code == 200
    assert client.get_cookie("kiosk_trygghet", path="/kiosk") is None
    [response] = responses_in_db(app)
    assert response.status == "partial" and response.token_hash is None and response.answers
    client.set_cookie("kiosk_trygghet", token_cookie, path="/kiosk")
    for number in (1, 2, 3):
        back = client.get(f"/kiosk/trygghet/sv/p/{number}")
        assert back.status_code == 303 and back.headers["Location"] == "/kiosk/trygghet/"


def test_the_start_screen_has_an_idle_timer_without_a_warning(client, kiosk):
    attract = client.get("/kiosk/trygghet/").text
    assert 'data-idle="120" data-warning="0"' in attract
    assert '<script src="/static/kiosk.js" defer></script>' in attract


def test_pages_carry_the_idle_timer_and_a_no_script_fallback(app, client, csrf, kiosk):
    start(client, csrf)
    page = client.get("/kiosk/trygghet/sv/p/1").text
    assert 'data-idle="120" data-warning="20"' in page
    assert '<script src="/static/kiosk.js" defer></script>' in page
    assert ('<noscript><meta http-equiv="refresh" content="120;url=/kiosk/trygghet/reset">'
            '</noscript>') in page
    # what the no-script refresh does: a GET that only ends this browser's kiosk session
    resp = client.get("/kiosk/trygghet/reset")
    assert resp.status_code == 303 and resp.headers["Location"] == "/kiosk/trygghet/"
    [response] = responses_in_db(app)
    assert response.token_hash is None and response.status == "partial"


def test_reset_from_another_site_has_nothing_to_end(app, client, csrf, kiosk):
    start(client, csrf)
    cookie = client.get_cookie("kiosk_trygghet", path="/kiosk")
    # SameSite=Strict: a link on another site arrives without the token, so nothing is closed.
    assert cookie.same_site == "Strict"
    stranger = app.test_client()
    assert stranger.get("/kiosk/trygghet/reset").status_code == 303
    [response] = responses_in_db(app)
    assert response.token_hash is not None


def test_idle_time_is_configurable_per_survey(app, client, csrf, kiosk):
    with app.app_context():
        devices.set_idle_times(catalog.find_survey("trygghet"), 45, 10)
    start(client, csrf)
    page = client.get("/kiosk/trygghet/sv/p/1").text
    assert 'data-idle="45" data-warning="10"' in page
    assert 'content="45;url=/kiosk/trygghet/reset"' in page


@pytest.mark.parametrize(("idle", "warning"), [(4, 1), (3601, 20), (30, 30), (30, -1)])
def test_unreasonable_idle_times_are_refused(idle, warning):
    with pytest.raises(ValueError):
        devices.check_idle_times(idle, warning)


@pytest.mark.postgres
def test_abandoned_response_expires_on_the_server(app, client, csrf, survey, kiosk):
    start(client, csrf)
    answer(client, csrf, survey, pages=1)
    with app.app_context():
        response = db.session.scalar(select(Response))
        response.updated_at -= timedelta(hours=1)
        db.session.commit()
    resp = client.get("/kiosk/trygghet/sv/p/2")
    assert resp.status_code == 303 and resp.headers["Location"] == "/kiosk/trygghet/"
    [response] = responses_in_db(app)
    assert response.token_hash is None and response.status == "partial"


def test_switching_language_stays_in_the_kiosk(client, csrf, survey, kiosk):
    start(client, csrf)
    html = client.get("/kiosk/trygghet/sv/p/1").text
    resp = client.post("/kiosk/trygghet/sv/p/1", data={
        **fill(survey.pages[0], {}), "csrf_token": csrf(html), "switch_lang": "en"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/kiosk/trygghet/en/p/1"
    page = client.get("/kiosk/trygghet/en/p/1").text
    assert '<html lang="en"' in page and "checked" in page


def test_start_refuses_a_language_the_survey_lacks(client, csrf, kiosk):
    attract = client.get("/kiosk/trygghet/")
    resp = client.post("/kiosk/trygghet/start",
                       data={"csrf_token": csrf(attract.text), "lang": "xx"})
    assert resp.status_code == 400 and "<html" in resp.text


def test_staff_register_this_computer_as_kiosk_and_are_signed_out(app, client, csrf):
    sign_in_with_password(app, client, csrf, "staff")
    page = client.get("/kiosk/devices")
    assert page.status_code == 200
    resp = client.post("/kiosk/devices", data={"csrf_token": csrf(page.text),
                                               "name": "Kundtjänst", "use_here": "y"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/kiosk/"
    assert client.get_cookie("kiosk_device", path="/kiosk") is not None
    assert client.get("/kiosk/trygghet/").status_code == 200
    # the staff login does not stay open on the public computer
    assert client.get("/kiosk/devices").status_code == 302


def test_staff_get_a_kiosk_link_shown_once_and_set_idle_times(app, client, csrf):
    sign_in_with_password(app, client, csrf, "admin")
    page = client.get("/kiosk/devices")
    resp = client.post("/kiosk/devices", data={"csrf_token": csrf(page.text),
                                               "name": "Biblioteket"})
    assert resp.status_code == 200
    assert "http://localhost/kiosk/register" in resp.text
    code = re.search(r'class="kiosk-code">(\w+)<', resp.text).group(1)
    assert code not in client.get("/kiosk/devices").text
    with app.app_context():
        assert devices.find_device(devices.redeem_code(code)).name == "Biblioteket"
    bad = client.post("/kiosk/devices/idle/trygghet", data={
        "csrf_token": csrf(page.text), "idle": "60", "warning": "60"})
    assert bad.status_code == 422 and 'class="error"' in bad.text
    good = client.post("/kiosk/devices/idle/trygghet", data={
        "csrf_token": csrf(page.text), "idle": "90", "warning": "15"})
    assert good.status_code == 303
    with app.app_context():
        assert devices.idle_times(catalog.find_survey("trygghet")) == devices.IdleTimes(90, 15)


def test_kiosk_setup_is_for_staff_only(app, client, csrf):
    assert client.get("/kiosk/devices").status_code == 302
    sign_in_with_password(app, client, csrf, "councillor")
    assert client.get("/kiosk/devices").status_code == 403


def test_accessibility_statement_is_linked_from_every_footer(client, csrf, kiosk):
    statement = client.get("/sv/tillganglighet")
    assert statement.status_code == 200
    assert 'href="mailto:' in statement.text and "DIGG" in statement.text
    assert client.get("/ar/tillganglighet").text.startswith("<!doctype html>\n<html lang=\"ar\" "
                                                           "dir=\"rtl\"")
    assert client.get("/xx/tillganglighet").status_code == 404
    assert 'href="/sv/tillganglighet"' in client.get("/sv/").text
    assert 'href="/sv/tillganglighet"' in client.get("/sv/s/trygghet/").text
    # inside the kiosk the statement keeps the kiosk frame (no way out to the web flow)
    attract = client.get("/kiosk/trygghet/").text
    assert 'href="/kiosk/trygghet/sv/tillganglighet"' in attract
    inside = client.get("/kiosk/trygghet/sv/tillganglighet")
    assert inside.status_code == 200 and 'href="mailto:' in inside.text
    assert 'href="/sv/"' not in inside.text


def test_statement_contact_comes_from_config(app, client):
    app.config.update(ACCESSIBILITY_EMAIL="tillganglighet@soderhamn.example",
                      ACCESSIBILITY_PHONE="0270-123 45", ORGANISATION_NAME="Söderhamns kommun")
    text = client.get("/sv/tillganglighet").text
    assert 'href="mailto:tillganglighet@soderhamn.example"' in text
    assert 'href="tel:027012345"' in text and "Söderhamns kommun" in text


def test_operator_commands_register_a_device_and_set_idle_times(app):
    runner = app.test_cli_runner()
    added = runner.invoke(args=["kiosk", "add-device", "Kundtjänst"])
    assert added.exit_code == 0, added.output
    code = added.stdout.strip().splitlines()[-1]
    assert "/kiosk/register" in added.stderr and code not in added.stderr
    with app.app_context():
        assert devices.find_device(devices.redeem_code(code)).name == "Kundtjänst"
    assert runner.invoke(args=["kiosk", "set-idle", "trygghet", "60"]).exit_code == 0
    with app.app_context():
        assert devices.idle_times(catalog.find_survey("trygghet")) == devices.IdleTimes(60, 10)
    assert runner.invoke(args=["kiosk", "set-idle", "trygghet", "2"]).exit_code == 2
    assert runner.invoke(args=["kiosk", "set-idle", "saknas", "60"]).exit_code == 1


@pytest.mark.parametrize("lang", ["ar", "en", "fa", "fi", "so", "sv", "ti", "uk"])
def test_every_kiosk_page_speaks_the_chosen_language(client, csrf, survey, kiosk, lang):
    """The kiosk's own texts (idle warning, buttons, thank-you) are translated too: each page
    is checked for English UI text the way the web pages are."""
    from tests.dialog.page_text import check_page

    start(client, csrf, lang)
    number, answers, pages = 1, {}, []
    while True:
        html = client.get(f"/kiosk/trygghet/{lang}/p/{number}")
        assert html.status_code == 200
        pages.append(html.text)
        data = fill(survey.pages[number - 1], answers)
        answers.update(as_answers(data))
        resp = client.post(f"/kiosk/trygghet/{lang}/p/{number}",
                           data={**data, "csrf_token": csrf(html.text), "action": "next"})
        match = PAGE_RE.search(resp.headers["Location"])
        if not match:
            break
        number = int(match.group(2))
    thanks = client.get(resp.headers["Location"])
    assert thanks.status_code == 200
    for html in [*pages, thanks.text]:
        check_page(html, lang)
    assert 'data-idle="' in pages[0]  # the idle timer is on every page
