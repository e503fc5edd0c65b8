"""The medborgarlöfte cycle through the web pages: draft, åtgärder, signing, follow-up,
the public page in the survey's languages and the link from the thank-you page."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from dialog.atgardsplan.models import Measure
from dialog.demo import DemoGenerator
from dialog.extensions import db
from dialog.models import AuditEvent, Response, utcnow
from dialog.promises.models import Promise
from dialog.services import catalog
from surveys import load_definition
from surveys.templates import builtin_template_path
from tests.dialog.helpers import sign_in


def seed(app, count: int, *, seed: int = 11, slug: str = "trygghet") -> None:
    with app.app_context():
        record = catalog.find_survey(slug)
        generator = DemoGenerator(catalog.definition_of(record.current_version), seed)
        now = utcnow()
        db.session.execute(insert(Response), [
            {"version_id": record.current_version_id, "status": "complete", "token_hash": None,
             "channel": "web", "language": "sv", "page_index": 0,
             "answers": generator.response(), "started_at": now, "updated_at": now,
             "completed_at": now} for _ in range(count)])
        db.session.commit()


@pytest.fixture
def staff(app, client):
    seed(app, 200)
    sign_in(app, client, "staff")
    return client


BASE = "/dashboard/trygghet/lofte"


def create(client, csrf, focus=("ungdomskriminalitet", "inbrott"), **extra):
    page = client.get(BASE + "/ny")
    assert page.status_code == 200
    data = {"csrf_token": csrf(page.text), "title_sv": "Tryggare Söderhamn",
            "title_en": "", "period_start": "2026", "period_end": "2027",
            "focus": list(focus), **extra}
    return client.post(BASE + "/ny", data=data)


def add_action(client, csrf, item="ungdomskriminalitet", **extra):
    page = client.get(BASE + "/")
    data = {"csrf_token": csrf(page.text), "item": item,
            "what_sv": "Två gemensamma trygghetsvandringar per år", "what_en": "",
            "responsible": "polis", "responsible_name": "", "starts": "2026-03-01",
            "ends": "2027-12-31", "follow_up_sv": "Antal vandringar redovisas i lägesbilden",
            "follow_up_en": "", **extra}
    return client.post(BASE + "/atgarder", data=data)


def sign(client, csrf, signatories="Anna Andersson, kommunstyrelsens ordförande\n"
                                   "Per Persson, lokalpolisområdeschef", confirmed="yes"):
    page = client.get(BASE + "/")
    return client.post(BASE + "/signera", data={
        "csrf_token": csrf(page.text), "signatories": signatories, "signed_on": "2026-02-15",
        "confirmed": confirmed})


def stored(app) -> Promise:
    with app.app_context():
        promise = db.session.scalar(select(Promise))
        db.session.expunge(promise)
        return promise


def measures(app) -> list[Measure]:
    """The löfte's åtgärder: measures of the åtgärdsplan, with their follow-ups."""
    with app.app_context():
        rows = list(db.session.scalars(select(Measure).options(
            selectinload(Measure.followups)).order_by(Measure.id)))
        db.session.expunge_all()
        return rows


def focus_actions(app) -> list[list[int]]:
    """The åtgärder's ids per focus problem, in the order residents read them."""
    promise = stored(app)
    rows = sorted(measures(app), key=lambda m: (m.position, m.id))
    return [[m.id for m in rows if m.problem_code == f["item"]] for f in promise.focus]


def signed_promise(app, client, csrf) -> None:
    assert create(client, csrf).status_code == 302
    assert add_action(client, csrf).status_code == 302
    assert add_action(client, csrf, item="inbrott", responsible="annan",
                      responsible_name="Hyresbolaget", what_en="Better locks").status_code == 302
    assert sign(client, csrf).status_code == 302


def test_draft_suggests_the_top_problems(staff):
    html = staff.get(BASE + "/ny").text
    checked = re.findall(r'<input checked[^>]*value="([^"]+)"|<input[^>]*value="([^"]+)"'
                         r'[^>]*checked', html)
    assert 1 <= len(checked) <= 3
    assert "ungdomskriminalitet" in html


