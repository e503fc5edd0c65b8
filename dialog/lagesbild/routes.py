"""Staff pages: indicators at /staff/indicators/ (upload with a preview, descriptions) and
the monthly lägesbild at /staff/lagesbild/ (draft, write, approve, publish, correct).
The public pages are the ``public_lagesbild`` feature."""

from __future__ import annotations

import base64
import binascii

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import Conflict
from werkzeug.wrappers import Response as HttpResponse

from .. import audit
from ..auth import STAFF_ROLES, roles_required
from ..errors import render_error
from ..staff_area import staff_blueprint
from ..table_files import UnreadableTable
from . import indicators, service
from .forms import (
    ConfirmImportForm,
    CorrectionForm,
    DraftForm,
    SeriesForm,
    StepForm,
    TextsForm,
    UploadForm,
    texts_form,
)
from .messages import (
    CATEGORY_LABELS,
    describe_lagesbild_error,
    describe_problem,
    describe_unreadable,
)
from .presenting import figure_view, staff_text

bp = staff_blueprint("lagesbild", __name__)

# The previewed file goes back to the server inside the confirmation form (base64), which
# must stay under the request limit; real indicator files are a few hundred kilobytes.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


@bp.errorhandler(service.LagesbildStateError)
def _conflict(error: service.LagesbildStateError):
    return render_error(Conflict(describe_lagesbild_error(str(error))))


# -- indicators -------------------------------------------------------------------------


def _indicator_page(form: UploadForm, status: int = 200, **context) -> tuple[str, int]:
    return render_template("lagesbild/indicators.html", form=form,
                           series=indicators.all_series(), categories=CATEGORY_LABELS,
                           **context), status


@bp.get("/indicators/")
@roles_required(*STAFF_ROLES)
def list_indicators() -> tuple[str, int]:
    return _indicator_page(UploadForm())


def _plan(data: bytes, filename: str, form: UploadForm) -> indicators.ImportPlan | tuple:
    """The plan of a file, or the page with why the file cannot be read."""
    if len(data) > MAX_UPLOAD_BYTES:
        return _indicator_page(form, 413, message=_("The file is too large."))
    try:
        return indicators.plan_import(data, filename)
    except UnreadableTable as error:
        return _indicator_page(form, 422, message=describe_unreadable(error))


@bp.post("/indicators/")
@roles_required(*STAFF_ROLES)
def upload_indicators() -> tuple[str, int]:
    form = UploadForm()
    if not form.validate_on_submit():
        return _indicator_page(form, 422)
    upload = form.file.data
    filename = (upload.filename or "upload.csv")[:255]
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    plan = _plan(data, filename, form)
    if not isinstance(plan, indicators.ImportPlan):
        return plan
    return _preview(plan, data, filename, form)


def _preview(plan: indicators.ImportPlan, data: bytes, filename: str, form: UploadForm,
             note: str | None = None) -> tuple[str, int]:
    if plan.problems:
        problems = [describe_problem(p, plan.table.header) for p in plan.problems]
        return _indicator_page(form, 422, problems=problems, filename=filename)
    confirm = ConfirmImportForm(formdata=None, content=base64.b64encode(data).decode(),
                                filename=filename, digest=plan.digest)
    return render_template("lagesbild/import_preview.html", plan=plan, confirm=confirm,
                           filename=filename, summary=plan.summary(), note=note), 200


