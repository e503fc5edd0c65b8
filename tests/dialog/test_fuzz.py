"""Property-based fuzzing: arbitrary field names, values, encodings and lengths POSTed to every
resident, kiosk and staff endpoint. Never a 500, and a rejected post leaves the database as it
was. One app per test function; hypothesis varies the requests."""

from __future__ import annotations

import hashlib
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect
from werkzeug.test import stream_encode_multipart

from dialog.auth import create_user
from dialog.extensions import db
from tests.dialog.helpers import begin

# On PostgreSQL too: it refuses what SQLite stores (NUL characters, over-long text).
pytestmark = pytest.mark.postgres

# Four fuzzed areas × 1,000 requests, each followed by a digest of every table: about a
# minute of the suite's 15 on two cores; 2,000 took twice that.
EXAMPLES = 1000
# The same requests reach the same code on PostgreSQL; fewer there keep the suite short, while
# still catching what only PostgreSQL refuses (NUL characters in text, for one).
EXAMPLES_POSTGRES = 300
# Failed logins are recorded on purpose (throttling); the audit log records refusals.
UNTRACKED_TABLES = {"staff_failed_login", "audit_event", "alembic_version"}


def fuzz_settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])


KNOWN_NAMES = ["csrf_token", "action", "switch_lang", "alder", "kon", "omrade", "ut_sent",
               "problem.klotter", "prioritera", "tryggare", "otrygga_platser", "email",
               "password", "status", "opens_at", "closes_at", "file", "language", "text",
               "role", "title", "confirm", "new", "current", "answers", "redacted"]
names = st.one_of(st.sampled_from(KNOWN_NAMES), st.text(max_size=40))
values = st.one_of(
    st.sampled_from(["next", "back", "1", "2", "", "sv", "ar", "kvinna", "16-24", "-1",
                     "9" * 40, "=cmd|' /C calc'!A0", "<script>alert(1)</script>"]),
    st.text(max_size=200),
    st.tuples(st.text(min_size=1, max_size=3), st.integers(1000, 30_000)).map(
        lambda part: part[0] * part[1]),
)
fields = st.lists(st.tuples(names, values), max_size=12)
encodings = st.sampled_from(["urlencoded", "multipart", "latin-1", "raw-bytes", "json"])


def database_digest(app, tables: list[str]) -> str:
    """A fingerprint of the tracked tables' content. Read through the driver's own cursor:
    it runs after every fuzzed request, and SQLAlchemy's rows made it a third of the test."""
    digest = hashlib.sha256()
    with app.app_context():
        connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
            digest.update(repr(cursor.fetchall()).encode())
        cursor.close()
    finally:
        connection.close()
    return digest.hexdigest()


def post(client, url: str, pairs: list[tuple[str, str]], encoding: str, token: str | None,
         raw: bytes):
    if token is not None:
        pairs = [("csrf_token", token), *pairs]
    if encoding == "multipart":
        data: dict[str, list[str]] = {}
        for k, v in pairs:
            data.setdefault(k, []).append(v)
        # Encoded here in memory: the test client spools bodies over 500 kB to a temporary
        # file that it never closes.
        stream, _length, boundary = stream_encode_multipart(data, use_tempfile=False)
        return client.post(url, data=stream.getvalue(),
                           content_type=f"multipart/form-data; boundary={boundary}")
    if encoding == "json":
        return client.post(url, json=dict(pairs))
    if encoding == "raw-bytes":
        body = urllib.parse.urlencode(pairs).encode() + b"&" + raw
    else:
        body = urllib.parse.urlencode(pairs, encoding="latin-1" if encoding == "latin-1"
                                      else "utf-8", errors="replace").encode()
    return client.post(url, data=body, content_type="application/x-www-form-urlencoded")


def fuzz(app, client, urls: list[str], token: str) -> list[int]:
    seen: list[int] = []
    with app.app_context():
        tables = sorted(set(inspect(db.engine).get_table_names()) - UNTRACKED_TABLES)
    examples = EXAMPLES if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") \
        else EXAMPLES_POSTGRES
    state = {"digest": database_digest(app, tables)}

    @fuzz_settings(examples)
    @given(url=st.sampled_from(urls), pairs=fields, encoding=encodings,
           with_token=st.booleans(), raw=st.binary(max_size=300))
    def one_request(url, pairs, encoding, with_token, raw):
        resp = post(client, url, pairs, encoding, token if with_token else None, raw)
        seen.append(resp.status_code)
        assert resp.status_code < 500, (url, resp.status_code, resp.text[:300])
        after = database_digest(app, tables)
        if resp.status_code >= 400:
            assert after == state["digest"], (url, resp.status_code, "database changed")
        state["digest"] = after

    one_request()
    assert len(seen) >= examples
    return seen


def _token(html: str) -> str:
    from tests.dialog.conftest import CSRF_RE

    return CSRF_RE.search(html).group(1)


def test_resident_endpoints_never_fail(app, client, csrf):
    begin(client, csrf)
    token = _token(client.get("/sv/s/trygghet/p/1").text)
    urls = ["/sv/s/trygghet/", "/sv/s/trygghet/p/1", "/sv/s/trygghet/p/2",
            "/sv/s/trygghet/p/99", "/en/s/trygghet/p/1", "/sv/s/saknas/", "/xx/s/trygghet/"]
    codes = fuzz(app, client, urls, token)
    assert {302, 400} <= set(codes)  # some posts got through, some were refused


def _signed_in_admin(app, client) -> str:
    with app.app_context():
        create_user("fuzz-admin@kommun.se", "a long enough password", "admin")
        db.session.commit()
    token = _token(client.get("/staff/login").text)
    resp = client.post("/staff/login", data={"csrf_token": token, "email": "fuzz-admin@kommun.se",
                                             "password": "a long enough password"})
    assert resp.status_code == 302
    return token


def _staff_urls(app, prefixes: tuple[str, ...]) -> list[str]:
    values = {"slug": "trygghet", "user_id": "1", "pending_id": "1", "response_id": "1",
              "field": "tryggare", "action_id": "1", "device_id": "1", "lang": "sv",
              "number": "1", "direction": "upp"}
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.endpoint.startswith(prefixes) \
                and rule.endpoint not in ("staff.logout",):
            urls.append(rule.build({a: values.get(a, "1") for a in rule.arguments})[1])
    return urls


def test_staff_endpoints_never_fail(app, client):
    token = _signed_in_admin(app, client)
    urls = _staff_urls(app, ("staff.", "rounds.", "paper.", "answer_review.", "exports.",
                             "promises.", "kiosk.manage", "kiosk.deactivate",
                             "kiosk.set_idle"))
    assert "/staff/upload" in urls
    fuzz(app, client, urls, token)


def test_kiosk_endpoints_never_fail(app, client):
    urls = _staff_urls(app, ("kiosk.start", "kiosk.answer_page", "kiosk.reset"))
    token = _token(client.get("/staff/login").text)
    fuzz(app, client, urls, token)


def test_login_never_fails(app, client):
    token = _token(client.get("/staff/login").text)
    fuzz(app, client, ["/staff/login"], token)