def test_full_cycle_from_draft_to_follow_up(app, staff, csrf):
    signed_promise(app, staff, csrf)
    promise = stored(app)
    assert promise.status == "signed"
    assert [p["name"] for p in promise.signatories] == ["Anna Andersson", "Per Persson"]
    assert [(m.problem_code, m.promise_id, m.status) for m in measures(app)] == [
        ("ungdomskriminalitet", promise.id, "planned"), ("inbrott", promise.id, "planned")]
    action_id = measures(app)[0].id
    page = staff.get(BASE + "/")
    resp = staff.post(f"{BASE}/atgarder/{action_id}/uppfoljning", data={
        "csrf_token": csrf(page.text), f"f{action_id}-status": "ongoing",
        f"f{action_id}-on": "2026-09-01", f"f{action_id}-comment_sv": "En vandring gjord"})
    assert resp.status_code == 302
    promise = stored(app)
    assert promise.status == "followed_up"
    first = measures(app)[0]
    assert first.status == "ongoing"
    assert [(f.status, f.text) for f in first.followups] == [
        ("ongoing", {"sv": "En vandring gjord"})]
    public = staff.get("/sv/loften/trygghet").text
    assert "En vandring gjord" in public
    assert "1 september 2026" in public  # dates in the page's language
    with app.app_context():
        actions = [e.action for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("promise.%"))
            .order_by(AuditEvent.id))]
    assert actions == ["promise.create", "promise.add_action", "promise.add_action",
                       "promise.sign", "promise.follow_up"]


def test_public_page_has_the_three_parts_in_each_survey_language(app, staff, csrf):
    signed_promise(app, staff, csrf)
    resident = app.test_client()
    sv = resident.get("/sv/loften/trygghet")
    assert sv.status_code == 200
    for heading in ('id="said"', 'id="promise"', 'id="progress"'):
        assert heading in sv.text
    assert "Tryggare Söderhamn" in sv.text
    assert "Kriminalitet bland ungdomar" in sv.text
    en = resident.get("/en/loften/trygghet")
    assert en.status_code == 200
    assert "Crime among young people" in en.text
    assert "Better locks" in en.text
    # Texts staff wrote only in Swedish are shown in Swedish and marked as such.
    assert re.search(r'<h1 lang="sv">Tryggare Söderhamn</h1>', en.text)
    # No inline style or script (the Content-Security-Policy allows neither).
    assert "style=" not in en.text and not re.search(r"<script(?![^>]*\bsrc=)", en.text)
    # Where residents feel unsafe: the aggregated places, as on the dashboard.
    assert 'id="places"' in sv.text and "Namngivna platser" in sv.text
    arabic = resident.get("/ar/loften/trygghet")
    assert arabic.status_code == 200
    assert 'dir="rtl"' in arabic.text
    # Residents see the key figures too, worded in their language by the survey definition.
    assert "Feel unsafe out alone late in the evening" in en.text
    assert "يشعرون بعدم الأمان" in arabic.text


def test_draft_is_not_public(app, staff, csrf):
    create(staff, csrf)
    assert app.test_client().get("/sv/loften/trygghet").status_code == 404
    assert app.test_client().get("/xx/loften/trygghet").status_code == 404


def test_thank_you_page_links_to_the_signed_loefte(app, staff, csrf):
    resident = app.test_client()
    assert "/loften/" not in resident.get("/sv/s/trygghet/klart").text
    signed_promise(app, staff, csrf)
    assert "/sv/loften/trygghet" in resident.get("/sv/s/trygghet/klart").text


def test_next_round_thank_you_page_links_to_the_previous_loefte(app, staff, csrf):
    signed_promise(app, staff, csrf)
    with app.app_context():
        survey = load_definition(builtin_template_path("trygghet"))
        catalog.publish(dataclasses.replace(survey, slug="trygghet-2028"))
    html = app.test_client().get("/sv/s/trygghet-2028/klart").text
    assert "/sv/loften/trygghet" in html