@bp.post("/indicators/confirm")
@roles_required(*STAFF_ROLES)
def confirm_import() -> HttpResponse | tuple[str, int]:
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        data = base64.b64decode(form.content.data, validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    plan = _plan(data, form.filename.data, UploadForm(formdata=None))
    if not isinstance(plan, indicators.ImportPlan):
        return plan
    if plan.problems or plan.digest != form.digest.data:
        # Someone imported in between: show what the file would change now.
        return _preview(plan, data, form.filename.data, UploadForm(formdata=None),
                        note=_("The stored figures changed since the preview. Check the "
                               "changes again."))
    indicators.apply_import(plan, current_user.email, form.filename.data)
    summary = plan.summary()
    flash(_("Imported: %(added)s new, %(changed)s changed, %(removed)s removed, "
            "%(unchanged)s unchanged figures.", **{k: summary[k] for k in
                                                   ("added", "changed", "removed",
                                                    "unchanged")}))
    return redirect(url_for("lagesbild.list_indicators"))


@bp.route("/indicators/<code>", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def edit_indicator(code: str) -> HttpResponse | tuple[str, int]:
    series = indicators.find_series(code) or abort(404)
    form = SeriesForm(data=indicators.series_form_data(series))
    if form.validate_on_submit():
        indicators.describe(series, label={"sv": form.label_sv.data, "en": form.label_en.data},
                            category=form.category.data, unit=form.unit.data,
                            source=form.source.data or "", rise_is_bad=form.rise_is_bad.data,
                            sensitive=form.sensitive.data, show_areas=form.show_areas.data)
        audit.record("indicators.describe", code,
                     f"sensitive={series.sensitive} show_areas={series.show_areas}")
        flash(_("The indicator has been saved."))
        return redirect(url_for("lagesbild.list_indicators"))
    status = 422 if request.method == "POST" else 200
    return render_template("lagesbild/indicator.html", series=series, form=form), status


# -- the lägesbild ----------------------------------------------------------------------


@bp.route("/lagesbild/", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def list_lagesbilder() -> HttpResponse | tuple[str, int]:
    form = DraftForm()
    message = None
    if form.validate_on_submit():
        try:
            lagesbild = service.draft(form.month.data, current_user.email)
        except (service.LagesbildError, service.LagesbildStateError) as error:
            message = describe_lagesbild_error(str(error))
        else:
            audit.record("lagesbild.draft", f"{lagesbild.period} v{lagesbild.version}")
            return redirect(url_for("lagesbild.show_lagesbild", period=lagesbild.period))
    status = 422 if request.method == "POST" else 200
    return render_template("lagesbild/list.html", form=form, message=message,
                           lagesbilder=service.all_latest()), status


def _latest_or_404(period: str):
    lagesbild = service.latest(period)
    if lagesbild is None:
        abort(404)
    return lagesbild


def _show(lagesbild, form: TextsForm | None = None, correction: CorrectionForm | None = None,
          message: str | None = None, status: int = 200) -> tuple[str, int]:
    if form is None:
        form = texts_form(lagesbild.texts, lagesbild.problems)
    lang = str(get_locale())
    return render_template(
        "lagesbild/show.html", lagesbild=lagesbild, form=form, step=StepForm(),
        correction=correction or CorrectionForm(formdata=None), message=message,
        versions=service.versions_of(lagesbild.period), page_lang=lang,
        text=lambda value: staff_text(value, lang),
        view=figure_view(lagesbild.figures, lang, current_app.config["INDICATOR_MIN_COUNT"]),
    ), status


@bp.get("/lagesbild/<period>")
@roles_required(*STAFF_ROLES)
def show_lagesbild(period: str) -> tuple[str, int]:
    return _show(_latest_or_404(period))


@bp.post("/lagesbild/<period>/texts")
@roles_required(*STAFF_ROLES)
def save_texts(period: str) -> HttpResponse | tuple[str, int]:
    lagesbild = _latest_or_404(period)
    form = TextsForm()
    if not form.validate_on_submit():
        return _show(lagesbild, form=form, status=422)
    try:
        changed = service.save_texts(lagesbild, form.sections(), form.problem_list())
    except service.LagesbildError as error:
        return _show(lagesbild, form=form, message=describe_lagesbild_error(str(error)),
                     status=422)
    if changed:
        audit.record("lagesbild.texts", f"{period} v{lagesbild.version}")
        flash(_("The texts have been saved. Approvals given before must be given again."))
    return redirect(url_for("lagesbild.show_lagesbild", period=period))


@bp.post("/lagesbild/<period>/rebuild")
@roles_required(*STAFF_ROLES)
def rebuild(period: str) -> HttpResponse:
    if not StepForm().validate_on_submit():
        abort(400)
    _latest_or_404(period)
    lagesbild = service.draft(period, current_user.email)
    audit.record("lagesbild.draft", f"{period} v{lagesbild.version}")
    flash(_("The figures have been built again from the stored indicators and results."))
    return redirect(url_for("lagesbild.show_lagesbild", period=period))


@bp.post("/lagesbild/<period>/approve")
@roles_required(*STAFF_ROLES)
def approve(period: str) -> HttpResponse | tuple[str, int]:
    if not StepForm().validate_on_submit():
        abort(400)
    lagesbild = _latest_or_404(period)
    try:
        organisation = service.approve(lagesbild, current_user)
    except service.LagesbildError as error:
        return _show(lagesbild, message=describe_lagesbild_error(str(error)), status=422)
    audit.record("lagesbild.approve", f"{period} v{lagesbild.version}", organisation)
    flash(_("Approved."))
    return redirect(url_for("lagesbild.show_lagesbild", period=period))


@bp.post("/lagesbild/<period>/publish")
@roles_required(*STAFF_ROLES)
def publish(period: str) -> HttpResponse:
    if not StepForm().validate_on_submit():
        abort(400)
    lagesbild = _latest_or_404(period)
    service.publish(lagesbild, current_user.email)
    audit.record("lagesbild.publish", f"{period} v{lagesbild.version}")
    flash(_("Published."))
    return redirect(url_for("lagesbild.show_lagesbild", period=period))


@bp.post("/lagesbild/<period>/correct")
@roles_required(*STAFF_ROLES)
def correct(period: str) -> HttpResponse | tuple[str, int]:
    lagesbild = _latest_or_404(period)
    form = CorrectionForm()
    if not form.validate_on_submit():
        return _show(lagesbild, correction=form, status=422)
    try:
        new = service.correct(lagesbild, {"sv": form.reason_sv.data,
                                          "en": form.reason_en.data or ""},
                              current_user.email)
    except service.LagesbildError as error:
        return _show(lagesbild, correction=form, message=describe_lagesbild_error(str(error)),
                     status=422)
    audit.record("lagesbild.correct", f"{period} v{new.version}")
    flash(_("A new version has been started. It is published once the municipality and the "
            "police have approved it."))
    return redirect(url_for("lagesbild.show_lagesbild", period=period))
