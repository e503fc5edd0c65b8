"""A resident walks the whole built-in survey through the Flask test client."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dialog.extensions import db
from dialog.models import Response, utcnow
from dialog.services import catalog
from surveys import load_definition
from surveys.templates import builtin_template_path
from tests.dialog.helpers import PAGE_RE, as_answers, begin, fill, walk

GRANNSKAP = Path(__file__).resolve().parents[1] / "e2e" / "data" / "grannskap.yaml"


def count(app, status="complete"):
    with app.app_context():
        return db.session.scalar(select(func.count(Response.id)).where(Response.status == status))


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.postgres
def test_whole_survey_is_answered_and_stored(app, client, csrf, survey, lang):
    location = walk(client, csrf, survey, lang)
    assert location.endswith(f"/{lang}/s/trygghet/klart")
    thanks = client.get(location)
    assert thanks.status_code == 200
    assert count(app) == 1
    with app.app_context():
        response = db.session.scalar(select(Response))
        assert response.language == lang
        assert response.channel == "web"
        assert response.completed_at is not None
        matrix = next(q for q in survey.questions() if q.type == "likert_matrix")
        assert all(name in response.answers for name in matrix.field_names())
        columns = {c.name for c in Response.__table__.columns}
        assert not columns & {"ip", "ip_address", "user_agent", "email", "name"}


def test_root_redirects_to_best_language(client):
    resp = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/en/")
    resp = client.get("/", headers={"Accept-Language": "de"})
    assert resp.headers["Location"].endswith("/sv/")


def test_survey_page_shows_progress_and_labels(client, csrf):
    begin(client, csrf)
    page = client.get("/sv/s/trygghet/p/1").text
    assert "Sida 1 av" in page or "Page 1 of" in page
    assert "<fieldset" in page and "<legend>" in page
    # every radio/checkbox sits inside a label
    inputs = re.findall(r"<input type=\"(?:radio|checkbox)\"", page)
    labelled = re.findall(r"<label class=\"option\"><input", page)
    assert inputs and len(inputs) == len(labelled)


def test_resume_after_closing_the_browser(app, csrf, survey):
    client = app.test_client()
    location = walk(client, csrf, survey, stop_after=2)
    assert location.endswith("/p/3")
    cookie = client.get_cookie("resume_trygghet")
    assert cookie is not None
    # A new browser session: only the persistent resume cookie survives.
    again = app.test_client()
    again.set_cookie("resume_trygghet", cookie.value)
    resp = again.get("/sv/s/trygghet/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/p/3")
    page1 = again.get("/sv/s/trygghet/p/1").text
    assert "checked" in page1  # the earlier answers are shown again


@pytest.mark.postgres
def test_double_submit_creates_no_duplicate(app, client, csrf, survey):
    begin(client, csrf)
    last = len(survey.pages)
    number, answers, html = 1, {}, None
    while number <= last:
        html = client.get(f"/sv/s/trygghet/p/{number}").text
        data = fill(survey.pages[number - 1], answers)
        answers.update(as_answers(data))
        form = {**data, "csrf_token": csrf(html), "action": "next"}
        resp = client.post(f"/sv/s/trygghet/p/{number}", data=form)
        loc = resp.headers["Location"]
        if loc.endswith("/klart"):
            replay = client.post(f"/sv/s/trygghet/p/{number}", data=form)
            assert replay.status_code == 302 and replay.headers["Location"].endswith("/klart")
            break
        number = int(PAGE_RE.search(loc).group(1))
    assert count(app) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 1


def test_missing_required_answer_comes_back_with_message(client, csrf, survey):
    begin(client, csrf)
    html = client.get("/sv/s/trygghet/p/1").text
    page = survey.pages[0]
    data = fill(page, {})
    required = next(q for q in page.questions if q.required)
    data.pop(required.id)
    resp = client.post("/sv/s/trygghet/p/1", data={**data, "csrf_token": csrf(html)})
    assert resp.status_code == 422
    assert 'role="alert"' in resp.text
    assert f'id="err-{required.id}"' in resp.text
    assert f'aria-describedby="err-{required.id}"' in resp.text or \
        f'err-{required.id}"' in resp.text
    # the other answers are kept
    other = next(k for k in data if k != required.id)
    assert f'value="{data[other][0]}" id="{other}-{data[other][0]}" checked' in resp.text


def test_unknown_field_is_refused_with_400(client, csrf):
    begin(client, csrf)
    html = client.get("/sv/s/trygghet/p/1").text
    resp = client.post("/sv/s/trygghet/p/1", data={"csrf_token": csrf(html), "evil": "1"})
    assert resp.status_code == 400
    assert "<html" in resp.text


def test_two_values_for_one_choice_is_refused(client, csrf, survey):
    begin(client, csrf)
    html = client.get("/sv/s/trygghet/p/1").text
    q = next(q for q in survey.pages[0].questions if q.type == "single_choice")
    resp = client.post("/sv/s/trygghet/p/1", data={
        "csrf_token": csrf(html), q.id: [q.options[0].code, q.options[1].code]})
    assert resp.status_code == 400


def test_body_over_64_kb_is_413(client, csrf):
    begin(client, csrf)
    html = client.get("/sv/s/trygghet/p/1").text
    resp = client.post("/sv/s/trygghet/p/1",
                       data={"csrf_token": csrf(html), "x": "a" * 70_000})
    assert resp.status_code == 413
    assert "<html" in resp.text


def test_invalid_utf8_is_400(client, csrf):
    begin(client, csrf)
    html = client.get("/sv/s/trygghet/p/1").text
    body = f"csrf_token={csrf(html)}&age_band=%ff%fe".encode()
    resp = client.post("/sv/s/trygghet/p/1", data=body,
                       content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 400


def test_missing_csrf_is_400(client, csrf):
    begin(client, csrf)
    resp = client.post("/sv/s/trygghet/p/1", data={})
    assert resp.status_code == 400


def test_unknown_survey_404_and_closed_410(app, client):
    assert client.get("/sv/s/finns-inte/").status_code == 404
    assert client.get("/xx/").status_code == 404
    assert client.get("/sv/s/trygghet/").status_code == 200  # the round is now cached
    with app.app_context():
        from dialog.services import catalog

        catalog.find_survey("trygghet").status = "closed"
        db.session.commit()
    resp = client.get("/sv/s/trygghet/")
    assert resp.status_code == 410
    assert "stängd" in resp.text or "closed" in resp.text


@pytest.mark.postgres
def test_a_round_closed_by_another_server_process_closes_here_within_the_cache_time(
        app, client):
    """Each process reuses what it read about a round for SURVEY_REF_CACHE_SECONDS; a second
    app on the same database stands in for another gunicorn worker."""
    import time

    from dialog import create_app
    from dialog.services import catalog

    app.config["SURVEY_REF_CACHE_SECONDS"] = 0.5
    assert client.get("/sv/s/trygghet/").status_code == 200
    other = create_app({**app.config, "SQLALCHEMY_ENGINE_OPTIONS": {}})
    with other.app_context():
        catalog.find_survey("trygghet").status = "closed"
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    closed_at = time.monotonic()
    assert client.get("/sv/s/trygghet/").status_code in (200, 410)
    time.sleep(max(0.0, closed_at + 0.6 - time.monotonic()))
    assert client.get("/sv/s/trygghet/").status_code == 410


def test_page_weight_under_30_kb(client, csrf, survey):
    begin(client, csrf)
    with client.get("/static/style.css") as static:
        css = static.data
    for number in range(1, len(survey.pages) + 1):
        html = client.get(f"/sv/s/trygghet/p/{number}")
        if html.status_code != 200:
            break
        assert len(html.data) + len(css) < 30 * 1024, number


def test_no_external_resources(client, csrf):
    begin(client, csrf)
    html = client.get("/sv/s/trygghet/p/1").text
    assert not re.search(r'(src|href)="(https?:)?//', html)


def _copy_of_the_builtin(slug: str, **round_values):
    """Another round of the built-in survey (sv and seven more languages) with its own dates."""
    survey = load_definition(builtin_template_path("trygghet"))
    catalog.publish(dataclasses.replace(survey, slug=slug), status=round_values.pop("status"),
                    listed=round_values.pop("listed", None))
    record = catalog.find_survey(slug)
    for name, value in round_values.items():
        setattr(record, name, value)
    db.session.commit()


def _cards(html: str) -> list[str]:
    return re.findall(r'<a class="card" href="([^"]+)"', html)


def test_start_page_offers_the_open_rounds_meant_for_residents(app, staff, csrf):
    client = app.test_client()  # a resident
    now = utcnow()
    with app.app_context():
        _copy_of_the_builtin("trygghet-2027", status="open", opens_at=now - timedelta(days=1))
        _copy_of_the_builtin("prov", status="open", listed=False)
        _copy_of_the_builtin("trygghet-2025", status="closed", opens_at=now - timedelta(days=400))
        catalog.publish(load_definition(GRANNSKAP), status="open")  # Swedish and Arabic only
        catalog.find_survey("trygghet").opens_at = now - timedelta(days=30)
        db.session.commit()
    # The current (newest) round first; a closed or unlisted round is no card.
    assert _cards(client.get("/sv/").text) == [
        "/sv/s/grannskap/", "/sv/s/trygghet-2027/", "/sv/s/trygghet/"]
    # In English only the rounds offered in English: no card leads to another language.
    assert _cards(client.get("/en/").text) == ["/en/s/trygghet-2027/", "/en/s/trygghet/"]
    # An unlisted round (a test round) is answered through its own address only.
    assert client.get("/sv/s/prov/").status_code == 200
    # Staff hide a round from the start page on its page ("not on the start page" ticked).
    page = staff.get("/staff/surveys/trygghet-2027/")
    assert 'name="unlisted"' in page.text
    assert staff.post("/staff/surveys/trygghet-2027/schedule", data={
        "csrf_token": csrf(page.text), "status": "open", "opens_at": "", "closes_at": "",
        "unlisted": "y"}).status_code == 302
    assert "/en/s/trygghet-2027/" not in client.get("/en/").text
    # Nothing open in English: a plain sentence, and the languages there is something in.
    with app.app_context():
        catalog.find_survey("trygghet").status = "closed"
        db.session.commit()
    empty = client.get("/en/").text
    assert not _cards(empty) and "There is no open survey right now." in empty
    offered = re.search(r'<ul class="language-links">.*?</ul>', empty, re.S).group(0)
    assert re.findall(r'<a href="/(\w+)/" lang=', offered) == ["ar", "sv"]


def test_thank_you_page_thanks_once_and_says_what_happens_next(app, client, csrf, survey):
    with app.app_context():
        catalog.find_survey("trygghet").closes_at = datetime(2027, 7, 1)  # after 30 June
        db.session.commit()
    thanks = client.get(walk(client, csrf, survey, "sv")).text
    main = re.search(r"<main.*?</main>", thanks, re.S).group(0)
    assert main.count("Tack") == 1 and "Tack för dina svar!" in main
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', thanks, re.S).group(1)
    assert "till och med 30 juni 2027" in timeline
    assert "medborgarlöfte" in timeline  # not signed yet: when it comes, not a link


def test_every_hint_is_said_once_and_linked_to_its_question(client, csrf, survey):
    walk(client, csrf, survey, stop_after=5)
    page = client.get("/sv/s/trygghet/p/6").text
    hints = re.findall(r'<p class="hint" id="([^"]+)">([^<]*)</p>', page)
    assert [text for _id, text in hints] == ["Välj högst 3.", "Högst 2\xa0000 tecken."]
    for hint_id, _text in hints:
        assert re.search(rf'aria-describedby="[^"]*\b{hint_id}\b', page), hint_id