def test_next_round_dashboard_follows_the_focus_problems(app, staff, csrf):
    signed_promise(app, staff, csrf)
    with app.app_context():
        survey = load_definition(builtin_template_path("trygghet"))
        catalog.publish(dataclasses.replace(survey, slug="trygghet-2028"))
    seed(app, 200, seed=12, slug="trygghet-2028")
    html = staff.get("/dashboard/trygghet-2028/").text
    focus = re.search(r'<ul class="focus-trend">(.*?)</ul>', html, re.S)
    assert focus is not None
    items = re.findall(r"<li>", focus.group(1))
    assert len(items) == 2
    assert "Kriminalitet bland ungdomar" in focus.group(1)


def test_one_to_three_focus_problems(app, staff, csrf):
    resp = create(staff, csrf, focus=("ungdomskriminalitet", "inbrott", "klotter", "berusade"))
    assert resp.status_code == 422
    assert 'class="error-summary" role="alert"' in resp.text
    with app.app_context():
        assert db.session.scalar(select(Promise)) is None


def test_signing_needs_an_aatgaerd_for_every_focus_problem(app, staff, csrf):
    create(staff, csrf)
    add_action(staff, csrf)
    resp = sign(staff, csrf)
    assert resp.status_code == 422
    assert stored(app).status == "draft"


def test_another_organisation_must_be_named(staff, csrf):
    create(staff, csrf)
    resp = add_action(staff, csrf, responsible="annan", responsible_name="")
    assert resp.status_code == 422


def test_a_signed_loefte_cannot_be_changed(app, staff, csrf):
    signed_promise(app, staff, csrf)
    resp = add_action(staff, csrf)
    assert resp.status_code == 409
    assert len(measures(app)) == 2


def test_councillors_read_but_do_not_edit(app, client, csrf):
    seed(app, 50)
    sign_in(app, client, "councillor")
    assert client.get(BASE + "/ny").status_code == 403


def test_removing_an_aatgaerd_from_a_draft(app, staff, csrf):
    create(staff, csrf)
    add_action(staff, csrf)
    action_id = measures(app)[0].id
    page = staff.get(BASE + "/")
    resp = staff.post(f"{BASE}/atgarder/{action_id}/ta-bort",
                      data={"csrf_token": csrf(page.text)})
    assert resp.status_code == 302
    assert measures(app) == []


def test_printable_document(app, staff, csrf):
    signed_promise(app, staff, csrf)
    resp = staff.get(BASE + "/utskrift")
    assert resp.status_code == 200
    assert "Anna Andersson" in resp.text
    assert "dashboard.css" in resp.text


def test_signing_shows_the_public_page_and_asks_for_confirmation(app, staff, csrf):
    create(staff, csrf)
    add_action(staff, csrf)
    # The preview already says what is missing.
    resp = sign(staff, csrf, confirmed="")
    assert resp.status_code == 422
    assert "Varje fokusproblem behöver minst en åtgärd" in resp.text
    add_action(staff, csrf, item="inbrott", what_sv="Grannsamverkan i Sandarne")
    # The staff member reads in English; the preview is the page residents first see (Swedish).
    staff.get(BASE + "/?lang=en")
    preview = sign(staff, csrf, confirmed="")
    assert preview.status_code == 200
    assert stored(app).status == "draft"
    assert "cannot be edited in place" in preview.text
    document = preview.text.split('<article class="report preview" lang="sv">', 1)[1]
    assert "Det här sa ni" in document and "Grannsamverkan i Sandarne" in document
    assert "Anna Andersson" in document and "15 februari 2026" in document
    assert "Utkast" not in document  # it shows the löfte as signed, not the draft
    # The confirmation carries what was typed; only its button signs.
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', preview.text))
    resp = staff.post(BASE + "/signera", data={**hidden, "confirmed": "yes"})
    assert resp.status_code == 302
    promise = stored(app)
    assert promise.status == "signed"
    assert [p["role"] for p in promise.signatories] == ["kommunstyrelsens ordförande",
                                                          "lokalpolisområdeschef"]
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action).where(
            AuditEvent.action == "promise.sign")) == "promise.sign"
    # Signed, its åtgärder can no longer be edited or moved.
    action_id = focus_actions(app)[0][0]
    assert staff.get(f"{BASE}/atgarder/{action_id}/andra").status_code == 409
    page = staff.get(BASE + "/")
    # A follow-up without a status: its form opens, and the summary links to the field.
    resp = staff.post(f"{BASE}/atgarder/{action_id}/uppfoljning", data={
        "csrf_token": csrf(page.text), f"f{action_id}-on": "2027-01-10"})
    assert resp.status_code == 422
    assert f'<a href="#f{action_id}-status">' in resp.text
    assert "<details open><summary>" in resp.text
    assert staff.post(f"{BASE}/atgarder/{action_id}/flytta/ner",
                      data={"csrf_token": csrf(page.text)}).status_code == 409


