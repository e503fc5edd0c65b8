"""Hardening that applies to every response: security headers, allowed methods, rate limits,
the same-origin check on form posts over https, the proxy set-up and a trivial health endpoint
for load balancers.

Rate limits use Flask-Limiter with one limiter per app (tests build many apps; a module
singleton would share counters between them). Storage is in memory by default, which counts
per gunicorn worker; set ``RATELIMIT_STORAGE_URI`` (e.g. a Redis URL) to count across workers
and servers.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, Request, current_app, request
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, MethodNotAllowed, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response as HttpResponse

# Pages never need more than their own scripts, styles and images: no inline code at all.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
ALLOWED_METHODS = frozenset({"GET", "HEAD", "POST"})
# Browsers send the Referer (and a real Origin on form posts) to our own pages only: nothing
# about which page a resident was on reaches another site. "no-referrer" made browsers send no
# Referer and "Origin: null", so the same-origin check below refused every form over https.
REFERRER_POLICY = "same-origin"
FORWARDING_HEADERS = ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded")
# Blueprints whose POSTs carry residents' answers.
ANSWER_BLUEPRINTS = frozenset({"respond", "kiosk"})
LOGIN_ENDPOINT = "staff.login"
START_ENDPOINT = "respond.show_intro"
KIOSK_REGISTER_ENDPOINT = "kiosk.register"

# Defaults, overridable from instance/config.py, the app config or the environment.
# A class at school or everybody behind a mobile operator's shared address arrives from one
# client address, so the per-client limits are generous; per token and per account are tight.
DEFAULTS: dict[str, str | int] = {
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_ANSWERS_PER_TOKEN": "30 per minute;500 per day",
    "RATELIMIT_ANSWERS_PER_CLIENT": "600 per minute",
    # New responses started in the web flow: each start issues a new token, so without this
    # one browser could complete response after response (see dialog/repeats.py).
    "RATELIMIT_STARTS_PER_CLIENT": "60 per hour;300 per day",
    "RATELIMIT_LOGINS_PER_ACCOUNT": "5 per minute;30 per hour",
    "RATELIMIT_LOGINS_PER_CLIENT": "30 per minute;300 per hour",
    "RATELIMIT_KIOSK_CODES_PER_CLIENT": "10 per minute;50 per hour",
    # How many reverse proxies (nginx) set X-Forwarded-For/-Proto in front of the app.
    "TRUSTED_PROXIES": 0,
    "HSTS_MAX_AGE": 60 * 60 * 24 * 365,
}


def _setting(app: Flask, key: str) -> str | int:
    if key in app.config:
        return app.config[key]
    default = DEFAULTS[key]
    raw = os.environ.get(key)
    if raw is None:
        return default
    return int(raw) if isinstance(default, int) else raw


def _pseudonym(value: str) -> str:
    """Limiter keys live in memory or Redis; they carry a keyed hash, never an IP address."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hashlib.blake2b(value.encode(), key=secret[:64], digest_size=16).hexdigest()


def client_key() -> str:
    return "client:" + _pseudonym(request.remote_addr or "unknown")


def resume_token_key() -> str:
    slug = (request.view_args or {}).get("slug", "")
    return "token:" + _pseudonym(request.cookies.get(f"resume_{slug}", ""))


def _without_resume_token() -> bool:
    slug = (request.view_args or {}).get("slug", "")
    return not request.cookies.get(f"resume_{slug}")


def account_key() -> str:
    """One account from one client: someone else's guesses never hold the owner back."""
    email = (request.form.get("email") or "").strip().casefold()
    return "account:" + _pseudonym(f"{email}\0{request.remote_addr or 'unknown'}")


def _not_sent_back(response: HttpResponse) -> bool:
    # A page sent back with answers to correct (422) saved nothing: a resident who keeps
    # getting a field wrong keeps seeing the form and its message, never "too many attempts".
    return response.status_code != 422


def _failed_sign_in(response: HttpResponse) -> bool:
    # A sign-in that worked redirects; only the others count towards the limit.
    return response.status_code != 302


def _refused_code(response: HttpResponse) -> bool:
    # A code that worked redirects to the kiosk; setting up many kiosks is not guessing.
    return response.status_code != 303


