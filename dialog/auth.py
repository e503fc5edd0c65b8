"""Who may see what. Roles: admin (everything), staff (surveys, responses, exports, löften),
councillor (read-only dashboard and aggregated results – never raw responses or free text).

Accounts, sign-in throttling and the limits of staff sessions live here too, so that every
blueprint shares one definition of "signed in".

Staff sessions are signed cookies; what makes them revocable is a per-account session
generation in the database. The cookie's user id carries the generation it was issued for
(Flask-Login's "alternative token"), and the account row that Flask-Login loads on every request
anyway is compared with it: signing out, changing the password or deactivating the account
raises the generation, and every cookie issued before is refused at its next request, on every
app server, with no extra query and no session table to write on every request (server-side
session ids would need both, plus their own clean-up).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, wraps

from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from .models import FailedLogin, User, utcnow

ROLES = ("admin", "staff", "councillor")
STAFF_ROLES = ("admin", "staff")
READ_ROLES = ("admin", "staff", "councillor")
# Whom an account approves a lägesbild for; an account may have neither.
ORGANISATIONS = ("kommun", "polis")

MIN_PASSWORD_LENGTH = 12
MAX_FAILED_LOGINS = 5
MAX_ACCOUNT_FAILURES = 20
FAILED_LOGIN_WINDOW = timedelta(minutes=15)
_SEEN_KEY = "staff_seen"
_STARTED_KEY = "staff_started"


@cache
def _dummy_hash(method: str) -> str:
    """Checked against when the account does not exist, so that the answer takes as long as
    for a real account (hashed the same way) and timing does not reveal which addresses have
    accounts. Made on first use, not on every start of the app."""
    return generate_password_hash("not-a-real-password", method=method)


login_manager = LoginManager()


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    user_id, _, generation = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or generation != str(user.session_generation):
        return None
    return user


@login_manager.unauthorized_handler
def _to_login():
    return redirect(url_for("staff.login", next=request.full_path))


def roles_required(*roles: str) -> Callable:
    """Anonymous visitors go to the login page; a signed-in user without the role gets 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


# Long passwords that lists of leaked passwords are full of; length alone lets them through.
COMMON_PASSWORDS = frozenset({
    "password1234", "password12345", "password123456", "passwordpassword", "lösenord1234",
    "losenord1234", "lösenordlösenord", "qwertyuiopå", "qwertyuiop123", "qwertyuiopasdf",
    "asdfghjklöä", "1q2w3e4r5t6y", "iloveyou1234", "sommar123456", "välkommen123",
    "valkommen123", "welcome12345", "administrator", "medborgardialog", "trygghet1234",
    "abc123abc123", "changeme1234",
})


def too_easy(password: str) -> bool:
    """A common password, or a trivial one (see :func:`_trivial`)."""
    return _trivial(password) or password.casefold().strip() in COMMON_PASSWORDS


def _trivial(password: str) -> bool:
    """Few different characters (``aaaaaaaaaaaa``, twelve spaces, ``abababababab``) or a run
    along the alphabet or the keyboard's digits (``123456789012``, ``abcdefghijkl``)."""
    folded = password.casefold()
    if len(set(folded)) < 5:
        return True
    steps = {ord(b) - ord(a) for a, b in zip(folded, folded[1:], strict=False)}
    return steps <= {1, -9} or steps <= {-1, 9}


def check_new_password(password: str) -> None:
    """Raises ValueError when a password is too short, too simple or a common one."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(
            f"Lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken "
            f"(the password must have at least {MIN_PASSWORD_LENGTH} characters)."
        )
    if too_easy(password):
        raise ValueError("Lösenordet är för lätt att gissa (the password is too easy to guess).")


def create_user(email: str, password: str, role: str, language: str = "sv",
                organisation: str | None = None) -> User:
    """Add an account. Raises ValueError for an unknown role or organisation, a short
    password or a taken e-mail address."""
    email = normalise_email(email)
    if role not in ROLES:
        raise ValueError(f"Okänd roll '{role}' (unknown role); välj {', '.join(ROLES)}.")
    if organisation not in (None, *ORGANISATIONS):
        raise ValueError(f"Okänd organisation '{organisation}'; välj {', '.join(ORGANISATIONS)}.")
    if "@" not in email or len(email) > 255:
        raise ValueError(f"'{email}' är ingen e-postadress (not an e-mail address).")
    check_new_password(password)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ValueError(f"Kontot {email} finns redan (the account already exists).")
    user = User(email=email, password_hash=hash_password(password), role=role,
                language=language, organisation=organisation)
    db.session.add(user)
    db.session.commit()
    return user


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.email)))


def find_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def set_active(user: User, active: bool) -> None:
    """Open or close an account. Its sessions end either way: ended on deactivation, and not
    revived when the account is activated again."""
    user.active = active
    end_sessions(user)


def set_organisation(user: User, organisation: str | None) -> None:
    """Kommun, polis or neither: whom the account approves a lägesbild for."""
    if organisation not in (None, *ORGANISATIONS):
        raise ValueError(organisation)
    user.organisation = organisation
    db.session.commit()


def check_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def set_password(user: User, password: str) -> None:
    """Ends every session of the account: the caller signs the current one in again."""
    check_new_password(password)
    user.password_hash = hash_password(password)
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Every cookie issued to the account so far is refused at its next request."""
    user.session_generation += 1
    db.session.commit()


