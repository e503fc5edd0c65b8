"""Staff pages: sign-in, survey rounds, uploads and previews, paper entry, free-text review,
exports and accounts. Views parse, call a service, then redirect or render."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import format_timedelta, ngettext
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.wrappers import Response as HttpResponse

from surveys import (
    Survey,
    prune_hidden,
    validate_page,
)

from .. import audit, auth, repeats, security
from ..answering.forms import build_page_form
from ..answering.messages import error_message
from ..auth import READ_ROLES, STAFF_ROLES, roles_required
from ..errors import render_error
from ..i18n import supported_languages
from ..models import SurveyRecord, utcnow
from ..services import catalog, responses
from ..services.export import codebook_table, iter_csv, iter_responses_csv
from ..services.population import population_for, store_population
from ..services.results.store import results_for
from ..staff_language import STAFF_LANGUAGES, choose_staff_language, fresh_session
from ..views import published_or_404
from . import definitions, exports, review, rounds
from .forms import (
    ChangePasswordForm,
    ExportForm,
    LoginForm,
    PopulationForm,
    ScheduleForm,
    UploadForm,
    UserForm,
)
from .models import PendingDefinition

bp = Blueprint("staff", __name__, url_prefix="/staff")



@bp.before_request
def _choose_language() -> None:
    choose_staff_language(save_to_account=True)


@bp.context_processor
def _staff_context() -> dict:
    def staff_language_url(code: str) -> str:
        # url_for reads _method, _anchor, _external and _scheme as its own options: a query
        # string must not reach them (a BuildError, or a link to another scheme).
        query = {k: v for k, v in request.args.items() if not k.startswith("_")}
        args = {**query, **(request.view_args or {}), "lang": code}
        return url_for(request.endpoint or "staff.index", **args)

    return {"staff_languages": {c: supported_languages()[c] for c in STAFF_LANGUAGES},
            "staff_language_url": staff_language_url}


@bp.after_request
def _no_store(response: HttpResponse) -> HttpResponse:
    # Staff pages show answers and accounts: a shared office PC must not keep them in its cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _landing() -> str:
    """Where a signed-in person starts: staff at the survey rounds, a councillor at the
    results of the current round (the list of results while no round has answers)."""
    if current_user.role in STAFF_ROLES:
        return url_for("staff.index")
    current = catalog.current_round()
    if current is None:
        return url_for("dashboard.list_surveys")
    return url_for("dashboard.show_dashboard", slug=current.slug)


def _local_target(target: str | None) -> str:
    return security.local_path(target) or _landing()


# --- Accounts -------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login() -> HttpResponse | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(_local_target(request.args.get("next")))
    form = LoginForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("staff/login.html", form=form, error=None), status
    outcome = auth.authenticate(form.email.data, form.password.data,
                                client=security.client_key())
    if outcome.throttled:
        message = _too_many_attempts(outcome)
        return render_template("staff/login.html", form=form, error=message), 429
    if outcome.user is None:
        message = _("The e-mail address or the password is wrong.")
        return render_template("staff/login.html", form=form, error=message), 401
    fresh_session()
    auth.start_session(outcome.user)
    audit.record("sign_in", outcome.user.email)
    return redirect(_local_target(request.args.get("next")))


def _too_many_attempts(outcome: auth.SignIn) -> str:
    wait = format_timedelta(outcome.retry_after or auth.FAILED_LOGIN_WINDOW,
                            threshold=1.0, add_direction=False)
    return _("Too many failed attempts. Wait %(wait)s and try again.", wait=wait)


@bp.post("/logout")
def logout() -> HttpResponse:
    if current_user.is_authenticated:
        # Signing out anywhere ends the account's sessions everywhere, copied cookies included.
        auth.end_sessions(current_user)
    logout_user()
    session.clear()
    flash(_("You have signed out."))
    return redirect(url_for("staff.login"))


@bp.route("/password", methods=["GET", "POST"])
@roles_required(*READ_ROLES)
def change_password() -> HttpResponse | str | tuple[str, int]:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        checked = auth.check_current_password(current_user, form.current.data)
        if checked.throttled:
            form.current.errors = [_too_many_attempts(checked)]
            return render_template("staff/password.html", form=form), 429
        if checked.user is None:
            form.current.errors = [_("The current password is wrong.")]
        else:
            auth.set_password(current_user, form.new.data)
            # Every other session (another device, a stolen cookie) has ended; this one goes on.
            auth.renew_session(current_user)
            audit.record("change_password", current_user.email)
            flash(_("Your password has been changed."))
            return redirect(url_for("staff.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/password.html", form=form), status


@bp.route("/users", methods=["GET", "POST"])
@roles_required("admin")
def list_users() -> HttpResponse | str | tuple[str, int]:
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = auth.create_user(form.email.data, form.password.data, form.role.data,
                                    form.language.data)
        except ValueError:
            form.email.errors = [_("An account with this e-mail address already exists.")]
        else:
            audit.record("create_user", user.email, user.role)
            flash(_("The account has been created."))
            return redirect(url_for("staff.list_users"))
    users = auth.all_users()
    status = 422 if request.method == "POST" else 200
    return render_template("staff/users.html", users=users, form=form), status


@bp.post("/users/<int:user_id>/active")
@roles_required("admin")
def toggle_user(user_id: int) -> HttpResponse:
    user = auth.find_user(user_id) or abort(404)
    if user.id == current_user.id:
        abort(409, description=_("You cannot deactivate your own account."))
    auth.set_active(user, not user.active)
    audit.record("activate_user" if user.active else "deactivate_user", user.email)
    return redirect(url_for("staff.list_users"))


# --- Survey rounds --------------------------------------------------------------------------


@bp.get("/")
@roles_required(*READ_ROLES)
def index() -> HttpResponse | str:
    if current_user.role not in STAFF_ROLES:
        # Survey rounds are managed by staff; a councillor's start is the results.
        return redirect(_landing())
    return render_template("staff/index.html", rows=rounds.overview(),
                           pending=definitions.pending_uploads())


@bp.get("/surveys/<slug>/")
@roles_required(*STAFF_ROLES)
def show_survey(slug: str) -> str:
    record, survey = published_or_404(slug)
    counts = rounds.round_counts(record, survey)
    form = ScheduleForm(status=record.status,
                        opens_at=record.opens_at.date() if record.opens_at else None,
                        closes_at=(record.closes_at - timedelta(days=1)).date()
                        if record.closes_at else None)
    return render_template(
        "staff/survey.html", record=record, survey=survey, counts=counts,
        age_bands=rounds.age_bands(survey, counts, population_for(record)), form=form,
        is_open=catalog.is_open(record), export_form=ExportForm(formdata=None),
        population_form=PopulationForm(),
    )


@bp.post("/surveys/<slug>/schedule")
@roles_required(*STAFF_ROLES)
def schedule_survey(slug: str) -> HttpResponse | str | tuple[str, int]:
    record, survey = published_or_404(slug)
    form = ScheduleForm()
    if not form.validate_on_submit():
        flash(_("Check the status and the dates."))
        return redirect(url_for("staff.show_survey", slug=slug))
    opens = datetime.combine(form.opens_at.data, time.min) if form.opens_at.data else None
    # "Closes after 30 June" means answers are taken all of that day.
    closes = (datetime.combine(form.closes_at.data, time.min) + timedelta(days=1)
              if form.closes_at.data else None)
    if opens and closes and closes <= opens:
        flash(_("The closing date must come after the opening date."))
        return redirect(url_for("staff.show_survey", slug=slug))
    rounds.schedule(record, form.status.data, opens, closes)
    audit.record("schedule_survey", slug, f"{form.status.data} {opens or '-'} {closes or '-'}")
    flash(_("The survey round has been updated."))
    return redirect(url_for("staff.show_survey", slug=slug))


@bp.route("/upload", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def upload_definition() -> HttpResponse | str | tuple[str, int]:
    form = UploadForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("staff/upload.html", form=form, problems=[]), status
    upload = form.definition.data
    try:
        loaded = definitions.read_upload(upload.filename or "", upload.read())
    except definitions.UploadError as error:
        return render_template("staff/upload.html", form=form, problems=error.problems,
                               message=_upload_message(error.message), draft=error.draft,
                               unsupported=error.unsupported), 422
    pending = definitions.keep_pending(loaded, upload.filename or "",
                                       uploaded_by=current_user.id)
    audit.record("upload_definition", loaded.survey.slug, pending.filename)
    return redirect(url_for("staff.show_pending", pending_id=pending.id))


def _upload_message(code: str) -> str:
    if code == "not-utf8":
        return _("The file is not UTF-8 text. Save it as UTF-8 and upload it again.")
    if code == "unknown-type":
        return _("Upload a survey definition: a .yaml, .lss (LimeSurvey) or .xlsx (XLSForm) file.")
    if code == "incomplete":
        return _("The import lacks parts that every survey needs. Copy the definition below, "
                 "complete it and upload it as a .yaml file.")
    return _("The definition has problems. Fix them and upload the file again.")


def _pending_or_404(pending_id: int) -> tuple[PendingDefinition, Survey]:
    found = definitions.find_pending(pending_id)
    if found is None:
        abort(404)
    return found


@bp.get("/pending/<int:pending_id>/")
@roles_required(*STAFF_ROLES)
def show_pending(pending_id: int) -> str:
    pending, survey = _pending_or_404(pending_id)
    existing = catalog.find_survey(survey.slug)
    return render_template("staff/pending.html", pending=pending, survey=survey,
                           existing=existing)


@bp.post("/pending/<int:pending_id>/publish")
@roles_required(*STAFF_ROLES)
def publish_pending(pending_id: int) -> HttpResponse:
    pending, survey = _pending_or_404(pending_id)
    published = definitions.publish_pending(pending, survey)
    audit.record("publish_survey", survey.slug, f"version {published.version}")
    if published.created:
        flash(_("Version %(number)s has been published.", number=published.version))
    else:
        flash(_("The definition was unchanged; version %(number)s is still current.",
                number=published.version))
    return redirect(url_for("staff.show_survey", slug=survey.slug))


@bp.post("/pending/<int:pending_id>/cancel")
@roles_required(*STAFF_ROLES)
def cancel_pending(pending_id: int) -> HttpResponse:
    pending, survey = _pending_or_404(pending_id)
    definitions.cancel_pending(pending)
    audit.record("cancel_upload", survey.slug)
    flash(_("The upload has been cancelled. Nothing was published."))
    return redirect(url_for("staff.index"))


def _render_preview(survey: Survey, lang: str, links: dict[str, str]) -> str:
    if lang not in survey.languages:
        abort(404)
    forms = [build_page_form(page, lang, answers={}) for page in survey.pages]
    return render_template("staff/preview.html", survey=survey, preview_lang=lang,
                           pages=list(zip(survey.pages, forms, strict=True)), links=links)


@bp.get("/surveys/<slug>/preview/<lang>/")
@roles_required(*STAFF_ROLES)
def preview_survey(slug: str, lang: str) -> str:
    _record, survey = published_or_404(slug)
    links = {code: url_for("staff.preview_survey", slug=slug, lang=code)
             for code in survey.languages}
    return _render_preview(survey, lang, links)


@bp.get("/pending/<int:pending_id>/preview/<lang>/")
@roles_required(*STAFF_ROLES)
def preview_pending(pending_id: int, lang: str) -> str:
    _pending, survey = _pending_or_404(pending_id)
    links = {code: url_for("staff.preview_pending", pending_id=pending_id, lang=code)
             for code in survey.languages}
    return _render_preview(survey, lang, links)


@bp.post("/surveys/<slug>/population")
@roles_required(*STAFF_ROLES)
def upload_population(slug: str) -> HttpResponse:
    record, _survey = published_or_404(slug)
    form = PopulationForm()
    if not form.validate_on_submit():
        flash(_("Choose a CSV file and name its source."))
        return redirect(url_for("staff.show_survey", slug=slug))
    raw = form.table.data.read()
    try:
        store_population(record, raw.decode("utf-8-sig"), form.source.data,
                         uploaded_by=current_user.email)
    except UnicodeDecodeError:
        flash(_("The file is not UTF-8 text. Save it as CSV UTF-8 and try again."))
    except ValueError as error:
        flash(_("The population table was not stored: %(problem)s", problem=str(error)))
    else:
        audit.record("store_population", slug, form.source.data)
        flash(_("The population table has been stored."))
    return redirect(url_for("staff.show_survey", slug=slug))


# --- Paper entry ----------------------------------------------------------------------------


@bp.route("/surveys/<slug>/paper", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def enter_paper(slug: str) -> HttpResponse | str | tuple[str, int]:
    record, survey = published_or_404(slug)
    language = request.form.get("paper_language", survey.default_language)
    if language not in survey.languages:
        abort(400, description=_("Choose one of the survey's languages."))
    if request.method == "GET":
        forms = [build_page_form(page, str(g.lang), answers={}) for page in survey.pages]
        return _render_paper(survey, slug, forms, {}, language)
    submitted = request.form.to_dict(flat=False)
    answers, errors = _validate_paper(survey, submitted)
    if not errors and not prune_hidden(survey, answers):
        # An empty form is a slip of the hand, not a resident's answer.
        first = survey.pages[0].questions[0].id
        errors = {first: _("The questionnaire is blank: nothing was saved. Fill in the "
                           "answers the resident gave.")}
    if errors:
        forms = [build_page_form(page, str(g.lang), formdata=request.form)
                 for page in survey.pages]
        return _render_paper(survey, slug, forms, errors, language), 422
    response_id = responses.add_paper_response(record.current_version_id, survey, answers,
                                               language=language)
    audit.record("paper_entry", str(response_id), slug)
    flash(_("The paper questionnaire has been saved (response %(id)s). You can enter the next "
            "one.", id=response_id))
    return redirect(url_for("staff.enter_paper", slug=slug))


def _validate_paper(survey: Survey, submitted: dict[str, list[str]]) -> tuple[dict, dict]:
    """All pages at once, in order, so that skip logic sees the earlier pages' answers.

    A blank required question is accepted: on paper the resident could leave it out, and the
    person typing must not invent an answer. Every other rule of the page applies.
    """
    answers: dict = {}
    errors: dict = {}
    for index in range(len(survey.pages)):
        result = validate_page(survey, index, submitted, answers)
        answers.update(result.answers)
        errors.update({name: error_message(err) for name, err in result.errors.items()
                       if err.code != "required"})
    return answers, errors


def _render_paper(survey: Survey, slug: str, forms, errors: dict, language: str) -> str:
    return render_template(
        "staff/paper.html", survey=survey, slug=slug,
        pages=list(zip(survey.pages, forms, strict=True)), errors=errors,
        paper_language=language, languages_of_survey={
            code: supported_languages().get(code, code) for code in survey.languages},
    )


# --- Free-text review -----------------------------------------------------------------------


@bp.get("/surveys/<slug>/free-text")
@roles_required(*STAFF_ROLES)
def review_free_text(slug: str) -> str:
    record, survey = published_or_404(slug)
    # Free text is what can identify a resident: who read it, and when, is kept.
    audit.record("view_free_text", slug, request.query_string.decode()[:200] or None)
    only_flagged = request.args.get("flagged") == "1"
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    shown = review.review_page(record, survey, page, only_flagged=only_flagged)
    return render_template("staff/free_text.html", survey=survey, slug=slug,
                           entries=shown.entries, page=page, more=shown.more,
                           only_flagged=only_flagged)


@bp.post("/surveys/<slug>/free-text/<int:response_id>/<field>")
@roles_required(*STAFF_ROLES)
def redact_answer(slug: str, response_id: int, field: str) -> HttpResponse:
    record, survey = published_or_404(slug)
    scope = request.form.get("scope")
    if review.redact_answer(record, survey, response_id, field, scope):
        audit.record("redact_free_text", f"response {response_id} {field}", scope)
        flash(_("The text has been removed for good."))
    back = url_for("staff.review_free_text", slug=slug, page=request.form.get("page", 1),
                   flagged=request.form.get("flagged") or None)
    return redirect(f"{back}#r{response_id}-{field}")


@bp.errorhandler(review.UnknownAnswer)
def _unknown_answer(_error: review.UnknownAnswer):
    return render_error(NotFound())


@bp.errorhandler(review.UnknownScope)
def _unknown_scope(_error: review.UnknownScope):
    return render_error(BadRequest(_("Choose what to remove.")))


# --- Exports --------------------------------------------------------------------------------


@bp.get("/surveys/<slug>/export")
@roles_required(*STAFF_ROLES)
def export_responses(slug: str) -> Response:
    record, survey = published_or_404(slug)
    form = ExportForm(request.args)
    if not form.validate():
        abort(400, description=_("Choose a format for the export."))
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    if form.format.data == "xlsx":
        return _xlsx_download(record, survey, f"{slug}-{stamp}.xlsx")
    delimiter = ";" if form.delimiter.data == "semicolon" else ","
    audit.record("export_responses", slug,
                 f"csv delimiter={form.delimiter.data} bom={'yes' if form.bom.data else 'no'}")
    chunks = iter_responses_csv(record, survey, delimiter=delimiter, bom=bool(form.bom.data))
    return _download(stream_with_context(chunks), f"{slug}-{stamp}.csv",
                     "text/csv; charset=utf-8")


@bp.get("/surveys/<slug>/codebook.csv")
@roles_required(*STAFF_ROLES)
def export_codebook(slug: str) -> Response:
    _record, survey = published_or_404(slug)
    audit.record("export_codebook", slug, "csv")
    return _download(iter_csv(iter(codebook_table(survey)), delimiter=";", bom=True),
                     f"{slug}-codebook.csv", "text/csv; charset=utf-8")


def _download(body, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_download(record: SurveyRecord, survey: Survey, filename: str) -> Response:
    path, count = exports.responses_workbook(record, survey, str(g.lang))
    audit.record("export_responses", record.slug, f"xlsx rows={count}")
    response = _download(exports.file_chunks(path), filename, exports.XLSX)
    # The file holds every answer: it goes when the response is closed, which the server
    # does also when the download is cancelled half-way (a generator's own clean-up would
    # then never run and leave the file behind).
    response.call_on_close(lambda: path.unlink(missing_ok=True))
    return response


@bp.get("/surveys/<slug>/ranking.xlsx")
@roles_required(*STAFF_ROLES)
def export_ranking(slug: str) -> Response:
    record, survey = published_or_404(slug)
    results = results_for(record)
    if results.ranking is None:
        abort(404, description=_("There are too few complete answers for a ranking yet."))
    workbook = exports.ranking_workbook(results, str(g.lang))
    weighting = "weighted" if results.weighted else "unweighted"
    audit.record("export_ranking", slug, f"xlsx {weighting} n={results.n_complete}")
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return _download(workbook, f"{slug}-rangordning-{stamp}.xlsx", exports.XLSX)


@bp.get("/audit")
@roles_required("admin")
def show_audit() -> str:
    events, total = audit.latest(200)
    return render_template("staff/audit.html", events=events, total=total,
                           summary=ngettext("%(num)d event", "%(num)d events", total or 0))


@bp.route("/surveys/<slug>/repeats", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def review_repeats(slug: str) -> HttpResponse | str:
    """Likely repeat answers (one client, identical answers) to leave out of the analysis."""
    record, survey = published_or_404(slug)
    if request.method == "POST":
        ids = [int(i) for i in request.form.getlist("response") if i.isdigit()]
        exclude = request.form.get("action") == "exclude"
        changed = repeats.set_excluded(record, ids, exclude)
        if exclude:
            flash(ngettext("%(num)d answer is left out of the analysis.",
                           "%(num)d answers are left out of the analysis.", changed))
        else:
            flash(ngettext("%(num)d answer is counted again.",
                           "%(num)d answers are counted again.", changed))
        return redirect(url_for("staff.review_repeats", slug=slug), code=303)
    return render_template("staff/repeats.html", record=record, survey=survey,
                           groups=repeats.likely_repeats(record),
                           hours=current_app.config.get("REPEAT_TAG_HOURS",
                                                        repeats.DEFAULT_TAG_HOURS))