def local_path(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None: the only place sign-in may send
    a browser back to (no open redirect).

    Browsers and Werkzeug drop tabs and line breaks from a URL and read a backslash as a
    slash, so ``/%09/evil.example`` would become ``//evil.example``: any control character,
    space or backslash refuses the target, before it could reach a header either.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if any(ch <= " " or ch in "\\\x7f" for ch in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _too_many() -> str:
    return _("You have sent many answers in a short time. Wait a minute and try again.")


def _too_many_starts() -> str:
    return _("Many answers have been started from here in a short time. Wait a while and "
             "try again.")


def _too_many_logins() -> str:
    return _("Too many login attempts. Wait a few minutes and try again.")


def _too_many_codes() -> str:
    return _("Too many kiosk codes tried. Wait a few minutes and try again.")


class HardenedRequest(Request):
    """A form part without a readable name (a raw newline in its header) is a broken request,
    refused before anything (CSRF check included) trips over a field named None."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        if None in self.form or None in self.files:
            raise BadRequest()
        self._refuse_longer_stream()

    def _refuse_longer_stream(self) -> None:
        """A body without Content-Length (chunked, from gunicorn reached directly) is read up
        to the size limit and no further, but Werkzeug then parses what it read as if it were
        all: one more byte on the wire means the body was too large, and it is refused."""
        if self.content_length is not None or self.max_content_length is None \
                or not self.environ.get("wsgi.input_terminated"):
            return
        if self.environ["wsgi.input"].read(1):
            raise RequestEntityTooLarge()


def _security_headers(response: HttpResponse) -> HttpResponse:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", current_app.config["CONTENT_SECURITY_POLICY"])
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), payment=(), usb=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security",
                           f"max-age={current_app.config['HSTS_MAX_AGE']}; includeSubDomains")
    if response.mimetype == "text/html":
        # A shared kiosk's back button must not show the previous resident's answers.
        headers.setdefault("Cache-Control", "no-store")
    return response


def _refuse_other_methods() -> None:
    if request.method not in ALLOWED_METHODS:
        raise MethodNotAllowed(valid_methods=sorted(ALLOWED_METHODS))


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    except ValueError:
        return None
    if not parts.hostname or port is None:
        return None
    return parts.scheme, parts.hostname, port


def _check_same_origin() -> None:
    """Over https, a form post must say that it comes from one of our own pages.

    This is Flask-WTF's strict https check (``WTF_CSRF_SSL_STRICT``, switched off in
    ``init_app`` because this replaces it), extended as Django does: the ``Origin`` header is
    the evidence when the browser sends one, the ``Referer`` when it does not. With the CSRF
    token and SameSite cookies it stops a form posted from another site, including a plain
    http neighbour that planted its own session cookie. Browsers (or privacy add-ons) that
    strip the Referer still send the Origin, so their users can answer; a request carrying
    neither is refused with a page that says what to change, in the visitor's language.
    """
    config = current_app.config
    if (not request.is_secure or not config.get("WTF_CSRF_ENABLED", True)
            or request.method not in config["WTF_CSRF_METHODS"]):
        return
    claimed = request.headers.get("Origin")
    if claimed in (None, "null"):
        claimed = request.referrer
    if not claimed:
        raise BadRequest(description=_(
            "Your browser did not tell us which page the form was sent from, so we could not "
            "accept it. We check this to protect your answers from other websites. Allow your "
            "browser to send this to our website (the setting is often called “referrer”), "
            "or use another browser, and try again."))
    if _origin(claimed) != _origin(f"https://{request.host}/"):
        # Either another site posted here, or the proxy passes a Host other than the one the
        # browser used (nginx must pass $http_host, port included): say which, for the operator.
        current_app.logger.warning(
            "refused a form post from %s to https://%s: another site, or a proxy that does "
            "not pass the browser's Host header", _origin(claimed), request.host)
        raise CSRFError()


def _warn_about_untrusted_proxies(app: Flask) -> None:
    """With ``TRUSTED_PROXIES=0`` behind nginx, every resident arrives from nginx's address and
    they all share one rate-limit bucket. Say so once per server process, the first time a
    request carries a proxy's forwarding headers (never the addresses in them)."""
    warned = False

    def check() -> None:
        nonlocal warned
        if not warned and any(name in request.headers for name in FORWARDING_HEADERS):
            warned = True
            app.logger.warning(
                "requests arrive with %s from a proxy that is not trusted: all clients share "
                "one rate-limit bucket. Set TRUSTED_PROXIES to the number of proxies in front "
                "(1 with nginx), see docs/deployment.md.",
                "/".join(name for name in FORWARDING_HEADERS if name in request.headers))

    app.before_request(check)


def _health() -> HttpResponse:
    """For load balancers and the load benchmark: proves the worker answers, touches nothing."""
    return HttpResponse("ok\n", mimetype="text/plain")


def _limit_view(app: Flask, endpoint: str, decorate: Callable) -> None:
    # Wrapping the registered view keeps the limits here, out of the staff blueprint's code.
    view = app.view_functions.get(endpoint)
    if view is not None:
        app.view_functions[endpoint] = decorate(view)


def _not_a_post() -> bool:
    """Every limit here is on POSTs: the limiter skips its per-request work for everything
    else (GETs and static files; on the answer path that work was a sixth of the server's
    time)."""
    return request.method != "POST"


def init_app(app: Flask) -> Limiter:
    """Call last in ``create_app``: limits attach to the blueprints registered by then."""
    for key in DEFAULTS:
        app.config[key] = _setting(app, key)
    app.config.setdefault("CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)
    # Limits would make the test suite depend on timing; the limit tests switch them on.
    app.config.setdefault("RATELIMIT_ENABLED", not app.testing)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # Redis down must not refuse residents' answers: each worker counts on its own meanwhile
    # (as without Redis) and goes back to Redis once it answers again.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    else:
        _warn_about_untrusted_proxies(app)

    app.request_class = HardenedRequest
    app.before_request(_refuse_other_methods)
    app.config["WTF_CSRF_SSL_STRICT"] = False  # _check_same_origin does it, Origin included
    app.before_request(_check_same_origin)
    app.after_request(_security_headers)
    app.add_url_rule("/healthz", endpoint="healthz", view_func=_health, methods=["GET"])

    limiter = Limiter(client_key, storage_uri=str(app.config["RATELIMIT_STORAGE_URI"]),
                      key_prefix="medborgardialog")
    limiter.init_app(app)
    limiter.request_filter(_not_a_post)
    # Flask-Limiter keeps only weak references to itself; the app must hold the limiter.
    app.extensions["medborgardialog.limiter"] = limiter
    for name in ANSWER_BLUEPRINTS:
        blueprint = app.blueprints.get(name)
        if blueprint is None:
            continue
        limiter.limit(app.config["RATELIMIT_ANSWERS_PER_CLIENT"], key_func=client_key,
                      methods=["POST"], error_message=_too_many)(blueprint)
        limiter.limit(app.config["RATELIMIT_ANSWERS_PER_TOKEN"], key_func=resume_token_key,
                      methods=["POST"], exempt_when=_without_resume_token,
                      deduct_when=_not_sent_back, error_message=_too_many)(blueprint)
    _limit_view(app, START_ENDPOINT, limiter.limit(
        app.config["RATELIMIT_STARTS_PER_CLIENT"], key_func=client_key, methods=["POST"],
        error_message=_too_many_starts, override_defaults=False))  # on top of the page limits
    _limit_view(app, LOGIN_ENDPOINT, limiter.limit(
        app.config["RATELIMIT_LOGINS_PER_CLIENT"], key_func=client_key, methods=["POST"],
        error_message=_too_many_logins))
    _limit_view(app, LOGIN_ENDPOINT, limiter.limit(
        app.config["RATELIMIT_LOGINS_PER_ACCOUNT"], key_func=account_key, methods=["POST"],
        error_message=_too_many_logins, deduct_when=_failed_sign_in))
    # Guessing one-time kiosk codes must stay hopeless within their 15 minutes.
    _limit_view(app, KIOSK_REGISTER_ENDPOINT, limiter.limit(
        app.config["RATELIMIT_KIOSK_CODES_PER_CLIENT"], key_func=client_key, methods=["POST"],
        error_message=_too_many_codes, deduct_when=_refused_code))
    return limiter
