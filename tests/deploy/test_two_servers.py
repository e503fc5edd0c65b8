"""Two app servers, one PostgreSQL, one Redis: what one server does, the other knows.

Both servers are ``make serve`` with production settings and the same ``SECRET_KEY``, behind
a real nginx. Most requests below go straight to the server named, as a load balancer without
sticky sessions may send them; the residents' walks go through nginx over https.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine, text

from benchmarks.load import (
    MARKER_FIELD,
    Browser,
    Resident,
    Tally,
    check_stored,
    csrf_token,
    stored_responses,
)
from dialog import auth, create_app
from dialog.config import Config
from dialog.extensions import db
from surveys import load_definition
from surveys.templates import builtin_template_path
from tests.deploy import redis_server
from tests.deploy.topology import SECRET_KEY, Site, several_servers
from tests.dialog.helpers import fill
from tests.postgres import cluster as pg

pytestmark = pytest.mark.postgres

PASSWORD = "korrekt-häst-batteri"
SETTINGS = {
    # Every client here is 127.0.0.1: the per-client sign-in limit would count all tests.
    "RATELIMIT_LOGINS_PER_CLIENT": "1000 per minute",
    # Low, so that the test of shared counters needs few requests; an hour, so that a slow
    # machine cannot see the window pass.
    "RATELIMIT_ANSWERS_PER_TOKEN": "6 per hour",
}
ANSWER_LIMIT = 6


@pytest.fixture(scope="module")
def deployment(tmp_path_factory) -> Iterator[tuple[Site, str]]:
    if not pg.available():
        pytest.skip(f"PostgreSQL 15 is not installed ({pg.PG_BIN})")
    if not redis_server.available():
        pytest.skip("redis-server is not installed (make test installs it)")
    with pg.TemporaryCluster() as cluster:
        url = cluster.create_database("site")
        folder = tmp_path_factory.mktemp("site")
        with several_servers(url, folder, 2, settings=SETTINGS) as site:
            yield site, url


@pytest.fixture
def ports(deployment) -> tuple[int, int]:
    site, _url = deployment
    return site.ports[0], site.ports[1]


@pytest.fixture
def account(deployment) -> Callable[[str], str]:
    """``account(role)`` adds an account with ``PASSWORD`` and returns its e-mail address."""
    _site, url = deployment
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    made = []

    def make(role: str) -> str:
        email = f"{role}-{len(made)}-{time.monotonic_ns()}@kommun.se"
        with app.app_context():
            auth.create_user(email, PASSWORD, role)
        made.append(email)
        return email

    yield make
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


_open: list[Browser] = []


def new_browser(port: int) -> Browser:
    browser = Browser(port)
    _open.append(browser)
    return browser


@pytest.fixture(autouse=True)
def _close_browsers() -> Iterator[None]:
    yield
    while _open:
        _open.pop().close()


def sign_in(port: int, email: str, password: str = PASSWORD) -> Browser:
    browser = new_browser(port)
    _, _, page = browser.request("GET", "/staff/login")
    status, location, _ = browser.request("POST", "/staff/login", [
        ("csrf_token", csrf_token(page)), ("email", email), ("password", password)])
    # Staff land on the staff start page, councillors on the current round's dashboard.
    assert status == 302 and (location == "/staff/" or location.startswith("/dashboard/")), \
        (status, location)
    return browser


def on(port: int, browser: Browser) -> Browser:
    """The same browser (its cookies) with its next requests going to ``port``."""
    other = new_browser(port)
    other.cookies = browser.cookies
    return other


def post_form(browser: Browser, page: str, action: str, fields: list[tuple[str, str]]
              ) -> int:
    _, _, html = browser.request("GET", page)
    status, _, _ = browser.request("POST", action, [("csrf_token", csrf_token(html)), *fields])
    return status


def signed_out(browser: Browser, path: str = "/staff/audit") -> bool:
    status, location, _ = browser.request("GET", path)
    return status == 302 and location.startswith("/staff/login")


def test_sign_out_on_one_server_ends_the_session_on_the_other(ports, account):
    a, b = ports
    email = account("admin")
    browser = sign_in(a, email)
    copied = new_browser(b)
    copied.cookies = dict(browser.cookies)
    assert copied.request("GET", "/staff/audit")[0] == 200
    assert post_form(browser, "/staff/", "/staff/logout", []) == 302
    assert signed_out(copied)


def test_new_password_on_one_server_ends_the_other_sessions(ports, account):
    a, b = ports
    email = account("admin")
    here = sign_in(a, email)
    elsewhere = sign_in(b, email)
    new = "ett nytt långt lösen"
    assert post_form(here, "/staff/password", "/staff/password", [
        ("current", PASSWORD), ("new", new), ("confirm", new)]) == 302
    assert signed_out(elsewhere)
    # The session that changed the password goes on, on either server.
    assert here.request("GET", "/staff/audit")[0] == 200
    assert on(b, here).request("GET", "/staff/audit")[0] == 200


def test_deactivation_on_one_server_ends_the_session_on_the_other(deployment, ports, account):
    a, b = ports
    admin = sign_in(a, account("admin"))
    staff_email = account("staff")
    staff = sign_in(b, staff_email)
    assert staff.request("GET", "/staff/")[0] == 200
    _, url = deployment
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        staff_id = db.session.scalar(db.select(auth.User.id).where(
            auth.User.email == staff_email))
        db.session.remove()
        db.engine.dispose()
    assert post_form(admin, "/staff/users", f"/staff/users/{staff_id}/active", []) == 302
    assert signed_out(staff, "/staff/")


def test_rate_limits_count_across_servers(ports):
    resident = new_browser(ports[0])
    base = "/sv/s/trygghet/"
    _, _, intro = resident.request("GET", base)
    status, page, _ = resident.request("POST", base, [("csrf_token", csrf_token(intro))])
    assert status == 302 and page.endswith("/p/1")
    _, _, html = resident.request("GET", page)
    token = csrf_token(html)
    # Valid answers: a page sent back for correction (422) saves nothing and is not counted.
    survey = load_definition(builtin_template_path("trygghet"))
    answers = [(name, value) for name, values in fill(survey.pages[0], {}).items()
               for value in values]
    statuses = []
    for number in range(ANSWER_LIMIT + 2):
        # Alternately on each server; each alone sees only half of the answers.
        browser = on(ports[number % 2], resident)
        statuses.append(browser.request("POST", page, [("csrf_token", token),
                                                         ("action", "next"), *answers])[0])
    assert statuses[:ANSWER_LIMIT] == [302] * ANSWER_LIMIT
    assert statuses[ANSWER_LIMIT:] == [429, 429]


def test_round_closed_on_one_server_refuses_answers_on_the_other(ports, account):
    a, b = ports
    staff = sign_in(a, account("staff"))
    resident = new_browser(b)
    base = "/sv/s/trygghet/"
    _, _, intro = resident.request("GET", base)
    _, page, _ = resident.request("POST", base, [("csrf_token", csrf_token(intro))])
    _, _, html = resident.request("GET", page)  # server b now holds the round as open
    survey_page = "/staff/surveys/trygghet/"
    schedule = "/staff/surveys/trygghet/schedule"
    assert post_form(staff, survey_page, schedule, [("status", "closed")]) == 302
    try:
        # The documented bound: a server trusts what it read about a round this long.
        time.sleep(Config.SURVEY_REF_CACHE_SECONDS)
        status, _, _ = resident.request("POST", page, [("csrf_token", csrf_token(html)),
                                                       ("action", "next")])
        assert status == 410
    finally:
        assert post_form(staff, survey_page, schedule, [("status", "open")]) == 302
        time.sleep(Config.SURVEY_REF_CACHE_SECONDS)  # open again everywhere for what follows


def test_residents_answer_through_nginx_on_both_servers(deployment):
    site, url = deployment
    survey = load_definition(builtin_template_path("trygghet"))
    tally = Tally()
    for number in range(2):
        Resident(number, site.nginx_port, survey, tally, threading.Event(),
                 tls=site.tls).walk()
    assert tally.thanks == 2 and not tally.errors
    mine = [(status, answers) for status, answers in stored_responses(url)
            if answers.get(MARKER_FIELD) in tally.acknowledged]
    assert check_stored(tally.acknowledged, tally.thanks, mine) == []


def test_dashboard_computed_on_one_server_is_taken_over_by_the_other(deployment, ports,
                                                                     account):
    site, url = deployment
    a, b = ports
    survey = load_definition(builtin_template_path("trygghet"))
    tally = Tally()
    # Answers given the way residents give them, so that whatever the servers keep up to date
    # as answers complete is kept here too.
    for number in range(100, 103):
        Resident(number, site.nginx_port, survey, tally, threading.Event(),
                 tls=site.tls).walk()
    councillor = sign_in(a, account("councillor"))
    assert councillor.request("GET", "/dashboard/trygghet/")[0] == 200
    computed = stored_dashboard(url)
    assert computed is not None
    assert on(b, councillor).request("GET", "/dashboard/trygghet/")[0] == 200
    # Server b showed the results server a stored: it did not compute (and store) its own.
    assert stored_dashboard(url) == computed


def stored_dashboard(url: str) -> tuple | None:
    """(data version, computed at) of the trygghet round's results in the shared database."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT r.data_version, r.computed_at FROM dashboard_result r "
                "JOIN survey s ON s.id = r.survey_id WHERE s.slug = 'trygghet'")).one_or_none()
    finally:
        engine.dispose()