def _account_key(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: ``user`` on success, else why not."""

    user: User | None
    throttled: bool = False
    retry_after: timedelta | None = None


def _failures(key: str, since: datetime) -> tuple[int, datetime | None]:
    return tuple(db.session.execute(
        select(func.count(FailedLogin.id), func.min(FailedLogin.at))
        .where(FailedLogin.account == key, FailedLogin.at > since)).one())


def authenticate(email: str, password: str, now: datetime | None = None,
                 client: str = "") -> SignIn:
    """Check a password, throttling wrong guesses per client and account.

    ``client`` names where the attempt comes from (a keyed hash, never an address). After
    ``MAX_FAILED_LOGINS`` failures for the account from one client within
    ``FAILED_LOGIN_WINDOW``, that client is refused for that account until the oldest of them
    leaves the window. Failures from many clients together (``MAX_ACCOUNT_FAILURES``) refuse
    every client that has itself failed on the account, while a client that has not may
    still try: the owner with the right password is never locked out by someone else's
    guesses. Refused attempts and successful sign-ins are not counted, so waiting always
    helps. Only hashes of the address typed and of the client are stored.
    """
    now = now or utcnow()
    since = now - FAILED_LOGIN_WINDOW
    db.session.execute(delete(FailedLogin).where(FailedLogin.at <= since))
    account = _account_key(email)
    pair = _account_key(f"{email}\0{client}")
    on_account = _failures(account, since)[0]
    from_client, oldest = _failures(pair, since)
    if from_client >= MAX_FAILED_LOGINS or (from_client and on_account >= MAX_ACCOUNT_FAILURES):
        return SignIn(None, throttled=True, retry_after=oldest + FAILED_LOGIN_WINDOW - now)
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    stored = user.password_hash if user else _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"])
    valid = check_password_hash(stored, password)
    if user is None or not valid or not user.active:
        db.session.add_all([FailedLogin(account=account, at=now),
                            FailedLogin(account=pair, at=now)])
        db.session.commit()
        return SignIn(None)
    db.session.execute(delete(FailedLogin).where(FailedLogin.account == pair))
    db.session.commit()
    return SignIn(user)


def check_current_password(user: User, password: str, now: datetime | None = None) -> SignIn:
    """The current password before a new one is set, with the same limit on guesses as a
    sign-in: a stolen session cannot try passwords without end."""
    now = now or utcnow()
    since = now - FAILED_LOGIN_WINDOW
    key = _account_key(f"{user.email}\0password-change")
    failures, oldest = _failures(key, since)
    if failures >= MAX_FAILED_LOGINS:
        return SignIn(None, throttled=True, retry_after=oldest + FAILED_LOGIN_WINDOW - now)
    if not check_password(user, password):
        db.session.add(FailedLogin(account=key, at=now))
        db.session.commit()
        return SignIn(None)
    db.session.execute(delete(FailedLogin).where(FailedLogin.account == key))
    db.session.commit()
    return SignIn(user)


def session_fields(user: User, now: datetime | None = None) -> dict[str, object]:
    """What a new staff session holds: the account with its session generation, when the
    session began (for the absolute lifetime) and when it was last used (for the idle limit)."""
    started = (now or utcnow()).timestamp()
    return {"_user_id": user.get_id(), "_fresh": True, _STARTED_KEY: started,
            _SEEN_KEY: started}


def start_session(user: User) -> None:
    """Sign ``user`` in on a cleared session; it ends after the idle limit or the lifetime."""
    login_user(user)
    session.permanent = True
    session.update(session_fields(user))


def renew_session(user: User) -> None:
    """After ``end_sessions`` keeps the current session signed in, with its original start:
    changing the password does not extend a stolen session's lifetime."""
    session["_user_id"] = user.get_id()


def _expire_session() -> None:
    # The cookie's own expiry is refreshed by the browser's requests; checking server-signed
    # timestamps as well means a copied cookie stops working after the idle limit, and one
    # kept in use stops after the absolute lifetime.
    if not current_user.is_authenticated:
        return
    config = current_app.config
    now = utcnow().timestamp()
    seen = session.get(_SEEN_KEY)
    started = session.get(_STARTED_KEY)
    if (seen is None or started is None
            or now - float(seen) > config["STAFF_IDLE_LIMIT"].total_seconds()
            or now - float(started) > config["STAFF_SESSION_LIFETIME"].total_seconds()):
        logout_user()
        session.clear()
        return
    session[_SEEN_KEY] = now


def init_app(app: Flask) -> None:
    # The session cookie only carries flash messages for residents, so its lifetime can be
    # the staff idle limit; Flask refreshes it on every request.
    app.config["PERMANENT_SESSION_LIFETIME"] = app.config["STAFF_IDLE_LIMIT"]
    login_manager.init_app(app)
    app.before_request(_expire_session)
