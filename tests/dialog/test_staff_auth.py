"""Staff accounts: sign-in, throttling without user enumeration, sessions that end (idle,
lifetime, sign-out, new password, deactivation), passwords, CLI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dialog import auth, create_app, security
from dialog.extensions import db
from dialog.models import AuditEvent, FailedLogin, User, utcnow
from tests.dialog.helpers import PASSWORD, login, make_user


def test_anonymous_is_sent_to_login(client):
    resp = client.get("/staff/")
    assert resp.status_code == 302
    assert "/staff/login?next=" in resp.headers["Location"]


def test_sign_in_and_out(app, client, csrf):
    make_user(app)
    resp = login(client, csrf, email="  Samordnare@Kommun.SE ")
    assert resp.status_code == 302 and resp.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    page = client.get("/staff/password")
    resp = client.post("/staff/logout", data={"csrf_token": csrf(page.text)})
    assert resp.status_code == 302
    assert client.get("/staff/").status_code == 302


def test_session_cookie_flags(app, client, csrf):
    make_user(app)
    resp = login(client, csrf)
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # Permanent session: the cookie carries an expiry (the idle limit), not "until closed".
    assert "Expires=" in cookie
    assert app.config["PERMANENT_SESSION_LIFETIME"] == app.config["STAFF_IDLE_LIMIT"]


def test_next_is_only_followed_on_this_site(app, client, csrf):
    make_user(app)
    resp = login(client, csrf, next_url="//evil.example/x")
    assert resp.headers["Location"] == "/staff/"
    client.post("/staff/logout", data={"csrf_token": csrf(client.get("/staff/").text)})
    resp = login(client, csrf, next_url="/staff/surveys/trygghet/")
    assert resp.headers["Location"] == "/staff/surveys/trygghet/"


@pytest.mark.parametrize("next_url", [
    "/%09/evil.example/phish", "/%0D%0A/evil.example", "/%0D%0ASet-Cookie:%20x=1",
    "/%5C/evil.example", "/\\evil.example", "https://evil.example/", "/%20/evil.example",
])
def test_next_with_hidden_characters_stays_on_this_site(app, client, csrf, next_url):
    make_user(app)
    resp = login(client, csrf, next_url=next_url)
    assert resp.status_code == 302 and resp.headers["Location"] == "/staff/"
    # signed in already: the same check, no 500
    again = client.get(f"/staff/login?next={next_url}")
    assert again.status_code == 302 and again.headers["Location"] == "/staff/"


@pytest.mark.parametrize("query", ["_method=POST", "_anchor=x&_external=1&_scheme=javascript",
                                   "_method=DELETE&page=2"])
def test_url_for_options_in_the_query_string_are_ignored(app, client, csrf, query):
    assert client.get(f"/staff/login?{query}").status_code == 200
    make_user(app)
    login(client, csrf)
    page = client.get(f"/staff/?{query}")
    assert page.status_code == 200
    assert "javascript:" not in page.text and "http://localhost" not in page.text


def test_wrong_password_and_unknown_account_look_the_same(app, client, csrf):
    make_user(app)
    wrong = login(client, csrf, password="fel-lösenord-123")
    unknown = login(client, csrf, email="finns.inte@kommun.se", password="fel-lösenord-123")
    assert wrong.status_code == unknown.status_code == 401
    assert 'role="alert"' in wrong.text

    def without_token_and_address(html: str) -> str:
        return (html.replace(csrf(html), "").replace("samordnare@kommun.se", "")
                .replace("finns.inte@kommun.se", ""))

    assert without_token_and_address(wrong.text) == without_token_and_address(unknown.text)


@pytest.mark.parametrize("email", ["samordnare@kommun.se", "finns.inte@kommun.se"])
@pytest.mark.postgres
def test_five_failures_lock_the_account_for_a_while(app, client, csrf, email):
    make_user(app)
    for _ in range(auth.MAX_FAILED_LOGINS):
        assert login(client, csrf, email=email, password="fel-lösenord-123").status_code == 401
    # Even the right password is refused now, with the same answer for unknown accounts.
    locked = login(client, csrf, email=email, password=PASSWORD)
    assert locked.status_code == 429
    assert "Wait" in locked.text or "Vänta" in locked.text
    assert client.get("/staff/").status_code == 302
    with app.app_context():
        # Refused attempts are not counted, so the lock ends when the window has passed.
        # one row for the account, one for the account from this client
        assert db.session.scalar(select(func.count(FailedLogin.id))) \
            == 2 * auth.MAX_FAILED_LOGINS
    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        later = utcnow() + auth.FAILED_LOGIN_WINDOW + timedelta(seconds=1)
        outcome = auth.authenticate(email, PASSWORD, now=later, client=security.client_key())
        assert outcome.throttled is False
        assert (outcome.user is not None) == (email == "samordnare@kommun.se")


def test_success_clears_earlier_failures(app, client, csrf):
    make_user(app)
    for _ in range(auth.MAX_FAILED_LOGINS - 1):
        login(client, csrf, password="fel-lösenord-123")
    assert login(client, csrf).status_code == 302
    with app.app_context():
        # this client starts afresh; the account keeps counting everyone's failures
        assert db.session.scalar(select(func.count(FailedLogin.id))) \
            == auth.MAX_FAILED_LOGINS - 1


def login_from(client, csrf, address, password):
    page = client.get("/staff/login", environ_base={"REMOTE_ADDR": address})
    return client.post("/staff/login", environ_base={"REMOTE_ADDR": address}, data={
        "csrf_token": csrf(page.text), "email": "samordnare@kommun.se", "password": password})


def test_guesses_from_elsewhere_never_lock_out_the_owner(app, csrf):
    make_user(app)
    attacker, owner = app.test_client(), app.test_client()
    for _ in range(auth.MAX_FAILED_LOGINS):
        assert login_from(attacker, csrf, "203.0.113.9", "fel-lösenord-123").status_code == 401
    assert login_from(attacker, csrf, "203.0.113.9", PASSWORD).status_code == 429
    assert login_from(owner, csrf, "198.51.100.20", PASSWORD).status_code == 302
    with app.app_context():
        events = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.actor == "samordnare@kommun.se")).all()
    assert events == ["sign_in"]


@pytest.mark.postgres
def test_guesses_spread_over_many_clients_stop_those_clients(app, csrf):
    make_user(app)
    clients = [app.test_client() for _ in range(auth.MAX_ACCOUNT_FAILURES)]
    for number, client in enumerate(clients):
        assert login_from(client, csrf, f"203.0.113.{number}", "fel-lösenord-123"
                          ).status_code == 401
    # a client that has guessed wrong is refused now, even with the right password ...
    assert login_from(clients[0], csrf, "203.0.113.0", PASSWORD).status_code == 429
    # ... while a client that has not guessed may still sign in
    assert login_from(app.test_client(), csrf, "198.51.100.20", PASSWORD).status_code == 302


@pytest.mark.parametrize("password", [" " * 12, "a" * 12, "abababababab", "123456789012",
                                      "abcdefghijklmn", "Password1234", "Lösenord1234"])
def test_trivial_and_common_passwords_are_refused(app, client, csrf, password):
    with app.app_context(), pytest.raises(ValueError, match="too easy"):
        auth.create_user("ny@kommun.se", password, "staff")
    make_user(app)
    login(client, csrf)
    page = client.get("/staff/password")
    resp = client.post("/staff/password", data={
        "csrf_token": csrf(page.text), "current": PASSWORD, "new": password,
        "confirm": password})
    assert resp.status_code == 422
    with app.app_context():
        assert auth.check_password(db.session.scalar(select(User)), PASSWORD)
    if password.strip():  # blank is refused as missing before
        assert "för lätt att gissa" in resp.text


def test_guessing_the_current_password_is_limited(app, client, csrf):
    make_user(app)
    login(client, csrf)
    new = "ett-helt-nytt-lösenord"

    def change(current):
        page = client.get("/staff/password")
        return client.post("/staff/password", data={
            "csrf_token": csrf(page.text), "current": current, "new": new, "confirm": new})

    assert [change("fel-lösenord-123").status_code
            for _ in range(auth.MAX_FAILED_LOGINS)] == [422] * auth.MAX_FAILED_LOGINS
    assert change(PASSWORD).status_code == 429
    with app.app_context():
        assert auth.check_password(db.session.scalar(select(User)), PASSWORD)


def test_deactivated_account_cannot_sign_in(app, client, csrf):
    user_id = make_user(app)
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    assert login(client, csrf).status_code == 401


@pytest.mark.postgres
def test_session_expires_after_inactivity(app, client, csrf):
    make_user(app)
    login(client, csrf)
    assert client.get("/staff/").status_code == 200
    with client.session_transaction() as session:
        session["staff_seen"] = (utcnow() - app.config["STAFF_IDLE_LIMIT"]
                                 - timedelta(seconds=5)).timestamp()
    resp = client.get("/staff/")
    assert resp.status_code == 302 and "/staff/login" in resp.headers["Location"]


def copy_of_session(app, client):
    """Another browser holding a copy of ``client``'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"],
                     client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value)
    return thief


