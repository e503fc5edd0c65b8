"""Survey rounds for staff: the overview, one round with its counts and schedule, uploading a
definition or making a new round from the template or an earlier round, the check page (with
what changed) and publishing, and the round's population table."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as HttpResponse
from wtforms.fields.choices import SelectChoice

from surveys import Survey

from .. import audit
from ..answering.forms import build_page_form
from ..auth import READ_ROLES, STAFF_ROLES, roles_required
from ..exports.forms import ExportForm
from ..services import catalog
from ..services.population import population_for, store_population
from ..staff_area import landing, staff_blueprint
from ..templating import translated
from ..views import published_or_404
from . import definitions, service
from .changes import report as changes_report
from .forms import NewRoundForm, PopulationForm, ScheduleForm, UploadForm
from .models import PendingDefinition

bp = staff_blueprint("rounds", __name__)


@bp.get("/")
@roles_required(*READ_ROLES)
def index() -> HttpResponse | str:
    if current_user.role not in STAFF_ROLES:
        # Survey rounds are managed by staff; a councillor's start is the results.
        return redirect(landing())
    return render_template("rounds/index.html", rows=service.overview(),
                           pending=definitions.pending_uploads())


@bp.get("/surveys/<slug>/")
@roles_required(*STAFF_ROLES)
def show_survey(slug: str) -> str:
    record, survey = published_or_404(slug)
    counts = service.round_counts(record, survey)
    first_day, last_day = catalog.round_period(record)
    form = ScheduleForm(status=record.status, opens_at=first_day, closes_at=last_day,
                        unlisted=not record.listed)
    return render_template(
        "rounds/survey.html", record=record, survey=survey, counts=counts,
        age_bands=service.age_bands(survey, counts, population_for(record)), form=form,
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
        return redirect(url_for("rounds.show_survey", slug=slug))
    opens, closes = service.period(form.opens_at.data, form.closes_at.data)
    if opens and closes and closes <= opens:
        flash(_("The closing date must come after the opening date."))
        return redirect(url_for("rounds.show_survey", slug=slug))
    service.schedule(record, form.status.data, opens, closes, listed=not form.unlisted.data)
    audit.record("schedule_survey", slug, f"{form.status.data} {opens or '-'} {closes or '-'}"
                 f"{' unlisted' if form.unlisted.data else ''}")
    flash(_("The survey round has been updated."))
    return redirect(url_for("rounds.show_survey", slug=slug))


@bp.route("/upload", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def upload_definition() -> HttpResponse | str | tuple[str, int]:
    form = UploadForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("rounds/upload.html", form=form, problems=[]), status
    upload = form.definition.data
    try:
        loaded = definitions.read_upload(upload.filename or "", upload.read())
    except definitions.UploadError as error:
        return render_template("rounds/upload.html", form=form, problems=error.problems,
                               message=_upload_message(error.message), draft=error.draft,
                               unsupported=error.unsupported), 422
    pending = definitions.keep_pending(loaded, upload.filename or "",
                                       uploaded_by=current_user.id)
    audit.record("upload_definition", loaded.survey.slug, pending.filename)
    return redirect(url_for("rounds.show_pending", pending_id=pending.id))


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


@bp.route("/new-round", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def new_round() -> HttpResponse | str | tuple[str, int]:
    """A new round from the built-in template or a copy of an earlier round, without a file;
    it goes to the same check page as an upload."""
    sources = definitions.round_sources()
    # Without a choice in the link: the newest round, else the template.
    newest = next((key for key, _s in sources if key.startswith("round:")), sources[0][0])
    form = NewRoundForm(source=request.args.get("source") or newest)
    form.source.choices = [
        SelectChoice(key, (_("The template: %(title)s",
                             title=translated(s.title, s.default_language))
                           if key.startswith("template:") else
                           _("The round %(title)s (%(slug)s)",
                             title=translated(s.title, s.default_language), slug=s.slug)))
        for key, s in sources]
    message = None
    if form.validate_on_submit():
        opens, closes = service.period(form.opens_at.data, form.closes_at.data)
        if opens and closes and closes <= opens:
            form.closes_at.errors.append(_("The closing date must come after the opening date."))
        else:
            try:
                pending = definitions.new_round(form.source.data, form.slug.data,
                                                form.title.data.strip(), made_by=current_user.id,
                                                opens_at=opens, closes_at=closes)
            except definitions.UploadError as error:
                message = _new_round_message(error)
            else:
                audit.record("new_round", pending.slug, form.source.data)
                return redirect(url_for("rounds.show_pending", pending_id=pending.id))
    status = 422 if request.method == "POST" else 200
    return render_template("rounds/new_round.html", form=form, message=message), status


def _new_round_message(error: definitions.UploadError) -> str:
    if error.message == "exists":
        return _("A survey round with this address already exists. Choose another address.")
    if error.message == "unknown-source":
        return _("Choose the template or a round to start from.")
    return "; ".join(p.message for p in error.problems) or _upload_message(error.message)


@bp.get("/pending/<int:pending_id>/")
@roles_required(*STAFF_ROLES)
def show_pending(pending_id: int) -> str:
    pending, survey = _pending_or_404(pending_id)
    existing = catalog.find_survey(survey.slug)
    earlier = definitions.baseline(pending, survey)
    changes = earlier and changes_report(earlier.comparison, earlier.slug, survey, g.lang)
    first_day, last_day = catalog.round_period(pending)
    return render_template("rounds/pending.html", pending=pending, survey=survey,
                           existing=existing, earlier=earlier, changes=changes,
                           first_day=first_day, last_day=last_day)


@bp.post("/pending/<int:pending_id>/publish")
@roles_required(*STAFF_ROLES)
def publish_pending(pending_id: int) -> HttpResponse:
    pending, survey = _pending_or_404(pending_id)
    published = definitions.publish_pending(pending, survey, published_by=current_user.email)
    audit.record("publish_survey", survey.slug, f"version {published.version}")
    if published.created:
        flash(_("Version %(number)s has been published.", number=published.version))
    else:
        flash(_("The definition was unchanged; version %(number)s is still current.",
                number=published.version))
    return redirect(url_for("rounds.show_survey", slug=survey.slug))


@bp.post("/pending/<int:pending_id>/cancel")
@roles_required(*STAFF_ROLES)
def cancel_pending(pending_id: int) -> HttpResponse:
    pending, survey = _pending_or_404(pending_id)
    definitions.cancel_pending(pending)
    audit.record("cancel_upload", survey.slug)
    flash(_("The upload has been cancelled. Nothing was published."))
    return redirect(url_for("rounds.index"))


def _render_preview(survey: Survey, lang: str, links: dict[str, str]) -> str:
    if lang not in survey.languages:
        abort(404)
    forms = [build_page_form(page, lang, answers={}) for page in survey.pages]
    return render_template("rounds/preview.html", survey=survey, preview_lang=lang,
                           pages=list(zip(survey.pages, forms, strict=True)), links=links)


@bp.get("/surveys/<slug>/preview/<lang>/")
@roles_required(*STAFF_ROLES)
def preview_survey(slug: str, lang: str) -> str:
    _record, survey = published_or_404(slug)
    links = {code: url_for("rounds.preview_survey", slug=slug, lang=code)
             for code in survey.languages}
    return _render_preview(survey, lang, links)


@bp.get("/pending/<int:pending_id>/preview/<lang>/")
@roles_required(*STAFF_ROLES)
def preview_pending(pending_id: int, lang: str) -> str:
    _pending, survey = _pending_or_404(pending_id)
    links = {code: url_for("rounds.preview_pending", pending_id=pending_id, lang=code)
             for code in survey.languages}
    return _render_preview(survey, lang, links)


@bp.post("/surveys/<slug>/population")
@roles_required(*STAFF_ROLES)
def upload_population(slug: str) -> HttpResponse:
    record, _survey = published_or_404(slug)
    form = PopulationForm()
    if not form.validate_on_submit():
        flash(_("Choose a CSV file and name its source."))
        return redirect(url_for("rounds.show_survey", slug=slug))
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
    return redirect(url_for("rounds.show_survey", slug=slug))
