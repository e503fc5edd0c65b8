"""Free-text review: removing any span after a confirmation, the reviewed mark, and the
filters (unreviewed by default, newest or oldest first)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dialog.extensions import db
from dialog.models import AuditEvent, Response, utcnow
from dialog.services import catalog
from dialog.services.redaction import REDACTED
from tests.dialog.helpers import remove_text

REVIEW = "/staff/surveys/trygghet/free-text"
FIELD = "tryggare"  # a free-text question of the built-in survey
TEXT = "Kalle Svensson säljer knark på Storgatan 12. Han är där varje kväll."


def _add(app, *texts: str) -> list[int]:
    with app.app_context():
        record = catalog.find_survey("trygghet")
        rows = [Response(version_id=record.current_version_id, status="complete",
                         channel="web", language="sv", answers={FIELD: text},
                         completed_at=utcnow()) for text in texts]
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def _stored(app, response_id: int) -> str:
    with app.app_context():
        return db.session.get(Response, response_id).answers[FIELD]


def _order(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li id="r(\d+)-' + FIELD, html)]


def test_any_span_is_removed_only_after_a_confirmation_of_before_and_after(app, staff, csrf):
    [first] = _add(app, TEXT)
    page = staff.get(REVIEW)
    assert '<mark title="name">Kalle Svensson</mark>' in page.text
    assert '<mark title="address">Storgatan 12</mark>' in page.text
    url = f"{REVIEW}/{first}/{FIELD}"
    start = TEXT.index("varje kväll")
    shown, done = remove_text(staff, url, {
        "csrf_token": csrf(page.text), "scope": "span", "selected": "varje kväll",
        "start": str(start), "end": str(start + len("varje kväll")), "order": "oldest"})
    assert "Det går inte att ångra" in shown.text and "<del>varje kväll</del>" in shown.text
    assert f"Han är där {REDACTED}." in shown.text
    assert done.status_code == 303 and done.location.endswith(f"?order=oldest#r{first}-{FIELD}")
    assert _stored(app, first) == TEXT.replace("varje kväll", REDACTED)
    # Without a script: the typed words, every occurrence; offsets that do not fit the
    # words are not trusted.
    _shown, done = remove_text(staff, url, {"csrf_token": csrf(page.text), "scope": "span",
                                            "selected": "Svensson", "start": "0", "end": "3"})
    assert _stored(app, first).startswith(f"Kalle {REDACTED} säljer")


@pytest.mark.postgres
def test_a_removal_is_refused_when_the_text_is_missing_or_changed_meanwhile(app, staff, csrf):
    [first] = _add(app, TEXT)
    page = staff.get(REVIEW)
    url = f"{REVIEW}/{first}/{FIELD}"
    data = {"csrf_token": csrf(page.text), "scope": "span", "selected": "knark"}
    missing = staff.post(url, data={**data, "selected": "finns inte"})
    assert missing.status_code == 422 and "finns inte i svaret" in missing.text
    shown = staff.post(url, data=data)
    digest = re.search(r'name="digest" value="(\w+)"', shown.text).group(1)
    remove_text(staff, url, {**data, "scope": "flagged"})  # someone else removes first
    late = staff.post(url, data={**data, "confirmed": "1", "digest": digest})
    assert late.status_code == 409
    assert "knark" in _stored(app, first)
    with app.app_context():
        details = db.session.scalars(select(AuditEvent.detail).where(
            AuditEvent.action == "redact_free_text")).all()
    assert details == ["flagged"]  # what was removed is never logged


@pytest.mark.postgres
def test_reviewed_mark_filter_and_order(app, staff, csrf):
    older, newer = _add(app, "Mörkt i parken", "Fler poliser i centrum")
    page = staff.get(REVIEW)
    assert _order(page.text) == [newer, older]  # unreviewed, newest first
    assert _order(staff.get(f"{REVIEW}?order=oldest").text) == [older, newer]
    marked = staff.post(f"{REVIEW}/{newer}/{FIELD}/reviewed",
                        data={"csrf_token": csrf(page.text), "reviewed": "1"})
    assert marked.status_code == 303
    assert _order(staff.get(REVIEW).text) == [older]
    everything = staff.get(f"{REVIEW}?show=all")
    assert _order(everything.text) == [newer, older]
    assert "Granskat av samordnare@kommun.se" in everything.text
    staff.post(f"{REVIEW}/{newer}/{FIELD}/reviewed",
               data={"csrf_token": csrf(page.text), "reviewed": "0"})
    assert _order(staff.get(REVIEW).text) == [newer, older]
    with app.app_context():
        actions = db.session.execute(select(AuditEvent.actor, AuditEvent.action,
                                            AuditEvent.target)
                                     .where(AuditEvent.action.like("free_text_%"))).all()
    assert [tuple(a) for a in actions] == [
        ("samordnare@kommun.se", "free_text_reviewed", f"response {newer} {FIELD}"),
        ("samordnare@kommun.se", "free_text_unreviewed", f"response {newer} {FIELD}")]


PLACE = "otrygg_plats"  # the built-in survey's place question, with the free-text follow-up "mer"


def test_the_text_of_a_place_mark_and_its_free_text_follow_up_are_reviewed_in_place(
        app, staff, csrf):
    marks = [{"place": "resecentrum", "lat": None, "lon": None, "text": None,
              "varfor": ["belysning"], "mer": "Anna Berg står där och hotar folk"},
             {"place": None, "lat": 61.30312, "lon": 17.06044, "text": "Storgatan 12",
              "nar": ["natt"]}]
    with app.app_context():
        record = catalog.find_survey("trygghet")
        row = Response(version_id=record.current_version_id, status="complete", channel="web",
                       language="sv", answers={PLACE: marks}, completed_at=utcnow())
        db.session.add(row)
        db.session.commit()
        response_id = row.id
    page = staff.get(f"{REVIEW}?flagged=1")
    assert re.findall(r'<li id="r\d+-([\w.]+)"', page.text) == [f"{PLACE}.1.mer",
                                                               f"{PLACE}.2.text"]
    assert '<mark title="address">Storgatan 12</mark>' in page.text
    assert "Plats 2: Gata eller känd plats" in page.text
    assert "Plats 1: Vill du berätta mer om platsen?" in page.text
    for field, scope in ((f"{PLACE}.2.text", "flagged"), (f"{PLACE}.1.mer", "all")):
        shown, done = remove_text(staff, f"{REVIEW}/{response_id}/{field}",
                                  {"csrf_token": csrf(page.text), "scope": scope})
        assert "<del>" in shown.text and done.status_code == 303
        marked = staff.post(f"{REVIEW}/{response_id}/{field}/reviewed",
                            data={"csrf_token": csrf(page.text), "reviewed": "1"})
        assert marked.status_code == 303
    with app.app_context():
        stored = db.session.get(Response, response_id).answers[PLACE]
    # Only the texts changed: each mark keeps its place, point and other follow-ups.
    assert stored == [{**marks[0], "mer": REDACTED}, {**marks[1], "text": REDACTED}]
    assert f"r{response_id}-" not in staff.get(REVIEW).text  # both reviewed
    # A mark's key that is not free text, or a mark that is not there, is no answer to review.
    for field in (f"{PLACE}.1.place", f"{PLACE}.3.text", f"{PLACE}.x.text", PLACE):
        assert staff.post(f"{REVIEW}/{response_id}/{field}", data={
            "csrf_token": csrf(page.text), "scope": "all"}).status_code == 404
