"""Quick paper entry by answer codes (check page, located errors) and voiding a mis-keyed
paper questionnaire. The code logic is tested without a server; the pages with the client."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dialog.extensions import db
from dialog.models import AuditEvent, Response, ResponseFact
from dialog.paper.codes import (
    ONE_CODE_ONLY,
    SKIPPED,
    UNKNOWN_CODE,
    code_fields,
    paper_codes,
    read_codes,
    typed_codes,
)
from dialog.services import catalog, export
from surveys import load_builtin_template

URL = "/staff/surveys/trygghet/paper/codes"
# What a typist keys in from one questionnaire: places for word-coded options (alder 3 =
# 25-44), the scale's own numbers for the matrix (9 = vet ej), several codes with spaces.
TYPED = {"alder": "3", "kon": "1", "undviker": "1", "undviker_vad": "1 3",
         "problem.nedskrapning": "9", "problem.klotter": "2", "otrygga_platser": "Vid stationen",
         "prioritera": "1 4 9"}
ANSWERS = {"alder": "25-44", "kon": "kvinna", "undviker": "ja_ofta",
           "undviker_vad": ["centrum", "kollektivtrafik"], "problem.nedskrapning": "9",
           "problem.klotter": "2", "otrygga_platser": "Vid stationen",
           "prioritera": ["nedskrapning", "belysning", "narkotikahandel"]}


@pytest.fixture(scope="module")
def builtin():
    return load_builtin_template("trygghet")


def test_codes_are_the_scales_numbers_or_the_places_of_the_options(builtin):
    fields = {f.name: f for f in code_fields(builtin)}
    assert [c.typed for c in fields["problem.klotter"].codes] == ["1", "2", "3", "4", "9"]
    assert [(c.typed, c.option.code) for c in fields["alder"].codes][:2] == [
        ("1", "13-15"), ("2", "16-24")]
    assert (fields["problem.nedskrapning"].number, fields["problem.klotter"].number) == (
        "10a", "10b")
    assert fields["problem.nedskrapning"].first_of_matrix
    assert not fields["problem.klotter"].first_of_matrix
    assert [c.typed for c in paper_codes(builtin.question("kon").options)] == [
        "1", "2", "3", "4"]


def test_typed_codes_become_answers_and_back(builtin):
    fields = code_fields(builtin)
    entry = read_codes(builtin, fields, TYPED)
    assert entry.errors == {} and entry.missing == []
    assert entry.answers == ANSWERS
    assert typed_codes(fields, entry.answers) == TYPED


def test_places_are_typed_as_the_numbers_of_the_list(builtin):
    fields = code_fields(builtin)
    entry = read_codes(builtin, fields, {**TYPED, "otrygg_plats": "1 4"})
    assert entry.errors == {}
    empty = {"lat": None, "lon": None, "text": None}
    assert entry.answers["otrygg_plats"] == [{"place": "resecentrum", **empty},
                                             {"place": "stadsparken", **empty}]
    assert typed_codes(fields, entry.answers)["otrygg_plats"] == "1 4"
    too_many = read_codes(builtin, fields, {"otrygg_plats": "1 2 3 4"})
    assert too_many.errors["otrygg_plats"].code == "too_many"
    assert read_codes(builtin, fields, {"otrygg_plats": "16"}).errors["otrygg_plats"].code == (
        UNKNOWN_CODE)


def test_typing_errors_are_located_at_their_field(builtin):
    fields = code_fields(builtin)
    entry = read_codes(builtin, fields, {
        "alder": "", "kon": "7", "oro": "1 2", "undviker": "3", "undviker_vad": "1",
        "polisen_bryr_sig": "5", "prioritera": "1 2 3 4"})
    codes = {name: error.code for name, error in entry.errors.items()}
    assert codes == {"kon": UNKNOWN_CODE, "oro": ONE_CODE_ONLY, "undviker_vad": SKIPPED,
                     "polisen_bryr_sig": UNKNOWN_CODE, "prioritera": "too_many"}
    assert entry.errors["undviker_vad"].params == {"question": "6"}
    assert entry.errors["kon"].params == {"value": "7", "allowed": "1, 2, 3, 4"}
    assert [f.name for f in entry.missing] == ["alder"]


def _check(staff, csrf, typed, **extra):
    page = staff.get(URL)
    return staff.post(URL, data={"csrf_token": csrf(page.text), "paper_language": "sv",
                                 **typed, **extra})


def test_quick_entry_checks_then_saves(app, staff, csrf):
    form = staff.get(URL)
    assert form.status_code == 200
    # The label and the allowed codes beside each field; the first field takes the keyboard.
    assert "1 = 13–15 år" in form.text and "9 = Vet ej" in form.text
    assert re.search(r'<input[^>]*id="f-alder"[^>]*autofocus', form.text)
    check = _check(staff, csrf, TYPED, action="check")
    assert check.status_code == 200
    assert "Kontrollera pappersenkäten" in check.text
    assert "Bussar, tåg och hållplatser" in check.text
    with app.app_context():
        assert db.session.scalar(select(Response)) is None  # nothing saved by checking
    saved = _check(staff, csrf, TYPED, action="save")
    assert saved.status_code == 303
    with app.app_context():
        response = db.session.scalar(select(Response))
        assert (response.channel, response.status, response.answers) == (
            "paper", "complete", ANSWERS)
        assert db.session.get(ResponseFact, response.id) is not None
        assert db.session.scalar(select(AuditEvent.action).where(
            AuditEvent.target == str(response.id))) == "paper_entry"


def test_quick_entry_refuses_errors_blanks_and_unconfirmed_required_blanks(app, staff, csrf):
    wrong = _check(staff, csrf, {**TYPED, "kon": "7"}, action="save")
    assert wrong.status_code == 422
    assert '<a href="#f-kon">2. Koden ”7” finns inte här. Skriv en av: 1, 2, 3, 4.' in wrong.text
    assert re.search(r'id="f-kon"[^>]*aria-invalid="true"', wrong.text)
    blank = _check(staff, csrf, {}, action="check")
    assert blank.status_code == 422 and "inget sparades" in blank.text
    no_age = {**TYPED, "alder": ""}
    unconfirmed = _check(staff, csrf, no_age, action="save")
    assert unconfirmed.status_code == 422 and 'name="confirm_blank"' in unconfirmed.text
    with app.app_context():
        assert db.session.scalar(select(Response)) is None
    confirmed = _check(staff, csrf, no_age, confirm_blank="1", action="check")
    assert confirmed.status_code == 200
    assert "Obligatoriska frågor som personen lämnade tomma: 1" in confirmed.text
    assert _check(staff, csrf, no_age, confirm_blank="1", action="save").status_code == 303


def test_voiding_leaves_a_paper_questionnaire_out_and_it_can_be_entered_again(app, staff,
                                                                               csrf):
    _check(staff, csrf, TYPED, action="save")
    with app.app_context():
        response_id = db.session.scalar(select(Response.id))
    url = f"/staff/surveys/trygghet/paper/{response_id}/void"
    page = staff.get(url)
    assert page.status_code == 200 and "25–44 år" in page.text
    no_reason = staff.post(url, data={"csrf_token": csrf(page.text), "reason": "  "})
    assert no_reason.status_code == 422 and 'aria-invalid="true"' in no_reason.text
    voided = staff.post(url, data={"csrf_token": csrf(page.text), "reason": "Fel\x00 ålder\n"})
    assert voided.status_code == 303
    with app.app_context():
        response = db.session.get(Response, response_id)
        assert (response.status, response.void_reason) == ("excluded", "Fel ålder")
        assert db.session.get(ResponseFact, response_id).excluded
        record = catalog.find_survey("trygghet")
        rows = list(export.iter_response_rows(record, catalog.definition_of(
            record.current_version)))
        assert len(rows) == 1  # the header only
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "paper_void")).all()
        assert [(e.actor, e.target, e.detail) for e in events] == [
            ("samordnare@kommun.se", str(response_id), "trygghet: Fel ålder")]
    listed = staff.get(URL)
    assert "Makulerad: Fel ålder" in listed.text
    again = staff.get(f"{URL}?again={response_id}")
    assert re.search(r'id="f-undviker_vad" value="1 3"', again.text)
    # Twice changes nothing; a web response or an unknown one is not a paper questionnaire.
    assert staff.post(url, data={"csrf_token": csrf(page.text),
                                 "reason": "igen"}).status_code == 303
    with app.app_context():
        assert db.session.get(Response, response_id).void_reason == "Fel ålder"
    assert staff.get("/staff/surveys/trygghet/paper/999/void").status_code == 404
