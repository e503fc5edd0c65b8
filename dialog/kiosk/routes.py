"""Kiosk pages: attract screen, the survey pages shared with the web flow, reset, staff set-up.

The person at the kiosk holds a token in a session cookie (``kiosk_<slug>``, path /kiosk,
SameSite=Strict); the computer holds a device key in a long-lived cookie. The key never
appears in a URL: staff get a one-time code that the kiosk computer exchanges for the cookie.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from itsdangerous import URLSafeSerializer
from werkzeug.wrappers import Response as HttpResponse

from surveys import next_page_index

from .. import audit
from ..answering.flow import Flow, language_for, open_survey, serve_page
from ..auth import roles_required
from ..extensions import db
from ..i18n import supported_languages
from ..pages.statement import statement_context
from ..services import catalog, responses
from ..staff_language import choose_staff_language
from . import devices
from .forms import DeviceForm, IdleForm, RegisterForm
from .models import KioskDevice

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")

KIOSK = Flow(page="kiosk.answer_page", thanks="kiosk.show_thanks", template="kiosk/page.html")
DEVICE_COOKIE = "kiosk_device"
DEVICE_COOKIE_MAX_AGE = 60 * 60 * 24 * 365
# The thank-you screen stays this long, then the kiosk is ready for the next person.
THANKS_SECONDS = 20


@dataclass(frozen=True)
class IdleTimer:
    """What the page tells kiosk.js (and the no-script refresh): when to clear, and where."""

    idle: int
    warning: int
    reset_url: str


@bp.url_value_preprocessor
def _take_language(endpoint, values) -> None:
    if values and "lang" in values:
        if values["lang"] not in supported_languages():
            abort(404)
        g.lang = values["lang"]


@bp.before_request
def _staff_language_on_set_up_pages() -> None:
    # Setting up kiosks is staff work: those pages speak the staff member's chosen language,
    # like the rest of the staff area, not the browser's.
    if request.path.startswith("/kiosk/devices"):
        choose_staff_language(save_to_account=True)


@bp.after_request
def _no_store(resp: HttpResponse) -> HttpResponse:
    # Back and history must never show the previous person's page from the browser cache.
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.context_processor
def _kiosk_context() -> dict:
    return {"kiosk_timer": g.get("kiosk_timer")}


def _cookie_name(slug: str) -> str:
    return f"kiosk_{slug}"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="kiosk-token")


def _device() -> KioskDevice:
    device = devices.find_device(request.cookies.get(DEVICE_COOKIE))
    if device is None:
        abort(403, description=_("This computer is not set up as a kiosk. "
                                 "Ask the staff at the desk for help."))
    return device


def _set_device_cookie(resp: HttpResponse, key: str) -> None:
    resp.set_cookie(DEVICE_COOKIE, key, max_age=DEVICE_COOKIE_MAX_AGE, httponly=True,
                    samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"],
                    path=bp.url_prefix)


def _token_response(slug: str) -> responses.OpenResponse | None:
    response = responses.find_by_signed_token(request.cookies.get(_cookie_name(slug)),
                                              _serializer())
    return response if response is not None and response.channel == "kiosk" else None


def _kiosk_response(slug: str, record) -> responses.OpenResponse | None:
    """The open response of the person at this kiosk, or None when there is none any more."""
    response = _token_response(slug)
    if response is None or response.status != "partial":
        return None
    if response.version_id != record.current_version_id or devices.is_stale(response):
        devices.end_response(response)
        return None
    return response


def _end_person(slug: str) -> None:
    """End the response of whoever answered at this screen, on the server: the cookie that
    named it then names nothing, even if the browser keeps it or goes Back to its pages."""
    response = _token_response(slug)
    if response is not None:
        devices.end_response(response)


def _forget_cookie(resp: HttpResponse, slug: str) -> HttpResponse:
    resp.delete_cookie(_cookie_name(slug), path=bp.url_prefix,
                       secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True,
                       samesite="Strict")
    return resp


def _cleared(target: str, slug: str) -> HttpResponse:
    """Go to ``target`` with nothing of the person left: no token cookie, an empty session."""
    session.clear()
    return _forget_cookie(redirect(target, code=303), slug)


def _timer(record, slug: str) -> IdleTimer:
    times = devices.idle_times(record)
    return IdleTimer(times.idle, times.warning, url_for("kiosk.reset", slug=slug))


@bp.get("/")
def list_surveys() -> str:
    _device()
    records = catalog.open_surveys()
    surveys = [(r, catalog.definition_of(r.current_version)) for r in records]
    page = make_response(render_template("kiosk/list.html", surveys=surveys))
    for record in records:  # the next person may start here as well as on a start screen
        _end_person(record.slug)
        _forget_cookie(page, record.slug)
    return page


@bp.get("/<slug>/")
def show_attract(slug: str) -> HttpResponse | str:
    record, survey = open_survey(slug)
    _device()
    # The start screen is where the next person begins: whoever answered before is ended
    # here, whether they came by "Back to the start", the browser's Back or the idle timer.
    _end_person(slug)
    g.lang = survey.default_language
    # No warning on a screen with nothing to lose; the timer only brings the screen back here.
    g.kiosk_timer = IdleTimer(devices.idle_times(record).idle, 0,
                              url_for("kiosk.reset", slug=slug))
    names = supported_languages()
    choices = [(code, names.get(code, code)) for code in survey.languages]
    page = make_response(render_template("kiosk/attract.html", survey=survey, slug=slug,
                                         choices=choices))
    return _forget_cookie(page, slug)


@bp.post("/<slug>/start")
def start(slug: str) -> HttpResponse:
    record, survey = open_survey(slug)
    device = _device()
    lang = request.form.get("lang", "")
    if lang not in survey.languages:
        abort(400, description=_("Choose one of the languages shown."))
    previous = _token_response(slug)
    if previous is not None:
        devices.end_response(previous)
    _response, token = devices.start_kiosk_response(record, device, lang)
    first = next_page_index(survey, -1, {}) or 0
    session.clear()
    resp = redirect(url_for("kiosk.answer_page", slug=slug, lang=lang, number=first + 1),
                    code=303)
    # A session cookie: it dies with the browser, and Strict keeps other sites from using it.
    resp.set_cookie(_cookie_name(slug), _serializer().dumps(token), httponly=True,
                    samesite="Strict", secure=current_app.config["SESSION_COOKIE_SECURE"],
                    path=bp.url_prefix)
    return resp


@bp.route("/<slug>/<lang>/p/<int:number>", methods=["GET", "POST"])
def answer_page(slug: str, lang: str, number: int) -> HttpResponse | str | tuple[str, int]:
    record, survey = open_survey(slug)
    _device()
    if (moved := language_for(survey, lang, slug=slug, number=number)) is not None:
        return moved
    response = _kiosk_response(slug, record)
    if response is None:
        return _cleared(url_for("kiosk.show_attract", slug=slug), slug)
    g.kiosk_timer = _timer(record, slug)
    result = serve_page(survey, record, slug, lang, response, number, KIOSK)
    thanks = url_for("kiosk.show_thanks", slug=slug, lang=lang)
    if isinstance(result, HttpResponse) and result.location == thanks:
        # Completed just now (completing forgot the token): clear the screen's cookies too.
        return _cleared(thanks, slug)
    return result


@bp.route("/<slug>/reset", methods=["GET", "POST"])
def reset(slug: str) -> HttpResponse:
    """Clear the screen for the next person.

    POST is the person's own "Stop and delete my answers": what they had answered is deleted.
    GET is the idle timer (and its no-script refresh): nobody asked to delete, so a response
    left half-done is ended and kept, like one left on a phone. All a GET can do is end the
    kiosk session of the browser that asks, so a link from elsewhere can do no harm beyond
    that; the Strict token cookie is not even sent with a navigation from another site.
    """
    if catalog.find_survey(slug) is None:
        abort(404)
    if request.method == "POST":
        response = _token_response(slug)
        if response is not None and not responses.delete_partial(response):
            devices.end_response(response)
    else:
        _end_person(slug)
    return _cleared(url_for("kiosk.show_attract", slug=slug), slug)


@bp.get("/<slug>/<lang>/klart")
def show_thanks(slug: str, lang: str) -> HttpResponse | str:
    record = catalog.find_survey(slug)
    if not catalog.is_public(record):
        abort(404)
    survey = catalog.definition_of(record.current_version)
    if lang not in survey.languages:
        return redirect(url_for("kiosk.show_thanks", slug=slug, lang=survey.default_language))
    g.kiosk_timer = IdleTimer(THANKS_SECONDS, 0, url_for("kiosk.reset", slug=slug))
    return render_template("kiosk/thanks.html", survey=survey, slug=slug,
                           closes_on=catalog.round_period(record)[1])


@bp.route("/register", methods=["GET", "POST"])
def register() -> HttpResponse | tuple[str, int]:
    """The kiosk computer types the one-time code staff got and receives its device cookie."""
    form = RegisterForm()
    if form.validate_on_submit():
        key = devices.redeem_code(form.code.data)
        if key is not None:
            resp = redirect(url_for("kiosk.list_surveys"), code=303)
            _set_device_cookie(resp, key)
            return resp
        form.code.errors = [_("The code does not work. It may be mistyped, already used or "
                              "older than 15 minutes. Ask for a new code on the Kiosks page.")]
    status = 422 if form.errors else 200
    return render_template("kiosk/register.html", form=form), status


def _open_records() -> list:
    return [(r, catalog.definition_of(r.current_version)) for r in catalog.open_surveys()]


@bp.route("/devices", methods=["GET", "POST"])
@roles_required("admin", "staff")
def manage_devices() -> HttpResponse | str:
    form = DeviceForm()
    new_code = None
    if form.validate_on_submit():
        device, new_code = devices.register_device(form.name.data,
                                                   created_by=current_user.email)
        audit.record("kiosk.register_device", device.name)
        if form.use_here.data:
            # A staff login must not stay open on a computer the public uses.
            logout_user()
            session.clear()
            resp = redirect(url_for("kiosk.list_surveys"), code=303)
            _set_device_cookie(resp, devices.redeem_code(new_code))
            return resp
    idle_forms = {r.slug: IdleForm(formdata=None, **_times(r)) for r, _s in _open_records()}
    status = 422 if form.errors else 200
    return render_template("kiosk/devices.html", form=form, new_code=new_code,
                           devices=devices.all_devices(), surveys=_open_records(),
                           idle_forms=idle_forms), status


@bp.post("/devices/<int:device_id>/deactivate")
@roles_required("admin", "staff")
def deactivate_device(device_id: int) -> HttpResponse:
    device = db.session.get(KioskDevice, device_id)
    if device is None:
        abort(404)
    devices.deactivate_device(device)
    audit.record("kiosk.deactivate_device", device.name)
    return redirect(url_for("kiosk.manage_devices"), code=303)


@bp.post("/devices/idle/<slug>")
@roles_required("admin", "staff")
def set_idle(slug: str) -> HttpResponse | tuple[str, int]:
    record = catalog.find_survey(slug)
    if record is None:
        abort(404)
    form = IdleForm()
    if form.validate_on_submit():
        try:
            devices.set_idle_times(record, form.idle.data, form.warning.data)
        except ValueError:
            form.warning.errors = [_("The question must come before the screen is cleared.")]
        else:
            audit.record("kiosk.set_idle", f"{slug}: {form.idle.data}/{form.warning.data}")
            return redirect(url_for("kiosk.manage_devices"), code=303)
    idle_forms = {r.slug: IdleForm(formdata=None, **_times(r)) for r, _s in _open_records()}
    idle_forms[slug] = form
    return render_template("kiosk/devices.html", form=DeviceForm(formdata=None), new_code=None,
                           devices=devices.all_devices(), surveys=_open_records(),
                           idle_forms=idle_forms), 422


def _times(record) -> dict[str, int]:
    times = devices.idle_times(record)
    return {"idle": times.idle, "warning": times.warning}


@bp.get("/<slug>/<lang>/tillganglighet")
def show_accessibility(slug: str, lang: str) -> str:
    """The statement inside the kiosk frame, so that it leads nowhere but back to the start."""
    record, survey = open_survey(slug)
    g.kiosk_timer = _timer(record, slug)
    return render_template("kiosk/accessibility.html", survey=survey, slug=slug,
                           **statement_context())
