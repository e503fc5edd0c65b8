"""Translation review per string: the side-by-side page, approve / edit / comment in the
audit log, a changed Swedish source, the XLIFF round trip, and the residents' note."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from dialog import auth
from dialog.extensions import db
from dialog.models import AuditEvent
from dialog.services import catalog
from dialog.translation_review import service
from dialog.translation_review.xliff import NS
from surveys import survey_from_dict, survey_to_dict
from surveys.strings import survey_strings

URL = "/staff/translations/surveys/trygghet"
KEY = "pages.trygghet.questions.ut_sent.text"
Q = f"{{{NS}}}"


def _current(app):
    with app.app_context():
        record = catalog.find_survey("trygghet")
        return record, catalog.definition_of(record.current_version)


def _states(app, lang: str) -> dict[str, str]:
    with app.app_context():
        _record, survey = _current(app)
        return {s.key: s.state for s in service.survey_review(survey, lang)}


def _post(client, csrf, url: str, **data):
    token = csrf(client.get(url).text)
    return client.post(url, data={"csrf_token": token, **data})


def test_side_by_side_page_shows_source_translation_and_state(staff):
    page = staff.get(f"{URL}/ar/")
    assert page.status_code == 200
    assert "Hur trygg känner du dig om du går ut ensam sent en kväll" in page.text
    assert "ما مدى شعورك بالأمان" in page.text
    assert f'<code>{KEY}</code>' in page.text
    assert page.text.count('class="review-state">Maskinöversättning<') == len(
        _states(staff.application, "ar"))
    assert staff.get(f"{URL}/sv/").status_code == 404  # the source is not a translation
    assert staff.get(f"{URL}/de/").status_code == 404
    overview = staff.get("/staff/translations/").text
    assert f'href="{URL}/ar/"' in overview
    assert 'href="/staff/translations/interface/fi/"' in overview


def test_approve_and_comment_are_per_string_and_audited(app, staff, csrf):
    resp = _post(staff, csrf, f"{URL}/so/", key=KEY, action="approve",
                 comment="Kontrollerad av tolk")
    assert resp.status_code == 303
    states = _states(app, "so")
    assert states[KEY] == "approved"
    assert sum(state == "approved" for state in states.values()) == 1
    assert set(_states(app, "ar").values()) == {"machine"}  # per language, too
    _post(staff, csrf, f"{URL}/so/", key=KEY, action="needs_review", comment="")
    assert _states(app, "so")[KEY] == "needs_review"
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action.like("translation.%")).order_by(AuditEvent.id)).all()
        assert [e.action for e in events] == ["translation.approved",
                                              "translation.needs_review"]
        assert events[0].actor == "samordnare@kommun.se" and KEY in events[0].target
        assert events[0].detail == "Kontrollerad av tolk"


def test_a_changed_swedish_source_marks_its_translations(app, staff, csrf):
    for lang in ("en", "fi"):
        _post(staff, csrf, f"{URL}/{lang}/", key=KEY, action="approve", comment="")
    _post(staff, csrf, f"{URL}/en/", key="title", action="approve", comment="")
    record, survey = _current(app)
    data = survey_to_dict(survey)
    data["pages"][1]["questions"][0]["text"]["sv"] = "Hur trygg känner du dig ute sent?"
    with app.app_context():
        assert catalog.publish(survey_from_dict(data)).created
    assert _states(app, "en")[KEY] == "needs_review"
    assert _states(app, "fi")[KEY] == "needs_review"
    assert _states(app, "en")["title"] == "approved"  # an unchanged source keeps its review


def test_editing_a_translation_publishes_a_version_and_approves_it(app, staff, csrf):
    record, before = _current(app)
    number = record.current_version.number
    resp = _post(staff, csrf, f"{URL}/uk/", key=KEY, action="edit", comment="",
                 text="Наскільки безпечно ви почуваєтеся ввечері?")
    assert resp.status_code == 303
    record, after = _current(app)
    assert record.current_version.number == number + 1
    assert after.question("ut_sent").text["uk"] == "Наскільки безпечно ви почуваєтеся ввечері?"
    assert after.question("ut_sent").text["sv"] == before.question("ut_sent").text["sv"]
    assert _states(app, "uk")[KEY] == "approved"
    empty = _post(staff, csrf, f"{URL}/uk/", key=KEY, action="edit", comment="", text=" ")
    assert empty.status_code == 303
    assert "Skriv översättningen" in staff.get(empty.headers["Location"]).text
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action).where(
            AuditEvent.action == "translation.edit")) == "translation.edit"


def test_interface_strings_take_state_and_comment_not_edits(app, staff, csrf):
    url = "/staff/translations/interface/so/"
    page = staff.get(url)
    assert page.status_code == 200 and "Magac la&#39;aan" in page.text
    assert 'name="text"' not in page.text
    resp = _post(staff, csrf, url, key="Anonymous", action="comment",
                 comment="Magac la'aan, not qarsoodi")
    assert resp.status_code == 303
    with app.app_context():
        rows = {s.key: s for s in service.catalog_review("so")}
    assert rows["Anonymous"].comment == "Magac la'aan, not qarsoodi"
    assert rows["Anonymous"].state == "machine"
    assert _post(staff, csrf, url, key="Anonymous", action="edit", comment="",
                 text="x").status_code == 405


def test_councillors_and_visitors_cannot_review(app, client, csrf):
    assert client.get(f"{URL}/ar/").status_code == 302  # to the login page
    with app.app_context():
        auth.create_user("ledamot@kommun.se", "korrekt-häst-batteri", "councillor")
    page = client.get("/staff/login")
    client.post("/staff/login", data={"csrf_token": csrf(page.text),
                                      "email": "ledamot@kommun.se",
                                      "password": "korrekt-häst-batteri"})
    assert client.get(f"{URL}/ar/").status_code == 403


def _units(root: ET.Element) -> dict[str, ET.Element]:
    return {unit.get("name"): unit for unit in root.iter(f"{Q}unit")}


def test_xliff_round_trip_changes_that_text_and_state_and_nothing_else(app, staff, csrf):
    exported = staff.get(f"{URL}/ti/xliff")
    assert exported.status_code == 200
    assert exported.headers["Content-Type"].startswith("application/xliff+xml")
    root = ET.fromstring(exported.data)
    assert (root.get("version"), root.get("srcLang"), root.get("trgLang")) == ("2.0", "sv", "ti")
    assert [f.get("id") for f in root.iter(f"{Q}file")] == ["survey:trygghet", "ui"]
    units = _units(root)
    record, before = _current(app)
    assert len([u for u in units if not u[0].isupper()]) >= len(survey_strings(before))
    states_before = _states(app, "ti")
    # The agency edits one target, marks it final and adds a note.
    unit = units[KEY]
    segment = unit.find(f"{Q}segment")
    segment.set("state", "final")
    segment.find(f"{Q}target").text = "ኣብ ከባቢኹም ምሸት ክንደይ ውሕስነት ይስምዓኩም?"
    notes = ET.Element(f"{Q}notes")
    ET.SubElement(notes, f"{Q}note").text = "Checked by the agency"
    unit.insert(0, notes)
    edited = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    page = staff.get(f"{URL}/ti/")
    resp = staff.post(f"{URL}/ti/xliff", data={
        "csrf_token": csrf(page.text), "file": (io.BytesIO(edited), "trygghet-ti.xlf")},
        content_type="multipart/form-data")
    assert resp.status_code == 303
    record, after = _current(app)
    assert after.question("ut_sent").text["ti"] == "ኣብ ከባቢኹም ምሸት ክንደይ ውሕስነት ይስምዓኩም?"
    # Nothing else in the definition changed ...
    expected = survey_to_dict(before)
    expected["pages"][1]["questions"][0]["text"]["ti"] = "ኣብ ከባቢኹም ምሸት ክንደይ ውሕስነት ይስምዓኩም?"
    assert survey_to_dict(after) == expected
    # ... and no other state.
    states_after = _states(app, "ti")
    assert states_after[KEY] == "approved"
    assert {k: v for k, v in states_after.items() if k != KEY} == {
        k: v for k, v in states_before.items() if k != KEY}
    with app.app_context():
        review = {s.key: s for s in service.survey_review(after, "ti")}
        assert review[KEY].comment == "Checked by the agency"
        assert all(s.comment is None for s in service.catalog_review("ti"))
        detail = db.session.scalar(select(AuditEvent.detail).where(
            AuditEvent.action == "translation.import"))
    assert detail.startswith("texts 1, states 1, comments 1, unknown 0")


@pytest.mark.parametrize(("document", "message"), [
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "XLIFF 2.0-fil"),
    (b"not xml at all", "XLIFF 2.0-fil"),
    (f'<xliff xmlns="{NS}" version="2.0" srcLang="sv" trgLang="ar"/>'.encode(), "annat språk"),
    (f'<xliff xmlns="{NS}" version="2.0" srcLang="sv" trgLang="fa"><file id="survey:other"/>'
     "</xliff>".encode(), "annan enkät"),
])
def test_xliff_import_refuses_what_it_cannot_use(app, staff, csrf, document, message):
    record, _survey = _current(app)
    number = record.current_version.number
    page = staff.get(f"{URL}/fa/")
    resp = staff.post(f"{URL}/fa/xliff", data={
        "csrf_token": csrf(page.text), "file": (io.BytesIO(document), "x.xlf")},
        content_type="multipart/form-data")
    assert resp.status_code == 303 and resp.headers["Location"] == f"{URL}/fa/"
    assert message in staff.get(resp.headers["Location"]).text.split('class="notice"')[1]
    record, _survey = _current(app)
    assert record.current_version.number == number


def test_residents_see_the_note_until_their_page_is_approved(app, staff, csrf):
    note = "ترجمة آلية لم تتم مراجعتها بعد. النص السويدي هو المعتمد."
    assert note in app.test_client().get("/ar/s/trygghet/").text
    assert "machine-note" not in app.test_client().get("/sv/s/trygghet/").text
    record, survey = _current(app)
    for key in [s.key for s in survey_strings(survey)
                if s.key == "title" or s.key.startswith("intro.")]:
        _post(staff, csrf, f"{URL}/ar/", key=key, action="approve", comment="")
    assert note not in app.test_client().get("/ar/s/trygghet/").text
    assert "Machine translation, not yet checked" in app.test_client().get(
        "/en/s/trygghet/").text
