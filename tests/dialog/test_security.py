"""Security headers, allowed methods, CSRF on every POST, rate limits and markup shown as text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from dialog import auth
from dialog.extensions import db
from dialog.models import Response
from tests.dialog.helpers import begin, fill, walk

TEMPLATES = Path(__file__).resolve().parents[2] / "dialog" / "templates"
MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)> "quoted" & more'


def _csp(resp) -> dict[str, str]:
    policy = resp.headers["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


@pytest.mark.parametrize("path", ["/sv/", "/sv/s/trygghet/", "/sv/s/saknas/", "/healthz",
                                  "/static/style.css"])
def test_every_response_carries_security_headers(client, path):
    with client.get(path) as resp:
        assert resp.status_code in (200, 404)
    csp = _csp(resp)
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in resp.headers


def test_hsts_only_over_https(client):
    resp = client.get("/sv/", base_url="https://dialog.example.se")
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_html_pages_are_not_cached_static_files_are(client):
    assert client.get("/sv/").headers["Cache-Control"] == "no-store"
    with client.get("/static/style.css") as static:
        assert "no-store" not in static.headers.get("Cache-Control", "")


def test_templates_have_no_inline_scripts_styles_or_handlers():
    inline = re.compile(r"<script(?![^>]*\bsrc=)|\sstyle=|<style|\son[a-z]+=|javascript:", re.I)
    offenders = [f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
                 for path in TEMPLATES.rglob("*.html")
                 for match in inline.finditer(path.read_text("utf-8"))]
    assert offenders == []


def test_rendered_pages_have_no_inline_scripts_or_styles(client, csrf, survey):
    begin(client, csrf)
    pages = [client.get("/sv/"), client.get("/sv/s/trygghet/p/1"), client.get("/sv/saknas")]
    for page in pages:
        assert not re.search(r"<script(?![^>]*\bsrc=)|\sstyle=|<style", page.text)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
def test_only_get_head_post_are_accepted(client, method):
    for path in ("/sv/s/trygghet/", "/healthz", "/sv/"):
        resp = client.open(path, method=method)
        assert resp.status_code == 405
        assert set(resp.headers["Allow"].split(", ")) <= {"GET", "HEAD", "POST"}
    assert client.head("/sv/").status_code == 200
    assert client.post("/healthz").status_code == 405


def _example_url(rule) -> str:
    values = {"lang": "sv", "slug": "trygghet", "number": 1, "direction": "upp"}
    args = {name: values.get(name, "1") for name in rule.arguments}
    return rule.build(args)[1]


def test_every_post_endpoint_requires_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    rules = [r for r in app.url_map.iter_rules() if "POST" in r.methods]
    assert any(r.endpoint == "respond.answer_page" for r in rules)
    for rule in rules:
        resp = client.post(_example_url(rule), data={"x": "1"})
        assert resp.status_code == 400, (rule.endpoint, resp.status_code)
        assert "<h1>" in resp.text


def test_healthz_is_trivial(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.text == "ok\n"


LIMITED = {"RATELIMIT_ENABLED": True, "RATELIMIT_ANSWERS_PER_TOKEN": "3 per minute",
           "RATELIMIT_ANSWERS_PER_CLIENT": "1000 per minute"}


@pytest.mark.parametrize("app_config", [LIMITED])
def test_answers_per_resume_token_are_limited(app, csrf, survey):
    client = app.test_client()
    begin(client, csrf)
    page = client.get("/sv/s/trygghet/p/1")
    data = {"csrf_token": csrf(page.text), "action": "back"}
    codes = [client.post("/sv/s/trygghet/p/1", data=data).status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]
    blocked = client.post("/sv/s/trygghet/p/1", data=data)
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    assert "<h1>För många försök</h1>" in blocked.text or "Too many attempts" in blocked.text
    # Another resident (another token) is not held back by the first one's limit.
    other = app.test_client()
    assert begin(other, csrf).status_code == 302
    assert other.post("/sv/s/trygghet/p/1", data={
        "csrf_token": csrf(other.get("/sv/s/trygghet/p/1").text), "action": "back",
    }).status_code == 302


@pytest.mark.parametrize("app_config", [{**LIMITED, "RATELIMIT_ANSWERS_PER_TOKEN": "5 per minute"}])
def test_a_page_sent_back_again_and_again_keeps_its_form(app, client, csrf, survey):
    """A resident who keeps getting the place question wrong (page 4 of the built-in survey)
    keeps the form and the message in their language: only answers that were taken count
    towards the per-token limit."""
    walk(client, csrf, survey, lang="en", stop_after=3)  # three pages taken
    url = "/en/s/trygghet/p/4"
    html = client.get(url).text
    # Follow-ups about a place without the place itself.
    wrong = {"otrygg_plats.1.varfor": "belysning", "action": "next"}
    for _ in range(12):
        resp = client.post(url, data={**wrong, "csrf_token": csrf(html)})
        assert resp.status_code == 422
        assert "Choose a place from the list, write a street or landmark" in resp.text
        html = resp.text
    right = {**fill(survey.pages[3], {}), "action": "next", "csrf_token": csrf(html)}
    assert client.post(url, data=right).status_code == 302  # the fourth
    html = client.get("/en/s/trygghet/p/5").text
    assert client.post("/en/s/trygghet/p/5", data={
        **fill(survey.pages[4], {}), "action": "next", "csrf_token": csrf(html)}
    ).status_code == 302  # the fifth
    assert client.post("/en/s/trygghet/p/6", data={"action": "back", "csrf_token": csrf(html)}
                       ).status_code == 429


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "RATELIMIT_ANSWERS_PER_CLIENT": "3 per minute"}])
def test_answers_per_client_are_limited(app, csrf):
    clients = [app.test_client() for _ in range(4)]
    pages = [c.get("/sv/s/trygghet/") for c in clients]
    codes = [c.post("/sv/s/trygghet/", data={"csrf_token": csrf(p.text)}).status_code
             for c, p in zip(clients, pages, strict=True)]
    assert codes == [302, 302, 302, 429]
    # Reading pages is never limited.
    assert clients[3].get("/sv/s/trygghet/").status_code == 200
    # A different client address has its own budget.
    resp = clients[3].post("/sv/s/trygghet/", data={"csrf_token": csrf(pages[3].text)},
                           environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert resp.status_code == 302


def test_limits_are_off_in_tests_unless_asked(client, csrf):
    # More posts with one resume token than RATELIMIT_ANSWERS_PER_TOKEN allows a minute.
    begin(client, csrf)
    token = csrf(client.get("/sv/s/trygghet/p/1").text)
    codes = {client.post("/sv/s/trygghet/p/1", data={"csrf_token": token, "action": "back"},
                         ).status_code for _ in range(31)}
    assert codes == {302}


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "RATELIMIT_LOGINS_PER_ACCOUNT": "1 per minute",
                                         "RATELIMIT_LOGINS_PER_CLIENT": "3 per minute"}])
def test_login_is_limited_per_account_and_client(app, csrf):
    client = app.test_client()

    def attempt(email, address="198.51.100.1"):
        token = csrf(client.get("/staff/login").text)
        return client.post("/staff/login", data={
            "csrf_token": token, "email": email, "password": "wrong password 123",
        }, environ_base={"REMOTE_ADDR": address}).status_code

    assert attempt("a@kommun.se") != 429
    assert attempt("a@kommun.se") == 429  # the same account from the same client
    # Someone else's failures never hold back the account's owner somewhere else.
    assert attempt("a@kommun.se", "198.51.100.2") != 429
    assert [attempt(f"{n}@kommun.se") for n in "bcd"][-1] == 429  # same client, other accounts


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "RATELIMIT_LOGINS_PER_ACCOUNT": "2 per minute"}])
def test_successful_sign_ins_do_not_count_towards_the_limit(app, csrf):
    with app.app_context():
        auth.create_user("a@kommun.se", "korrekt-häst-batteri", "staff")
    client = app.test_client()
    codes = []
    for _ in range(4):
        token = csrf(client.get("/staff/login").text)
        codes.append(client.post("/staff/login", data={
            "csrf_token": token, "email": "a@kommun.se", "password": "korrekt-häst-batteri",
        }).status_code)
        client.post("/staff/logout", data={"csrf_token": csrf(client.get("/staff/").text)})
    assert codes == [302] * 4


def test_free_text_with_markup_is_shown_as_text(app, client, csrf, survey):
    begin(client, csrf)
    number, answers = 1, {}
    text_page = next(i for i, p in enumerate(survey.pages)
                     if any(q.type == "free_text" for q in p.questions))
    while number <= text_page + 1:
        page = survey.pages[number - 1]
        data = fill(page, answers)
        for q in page.questions:
            if q.type == "free_text":
                data[q.id] = [MARKUP]
        html = client.get(f"/sv/s/trygghet/p/{number}").text
        resp = client.post(f"/sv/s/trygghet/p/{number}",
                           data={**data, "csrf_token": csrf(html), "action": "next"})
        assert resp.status_code == 302
        number += 1
    back = client.get(f"/sv/s/trygghet/p/{text_page + 1}").text
    assert "&lt;script&gt;alert(" in back
    assert "<script>alert" not in back and "<img src=x" not in back
    with app.app_context():
        stored = db.session.scalar(select(Response)).answers
    assert MARKUP in stored.values()


def test_export_keeps_markup_as_data(app, client, csrf, survey):
    walk(client, csrf, survey)
    result = app.test_cli_runner().invoke(args=["export", "trygghet"])
    assert result.exit_code == 0
    assert "<b>tack</b>" in result.output  # CSV is data; the dashboard escapes when it shows it