def test_editing_moving_and_removing_aatgaerder_before_signing(app, staff, csrf):
    create(staff, csrf)
    add_action(staff, csrf, what_sv="Först")
    add_action(staff, csrf, what_sv="Sedan")
    first, second = focus_actions(app)[0]
    edit = staff.get(f"{BASE}/atgarder/{first}/andra")
    assert edit.status_code == 200
    assert "Först</textarea>" in edit.text and 'value="2026-03-01"' in edit.text
    resp = staff.post(f"{BASE}/atgarder/{first}/andra", data={
        "csrf_token": csrf(edit.text), "item": "ungdomskriminalitet",
        "what_sv": "Först, omskriven", "responsible": "kommun", "responsible_name": "",
        "starts": "2026-04-01", "ends": "2026-12-31", "follow_up_sv": "Rapport i lägesbilden"})
    assert resp.status_code == 302
    action = measures(app)[0]
    assert (action.id, action.what, action.responsible, action.starts) == (
        first, {"sv": "Först, omskriven"}, "kommun", date(2026, 4, 1))

    page = staff.get(BASE + "/")
    resp = staff.post(f"{BASE}/atgarder/{second}/flytta/upp",
                      data={"csrf_token": csrf(page.text)})
    assert resp.status_code == 302
    assert focus_actions(app)[0] == [second, first]

    # Moved to another focus problem, it goes last there.
    edit = staff.get(f"{BASE}/atgarder/{first}/andra")
    resp = staff.post(f"{BASE}/atgarder/{first}/andra", data={
        "csrf_token": csrf(edit.text), "item": "inbrott", "what_sv": "Först, omskriven",
        "responsible": "kommun", "starts": "2026-04-01", "ends": "2026-12-31",
        "follow_up_sv": "Rapport i lägesbilden"})
    assert resp.status_code == 302
    assert focus_actions(app) == [[second], [first]]
    with app.app_context():
        actions = [e.action for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("promise.%_action"))
            .order_by(AuditEvent.id))]
    assert actions == ["promise.add_action", "promise.add_action", "promise.edit_action",
                       "promise.move_action", "promise.edit_action"]
    assert staff.get(f"{BASE}/atgarder/okand/andra").status_code == 404


def test_errors_are_in_swedish_and_linked_to_their_fields(app, staff, csrf):
    create(staff, csrf)
    resp = add_action(staff, csrf, what_sv="", starts="31/12", responsible="")
    assert resp.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', resp.text, re.S).group(0)
    links = dict(re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', summary))
    assert set(links) == {"what_sv", "starts", "responsible"}
    assert links["what_sv"].endswith("Fältet måste fyllas i.")
    assert "inte ett giltigt datum" in links["starts"]
    assert 'id="responsible"' in resp.text and 'id="what_sv"' in resp.text
    assert "This field is required" not in resp.text and "Not a valid" not in resp.text
    assert resp.text.count("<title>Fel:") == 1


def test_the_signed_loefte_is_linked_from_the_intro_and_the_start_page(app, staff, csrf):
    resident = app.test_client()
    assert "/loften/" not in resident.get("/sv/s/trygghet/").text
    signed_promise(app, staff, csrf)
    assert "/sv/loften/trygghet" in resident.get("/sv/s/trygghet/").text
    with app.app_context():
        survey = load_definition(builtin_template_path("trygghet"))
        catalog.publish(dataclasses.replace(survey, slug="trygghet-2028"), status="closed")
        catalog.find_survey("trygghet").status = "closed"
        db.session.commit()
    start = resident.get("/sv/").text
    # Each closed round links what came of it: its own signed löfte, none for the one without.
    assert "Vad hände sedan?" in start
    assert re.findall(r'<a class="card" href="([^"]+)"', start) == ["/sv/loften/trygghet"]
