"""Survey rounds in the staff area: counts, uploads with preview and publish, dates, paper
entry, free-text review with redaction, population tables."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from dialog.extensions import db
from dialog.models import AuditEvent, Response, utcnow
from dialog.services import catalog
from dialog.services.redaction import REDACTED
from surveys import builtin_template_path, prune_hidden
from surveys.importers import import_file
from tests.conftest import SHARED
from tests.dialog.helpers import as_answers, fill, filled_marks, remove_text
from tests.hostile_files import entity_amplification_lss, huge_cell_xlsform

EMAIL = "samordnare@kommun.se"  # the account of the ``staff`` fixture


def add_response(app, answers, *, status="complete", channel="web", language="sv"):
    with app.app_context():
        record = catalog.find_survey("trygghet")
        response = Response(version_id=record.current_version_id, status=status,
                            channel=channel, language=language, answers=answers,
                            completed_at=utcnow() if status == "complete" else None)
        db.session.add(response)
        db.session.commit()
        return response.id


def full_answers(survey):
    answers: dict = {}
    for page in survey.pages:
        answers.update(as_answers(fill(page, answers)))
    return prune_hidden(survey, answers)


def audit_actions(app):
    with app.app_context():
        return [(e.actor, e.action, e.target, e.detail)
                for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_overview_counts_by_status_channel_language_and_age(app, staff, survey):
    answers = full_answers(survey)
    for channel, language in [("web", "sv"), ("web", "en"), ("kiosk", "sv")]:
        add_response(app, answers, channel=channel, language=language)
    add_response(app, {"alder": "80plus"}, status="partial")
    overview = staff.get("/staff/")
    assert overview.status_code == 200
    assert "/staff/surveys/trygghet/" in overview.text
    page = staff.get("/staff/surveys/trygghet/")
    assert page.status_code == 200
    assert "3 " in page.text and "kiosk" in page.text and "English" in page.text
    age_code = answers["alder"]
    with app.app_context():
        from dialog.rounds.service import round_counts

        counts = round_counts(catalog.find_survey("trygghet"), survey)
    assert (counts.complete, counts.partial) == (3, 1)
    assert counts.by_channel == {"web": 2, "kiosk": 1}
    assert counts.by_language == {"sv": 2, "en": 1}
    assert counts.by_age_band == {age_code: 3}


YAML_V2 = builtin_template_path("trygghet").read_text(encoding="utf-8").replace(
    "Hur gammal är du?", "Hur gammal är du i dag?")


def upload(client, csrf, name, data: bytes):
    page = client.get("/staff/upload")
    return client.post("/staff/upload", data={
        "csrf_token": csrf(page.text), "definition": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def test_upload_preview_and_publish_a_new_version(app, staff, csrf):
    resp = upload(staff, csrf, "trygghet.yaml", YAML_V2.encode())
    assert resp.status_code == 302
    pending_url = resp.headers["Location"]
    pending = staff.get(pending_url)
    assert pending.status_code == 200
    for lang in ("sv", "en"):
        preview = staff.get(f"{pending_url}preview/{lang}/")
        assert preview.status_code == 200
        assert f'<html lang="{lang}"' in preview.text
        assert "disabled" in preview.text and 'method="post"' not in preview.text.split(
            "<main")[1]
    swedish = staff.get(f"{pending_url}preview/sv/").text
    assert "Hur gammal är du i dag?" in swedish
    # The key figures are shown with what they count, for the people checking translations.
    assert "Känner sig otrygga ute ensamma sent en kväll" in swedish
    assert "Andel som svarar Ganska otrygg, Mycket otrygg på" in swedish
    assert "Räknas inte med: Vet ej." in swedish
    assert staff.get(f"{pending_url}preview/de/").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Response.id)) is None  # previews create nothing
        assert catalog.find_survey("trygghet").current_version.number == 1
    publish = staff.post(f"{pending_url}publish", data={"csrf_token": csrf(pending.text)})
    assert publish.status_code == 302
    with app.app_context():
        assert catalog.find_survey("trygghet").current_version.number == 2
    assert staff.get(pending_url).status_code == 404
    assert [a[1] for a in audit_actions(app)] == ["sign_in", "upload_definition", "publish_survey"]


def test_invalid_definition_lists_problems_with_locations(staff, csrf):
    broken = YAML_V2.replace("type: single_choice", "type: single_choise", 1)
    resp = upload(staff, csrf, "trasig.yaml", broken.encode())
    assert resp.status_code == 422
    assert "single_choise" in resp.text
    assert "pages[0].questions[0]" in resp.text or "om_dig" in resp.text
    assert "line" in resp.text or "rad" in resp.text
    assert upload(staff, csrf, "enkät.pdf", b"%PDF").status_code == 422
    assert upload(staff, csrf, "x.yaml", b"\xff\xfe\x00bad").status_code == 422


def test_limesurvey_import_shows_what_is_left_out_and_can_be_cancelled(app, staff, csrf):
    lss = SHARED / "fixtures" / "limesurvey" / "limesurvey_survey_rankingNative.lss"
    resp = upload(staff, csrf, lss.name, lss.read_bytes())
    # The fixture has no intro texts, which every survey needs: the staff member gets the
    # imported YAML to complete, and sees what the import left out.
    assert resp.status_code == 422
    assert "<textarea" in resp.text and "slug: ranking-export-test-fixture" in resp.text
    assert "responsible" in resp.text
    assert resp.text.count('class="problems"') == 2
    draft = re.search(r'<textarea id="draft"[^>]*>(.*?)</textarea>', resp.text, re.S).group(1)
    completed = html.unescape(draft).replace("intro: {}", INTRO)
    resp = upload(staff, csrf, "completed.yaml", completed.encode())
    assert resp.status_code == 302, resp.text[-3000:]
    pending = staff.get(resp.headers["Location"])
    assert pending.status_code == 200
    assert staff.get(resp.headers["Location"] + "preview/en/").status_code == 200
    cancel = staff.post(resp.headers["Location"] + "cancel",
                        data={"csrf_token": csrf(pending.text)})
    assert cancel.status_code == 302
    with app.app_context():
        assert catalog.find_survey("ranking-export-test-fixture") is None


INTRO = """intro:
  responsible: {en: The municipality}
  purpose: {en: To rank problems}
  anonymity: {en: Anonymous}
  retention: {en: Two years}
  voluntary: {en: Voluntary}"""


def test_garbage_import_is_a_clear_error(staff, csrf):
    resp = upload(staff, csrf, "enkät.lss", b"<not xml")
    assert resp.status_code == 422
    assert 'role="alert"' in resp.text


def test_upload_lists_what_the_import_drops_like_the_command(staff, csrf):
    """The upload check shows every left-out part the command line prints, with its place."""
    path = SHARED / "fixtures" / "import-corpus" / "xlsform" / "xlsformutil_demo.xlsx"
    resp = upload(staff, csrf, path.name, path.read_bytes())
    assert resp.status_code == 422  # no intro texts in an XLSForm: staff complete the draft
    left_out = resp.text.split("Utelämnat vid importen")[1]  # the staff pages' Swedish
    listed = re.findall(r"<li><code>(.*?)</code>: (.*?)</li>", left_out)
    expected = import_file(path).unsupported
    assert len(listed) == len(expected)
    assert (html.unescape(listed[0][0]), html.unescape(listed[0][1])) == (
        expected[0].location, f"{expected[0].element} – {expected[0].reason}")
    assert any("language 'Oromiffa'" in html.unescape(item) for _, item in listed)


def test_hostile_upload_is_refused_with_the_limit_it_broke(staff, csrf, tmp_path):
    bomb = entity_amplification_lss(tmp_path / "bomb.lss").read_bytes()
    resp = upload(staff, csrf, "bomb.lss", bomb)
    assert resp.status_code == 422
    assert "declares a document type (&lt;!DOCTYPE&gt;) with entities" in resp.text
    assert "x" * 1000 not in resp.text  # nothing of the expansion reaches the page
    cell = huge_cell_xlsform(tmp_path / "cell.xlsx").read_bytes()
    resp = upload(staff, csrf, "cell.xlsx", cell)
    assert resp.status_code == 422
    assert "unpacks to 210 MB; at most 17 MB per part" in resp.text


def test_new_survey_is_published_as_a_draft(app, staff, csrf):
    text = YAML_V2.replace("slug: trygghet", "slug: trygghet-2027", 1)
    resp = upload(staff, csrf, "ny.yaml", text.encode())
    pending = staff.get(resp.headers["Location"])
    staff.post(resp.headers["Location"] + "publish", data={"csrf_token": csrf(pending.text)})
    with app.app_context():
        assert catalog.find_survey("trygghet-2027").status == "draft"
    # A draft looks like an unknown address everywhere a resident could try it.
    unknown = [staff.get(url).status_code for url in (
        "/sv/s/finns-inte/", "/sv/s/finns-inte/klart", "/kiosk/finns-inte/sv/klart")]
    drafts = [staff.get(url).status_code for url in (
        "/sv/s/trygghet-2027/", "/sv/s/trygghet-2027/p/1", "/sv/s/trygghet-2027/klart",
        "/kiosk/trygghet-2027/sv/klart")]
    assert unknown == [404] * 3 and drafts == [404] * 4


@pytest.mark.postgres
def test_dates_open_and_close_the_round_for_residents(app, staff, csrf, client):
    page = staff.get("/staff/surveys/trygghet/")
    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()
    resp = staff.post("/staff/surveys/trygghet/schedule", data={
        "csrf_token": csrf(page.text), "status": "open", "opens_at": tomorrow, "closes_at": ""})
    assert resp.status_code == 302
    assert staff.get("/sv/s/trygghet/").status_code == 410
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
    today = utcnow().date().isoformat()
    staff.post("/staff/surveys/trygghet/schedule", data={
        "csrf_token": csrf(page.text), "status": "open", "opens_at": yesterday,
        "closes_at": today})
    # "Closes after today" still takes answers today.
    assert staff.get("/sv/s/trygghet/").status_code == 200
    staff.post("/staff/surveys/trygghet/schedule", data={
        "csrf_token": csrf(page.text), "status": "open", "opens_at": today,
        "closes_at": yesterday})
    with app.app_context():
        # Refused (closing before opening): the earlier dates stay.
        closes = catalog.find_survey("trygghet").closes_at
        assert closes.date() == utcnow().date() + timedelta(days=1)
    staff.post("/staff/surveys/trygghet/schedule", data={
        "csrf_token": csrf(page.text), "status": "closed", "opens_at": "", "closes_at": ""})
    assert staff.get("/sv/s/trygghet/").status_code == 410
    assert "schedule_survey" in [a[1] for a in audit_actions(app)]


def paper_form(survey):
    data: dict[str, list[str]] = {}
    answers: dict = {}
    for page in survey.pages:
        filled = fill(page, answers)
        answers.update(as_answers(filled))
        data.update(filled)
    for question in survey.questions():
        if question.type == "place":
            answers = {k: v for k, v in answers.items() if not k.startswith(f"{question.id}.")}
            answers[question.id] = filled_marks(question)
    return data, answers


def test_paper_entry_saves_a_complete_paper_response_and_audits_who(app, staff, csrf, survey):
    page = staff.get("/staff/surveys/trygghet/paper")
    assert page.status_code == 200
    data, answers = paper_form(survey)
    resp = staff.post("/staff/surveys/trygghet/paper",
                      data={**data, "paper_language": "en", "csrf_token": csrf(page.text)})
    assert resp.status_code == 302, resp.text[:1000]
    with app.app_context():
        response = db.session.scalar(select(Response))
        assert (response.status, response.channel, response.language) == (
            "complete", "paper", "en")
        assert response.token_hash is None
        as_lists = {k: v if isinstance(v, list) else [v] for k, v in response.answers.items()}
        assert as_lists == {k: v if isinstance(v, list) else [v]
                            for k, v in prune_hidden(survey, answers).items()}
        response_id = response.id
    assert (EMAIL, "paper_entry", str(response_id), "trygghet") in audit_actions(app)


def test_paper_entry_accepts_blanks_but_not_invalid_answers(app, staff, csrf, survey):
    page = staff.get("/staff/surveys/trygghet/paper")
    # an entirely blank form is a slip, not a response
    empty = staff.post("/staff/surveys/trygghet/paper", data={"csrf_token": csrf(page.text)})
    assert empty.status_code == 422 and "inget sparades" in empty.text
    first = survey.pages[0].questions[0]
    one = first.options[0].code
    blank = staff.post("/staff/surveys/trygghet/paper", data={"csrf_token": csrf(page.text),
                                                              first.id: one})
    assert blank.status_code == 302  # the other questions left blank
    wrong = staff.post("/staff/surveys/trygghet/paper", data={
        "csrf_token": csrf(page.text), first.id: "finns-inte"})
    assert wrong.status_code == 422
    assert 'class="error-summary"' in wrong.text
    with app.app_context():
        assert len(db.session.scalars(select(Response)).all()) == 1


def free_text_question(survey):
    return next(q for q in survey.questions() if q.type == "free_text")


def test_free_text_review_flags_and_redacts_for_good(app, staff, csrf, survey):
    field = free_text_question(survey).id
    secret = "Ring Anna på 070-123 45 67, pnr 811228-9874"
    flagged_id = add_response(app, {field: secret})
    plain_id = add_response(app, {field: "Mer belysning vid stationen"})
    page = staff.get("/staff/surveys/trygghet/free-text")
    assert page.status_code == 200
    assert "<mark" in page.text and "Mer belysning vid stationen" in page.text
    only = staff.get("/staff/surveys/trygghet/free-text?flagged=1")
    assert "Mer belysning" not in only.text and "070-123 45 67" in only.text
    views = [a for a in audit_actions(app) if a[1] == "view_free_text"]
    assert views == [(EMAIL, "view_free_text", "trygghet", None),
                     (EMAIL, "view_free_text", "trygghet", "flagged=1")]
    shown, resp = remove_text(staff, f"/staff/surveys/trygghet/free-text/{flagged_id}/{field}",
                              {"csrf_token": csrf(page.text), "scope": "flagged"})
    assert "går inte att ångra" in shown.text and "<del>Anna</del>" in shown.text
    assert resp.status_code == 303
    remove_text(staff, f"/staff/surveys/trygghet/free-text/{plain_id}/{field}",
                {"csrf_token": csrf(page.text), "scope": "all"})
    with app.app_context():
        kept = db.session.get(Response, flagged_id).answers[field]
        assert "070" not in kept and "811228" not in kept and "Anna" not in kept
        assert kept.startswith("Ring " + REDACTED)
        assert db.session.get(Response, plain_id).answers[field] == REDACTED
    events = [a for a in audit_actions(app) if a[1] == "redact_free_text"]
    assert len(events) == 2 and all(a[0] == EMAIL for a in events)
    # Who and when, never what was removed.
    assert not any("Anna" in str(a) or "070" in str(a) for a in audit_actions(app))
    bad = staff.post(f"/staff/surveys/trygghet/free-text/{plain_id}/alder",
                     data={"csrf_token": csrf(page.text), "scope": "all"})
    assert bad.status_code == 404


def test_population_table_upload(app, staff, csrf):
    page = staff.get("/staff/surveys/trygghet/")
    bad = staff.post("/staff/surveys/trygghet/population", data={
        "csrf_token": csrf(page.text), "source": "SCB 2024",
        "table": (io.BytesIO(b"age_band,gender,count\n99-100,kvinna,5\n"), "pop.csv")},
        content_type="multipart/form-data", follow_redirects=True)
    assert bad.status_code == 200
    assert "99-100" in bad.text
    assert "store_population" not in [a[1] for a in audit_actions(app)]


def test_population_table_is_stored_and_shown_next_to_the_age_bands(app, staff, csrf, survey):
    bands = [o.code for o in survey.question("alder").options]
    lines = ["age_band,gender,count", *(f"{band},{gender},{100 if band == bands[0] else 300}"
                                        for band in bands for gender in ("kvinna", "man"))]
    page = staff.get("/staff/surveys/trygghet/")
    resp = staff.post("/staff/surveys/trygghet/population", data={
        "csrf_token": csrf(page.text), "source": "SCB 2024",
        "table": (io.BytesIO("\n".join(lines).encode()), "pop.csv")},
        content_type="multipart/form-data")
    assert resp.status_code == 302
    shown = staff.get("/staff/surveys/trygghet/").text
    # 200 of 200 + 5 × 600 people are in the first band: 6 %, each other band 19 %.
    assert "6\u00a0%" in shown and "19\u00a0%" in shown and "SCB 2024" in shown
    assert (EMAIL, "store_population", "trygghet", "SCB 2024") in audit_actions(app)


def test_staff_see_which_translations_await_review(staff, survey):
    page = staff.get("/staff/surveys/trygghet/?lang=en").text
    unreviewed = [code for code, state in survey.review.items() if state == "machine"]
    assert unreviewed, "the built-in survey marks its machine translations"
    assert page.count('class="review-marker"') == len(unreviewed)
