"""Repeat answers in open web rounds: limited per client, shown to staff without keeping any
address, and left out of every analysis when staff say so (in the audit log)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update

from dialog import auth, repeats
from dialog.extensions import db
from dialog.models import AuditEvent, ClientSalt, Response, utcnow
from dialog.services import catalog
from dialog.services.results import store
from tests.dialog.helpers import walk

# On PostgreSQL too: a unique-constraint race between workers (IntegrityError).
pytestmark = pytest.mark.postgres

PASSWORD = "korrekt-häst-batteri"


def staff_client(app, csrf):
    with app.app_context():
        auth.create_user("samordnare@kommun.se", PASSWORD, "staff")
    client = app.test_client()
    page = client.get("/staff/login")
    client.post("/staff/login", data={"csrf_token": csrf(page.text),
                                      "email": "samordnare@kommun.se", "password": PASSWORD})
    return client


def statuses(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Response.status).order_by(Response.id)))


def test_one_browser_answering_three_times_is_shown_and_can_be_left_out(app, client, csrf,
                                                                        survey):
    for _ in range(3):
        assert walk(client, csrf, survey).endswith("/klart")
    # the browser remembers: the next visit is asked whether someone else wants to answer
    intro = client.get("/sv/s/trygghet/")
    assert "Du har redan svarat" in intro.text
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"  # same answers, another network
    walk(other, csrf, survey)
    staff = staff_client(app, csrf)
    page = staff.get("/staff/surveys/trygghet/repeats")
    assert page.status_code == 200
    ids = re.findall(r'name="response" value="(\d+)"', page.text)
    assert len(ids) == 2  # the first of the three is kept
    with app.app_context():
        before = store.results_for(catalog.find_survey("trygghet")).n_complete
    resp = staff.post("/staff/surveys/trygghet/repeats",
                      data={"csrf_token": csrf(page.text), "action": "exclude", "response": ids})
    assert resp.status_code == 303
    assert statuses(app) == ["complete", "excluded", "excluded", "complete"]
    with app.app_context():
        assert store.results_for(catalog.find_survey("trygghet")).n_complete == before - 2
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "responses.exclude"))
        assert event.actor == "samordnare@kommun.se" and event.target == "trygghet"
    export = staff.get("/staff/surveys/trygghet/export?format=csv")
    assert export.status_code == 200 and export.text.count("\n") == 3  # header + 2 kept
    # the excluded person's browser still sees the thank-you, never the answers again
    assert client.get("/sv/s/trygghet/p/1").headers["Location"].endswith("/sv/s/trygghet/klart")
    page = staff.get("/staff/surveys/trygghet/repeats")
    staff.post("/staff/surveys/trygghet/repeats",
               data={"csrf_token": csrf(page.text), "action": "include", "response": ids})
    assert statuses(app) == ["complete"] * 4
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "responses.include")) == 1


def test_no_address_is_kept_and_tags_are_wiped(app, client, csrf, survey):
    walk(client, csrf, survey)
    with app.app_context():
        tag = db.session.scalar(select(Response.client_tag))
        assert tag and len(tag) == 32
        dump = " ".join(str(row) for table in ("response", "client_salt", "audit_event")
                        for row in db.session.execute(text(f"SELECT * FROM {table}")))
        assert "127.0.0.1" not in dump
        # two days on: the salt of that day is gone and the tag is wiped
        later = utcnow() + timedelta(days=3)
        repeats.forget_old_tags(later)
        assert db.session.scalar(select(Response.client_tag)) is None
        assert db.session.scalar(select(func.count()).select_from(ClientSalt)) == 0


def test_old_tags_cannot_be_excluded(app, client, csrf, survey):
    for _ in range(2):
        walk(client, csrf, survey)
    with app.app_context():
        db.session.execute(update(Response).values(client_tag=None))
        db.session.commit()
        record = catalog.find_survey("trygghet")
        assert repeats.likely_repeats(record) == []
        assert repeats.set_excluded(record, [1, 2], True) == 0


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "RATELIMIT_STARTS_PER_CLIENT": "2 per hour"}])
def test_starting_again_and_again_is_limited_per_client(app, client, csrf):
    page = client.get("/sv/s/trygghet/")
    codes = [client.post("/sv/s/trygghet/", data={"csrf_token": csrf(page.text)}).status_code
             for _ in range(3)]
    assert codes == [302, 302, 429]
    blocked = client.post("/sv/s/trygghet/", data={"csrf_token": csrf(page.text)})
    assert "Retry-After" in blocked.headers