def is_signed_out(resp) -> bool:
    return resp.status_code == 302 and "/staff/login" in resp.headers["Location"]


def test_sign_out_ends_a_copied_session(app, client, csrf):
    make_user(app, role="admin")
    login(client, csrf)
    thief = copy_of_session(app, client)
    assert thief.get("/staff/audit").status_code == 200
    client.post("/staff/logout", data={"csrf_token": csrf(client.get("/staff/").text)})
    assert is_signed_out(thief.get("/staff/audit"))


def test_password_change_ends_the_other_sessions_only(app, client, csrf):
    make_user(app, role="admin")
    login(client, csrf)
    other = app.test_client()
    login(other, csrf)
    thief = copy_of_session(app, client)
    page = client.get("/staff/password")
    done = client.post("/staff/password", data={
        "csrf_token": csrf(page.text), "current": PASSWORD, "new": "ett nytt långt lösen",
        "confirm": "ett nytt långt lösen"})
    assert done.status_code == 302
    assert is_signed_out(other.get("/staff/audit"))
    assert is_signed_out(thief.get("/staff/audit"))
    assert client.get("/staff/audit").status_code == 200


def test_deactivation_ends_sessions_for_good(app, client, csrf):
    make_user(app, role="admin")
    user_id = make_user(app, "handlaggare@kommun.se")
    login(client, csrf)
    staff = app.test_client()
    login(staff, csrf, "handlaggare@kommun.se")
    assert staff.get("/staff/").status_code == 200
    toggle = f"/staff/users/{user_id}/active"
    token = csrf(client.get("/staff/users").text)
    client.post(toggle, data={"csrf_token": token})
    assert is_signed_out(staff.get("/staff/"))
    client.post(toggle, data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(User, user_id).active
    # Activated again, the account signs in anew; the old cookie stays dead.
    assert is_signed_out(staff.get("/staff/"))


@pytest.mark.parametrize("app_config", [{"STAFF_SESSION_LIFETIME": timedelta(hours=2)}])
def test_session_in_use_ends_after_its_lifetime(app, client, csrf):
    make_user(app)
    login(client, csrf)

    def started(ago: timedelta) -> None:
        with client.session_transaction() as session:
            session["staff_started"] = (utcnow() - ago).timestamp()

    started(timedelta(hours=1, minutes=55))
    assert client.get("/staff/").status_code == 200
    started(timedelta(hours=2, minutes=1))
    # In use a moment ago (the idle limit alone would keep it), but begun too long ago.
    assert is_signed_out(client.get("/staff/"))


def test_passwords_are_hashed_with_scrypt(app):
    user_id = make_user(app)
    with app.app_context():
        stored = db.session.get(User, user_id).password_hash
    assert stored.startswith("scrypt:") and PASSWORD not in stored
    # Outside the tests (which choose a cheaper N): werkzeug's full cost.
    production = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with production.app_context():
        assert auth.hash_password(PASSWORD).startswith("scrypt:32768:8:1$")


def test_change_password(app, client, csrf):
    make_user(app)
    login(client, csrf)
    page = client.get("/staff/password")
    short = client.post("/staff/password", data={
        "csrf_token": csrf(page.text), "current": PASSWORD, "new": "kort", "confirm": "kort"})
    assert short.status_code == 422
    wrong = client.post("/staff/password", data={
        "csrf_token": csrf(page.text), "current": "inte-rätt-alls", "new": "ett nytt långt lösen",
        "confirm": "ett nytt långt lösen"})
    assert wrong.status_code == 422
    done = client.post("/staff/password", data={
        "csrf_token": csrf(page.text), "current": PASSWORD, "new": "ett nytt långt lösen",
        "confirm": "ett nytt långt lösen"})
    assert done.status_code == 302
    client.post("/staff/logout", data={"csrf_token": csrf(client.get("/staff/").text)})
    assert login(client, csrf).status_code == 401
    assert login(client, csrf, password="ett nytt långt lösen").status_code == 302


def test_interface_language_follows_choice_and_account(app, client, csrf):
    make_user(app)
    login(client, csrf)
    assert 'lang="sv"' in client.get("/staff/").text
    english = client.get("/staff/?lang=en")
    assert '<html lang="en"' in english.text
    with app.app_context():
        assert db.session.scalar(select(User.language)) == "en"


def test_create_user_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "Analytiker@Kommun.se", "--role", "councillor",
                                 "--password-stdin"], input="ett långt lösenord\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.email, user.role) == ("analytiker@kommun.se", "councillor")
    short = runner.invoke(args=["create-user", "x@kommun.se", "--role", "staff",
                                "--password-stdin"], input="kort\n")
    assert short.exit_code == 1 and "12" in short.output
    again = runner.invoke(args=["create-user", "analytiker@kommun.se", "--role", "staff",
                                "--password-stdin"], input="ett långt lösenord\n")
    assert again.exit_code == 1
    bad_role = runner.invoke(args=["create-user", "y@kommun.se", "--role", "root",
                                   "--password-stdin"], input="ett långt lösenord\n")
    assert bad_role.exit_code != 0


def test_no_default_accounts(app):
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0
