"""Resident pages: language choice, intro, one page per section, thank-you."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from itsdangerous import URLSafeSerializer
from werkzeug.wrappers import Response as HttpResponse

from surveys import next_page_index

from .. import repeats
from ..answering.flow import Flow, language_for, open_survey, serve_page
from ..extensions import db
from ..i18n import best_language, supported_languages
from ..models import Response
from ..sampling import service as sampling
from ..services import catalog, responses

bp = Blueprint("respond", __name__)
WEB = Flow(page="respond.answer_page", thanks="respond.show_thanks")


@bp.url_value_preprocessor
def _take_language(endpoint, values) -> None:
    if values and "lang" in values:
        lang = values["lang"]
        if lang not in supported_languages():
            abort(404)
        g.lang = lang


@bp.before_request
def _statement_by_statement() -> None:
    """Resident requests read one response and write it back with a single statement each:
    run every statement in its own transaction instead of BEGIN … COMMIT around the request.
    That halves the round trips to PostgreSQL and changes nothing else: under READ COMMITTED
    the read-then-write was never isolated, and completing a response is one conditional
    UPDATE either way."""
    if not db.session().in_transaction():  # e.g. a signed-in staff member was loaded already
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


@bp.get("/")
def choose_language() -> HttpResponse:
    return redirect(url_for("respond.list_surveys", lang=best_language()))


@bp.get("/<lang>/")
def list_surveys(lang: str) -> str:
    rounds = catalog.rounds_for_residents(lang)
    names = supported_languages()
    return render_template("respond/list.html", surveys=rounds.open, closed=rounds.closed,
                           other_languages=[(code, names[code]) for code in rounds.other_languages
                                            if code in names])


def _cookie_name(slug: str) -> str:
    return f"resume_{slug}"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="resume-token")


def _current_response(slug: str) -> responses.OpenResponse | None:
    return responses.find_by_signed_token(request.cookies.get(_cookie_name(slug)), _serializer())


def _set_resume_cookie(resp: HttpResponse, slug: str, token: str) -> None:
    resp.set_cookie(
        _cookie_name(slug), _serializer().dumps(token),
        max_age=current_app.config["RESUME_COOKIE_MAX_AGE"], httponly=True, samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"], path="/",
    )


@bp.route("/<lang>/s/<slug>/", methods=["GET", "POST"])
def show_intro(lang: str, slug: str) -> HttpResponse | str:
    record, survey = open_survey(slug)
    if (moved := language_for(survey, lang, slug=slug)) is not None:
        return moved
    if record.sampled:
        return _sampled_intro(lang, slug, record, survey)
    current = _current_response(slug)
    if request.method == "POST":
        from ..extensions import csrf  # noqa: PLC0415  (explicit check: the form has no fields)

        csrf.protect()
        response, token = responses.start_response(
            record.current_version_id, language=lang, channel="web")
        first = next_page_index(survey, -1, {}) or 0
        resp = redirect(url_for("respond.answer_page", lang=lang, slug=slug, number=first + 1))
        _set_resume_cookie(resp, slug, token)
        return resp
    if current is not None and current.status == "partial" \
            and current.version_id == record.current_version_id:
        flash(_("Welcome back. You can continue where you stopped."))
        return redirect(url_for("respond.answer_page", lang=lang, slug=slug,
                                number=current.page_index + 1))
    already = current is not None and current.status in ("complete", repeats.EXCLUDED)
    return render_template("respond/intro.html", survey=survey, slug=slug, already=already)


def _sampled_intro(lang: str, slug: str, record, survey) -> HttpResponse | str:
    """A sampled round is answered with the code from the letter: one code, one response,
    resumed on any device. Wrong, unknown and malformed codes get the same answer."""
    current = _current_response(slug)
    if request.method == "GET" and current is not None and current.status == "partial" \
            and current.version_id == record.current_version_id:
        return redirect(url_for("respond.answer_page", lang=lang, slug=slug,
                                number=current.page_index + 1))
    typed = request.values.get("kod", "")
    if request.method == "GET":
        return render_template("respond/code.html", survey=survey, slug=slug, code=typed)
    from ..extensions import csrf  # noqa: PLC0415  (explicit check, as for the open intro)

    csrf.protect()
    member = sampling.find_member(record.id, typed)
    if member is None:
        return render_template("respond/code.html", survey=survey, slug=slug, code=typed,
                               wrong=True), 422
    status = sampling.linked_status(member)
    if status in ("complete", repeats.EXCLUDED):
        return render_template("respond/code.html", survey=survey, slug=slug, done=True)
    if status == "partial":
        token = responses.reissue_token(member.response_id)
        number = db.session.get(Response, member.response_id).page_index + 1
    else:
        response, token = responses.start_response(
            record.current_version_id, language=lang, channel="web")
        sampling.link_response(member, response.id)
        number = (next_page_index(survey, -1, {}) or 0) + 1
    resp = redirect(url_for("respond.answer_page", lang=lang, slug=slug, number=number))
    _set_resume_cookie(resp, slug, token)
    return resp


def _resident_response(slug: str, record) -> responses.OpenResponse | None:
    response = _current_response(slug)
    if response is None or response.version_id != record.current_version_id:
        return None
    return response


@bp.route("/<lang>/s/<slug>/p/<int:number>", methods=["GET", "POST"])
def answer_page(lang: str, slug: str, number: int) -> HttpResponse | str:
    record, survey = open_survey(slug)
    if (moved := language_for(survey, lang, slug=slug, number=number)) is not None:
        return moved
    response = _resident_response(slug, record)
    if response is None:
        return redirect(url_for("respond.show_intro", lang=lang, slug=slug))
    return serve_page(survey, record, slug, lang, response, number, WEB)


@bp.get("/<lang>/s/<slug>/klart")
def show_thanks(lang: str, slug: str) -> HttpResponse | str:
    ref = catalog.find_ref(slug)
    if not catalog.is_public(ref):
        abort(404)
    survey = catalog.current_definition(ref)
    if lang not in survey.languages:
        return redirect(url_for("respond.show_thanks", lang=survey.default_language, slug=slug))
    return render_template("respond/thanks.html", survey=survey, slug=slug,
                           closes_on=catalog.round_period(ref)[1])
