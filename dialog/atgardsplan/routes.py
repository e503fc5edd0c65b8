"""The åtgärdsplan: the staff register at /staff/atgardsplan/ and the public page at
/<lang>/atgardsplan/."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import Conflict
from werkzeug.wrappers import Response as HttpResponse

from .. import audit
from ..auth import READ_ROLES, STAFF_ROLES, roles_required
from ..dashboard.presenting import change_points
from ..errors import render_error
from ..exports.service import XLSX
from ..i18n import pick_text, supported_languages
from ..models import utcnow
from ..staff_area import staff_blueprint
from ..walks import service as walks
from ..walks.models import WalkObservation
from . import service
from .forms import (
    RESPONSIBLE_LABELS,
    STATUS_LABELS,
    EffectForm,
    FollowUpForm,
    MeasureForm,
    texts,
)
from .models import STATUSES, Measure
from .report import build_report, report_workbook

bp = staff_blueprint("atgardsplan", __name__)
public_bp = Blueprint("atgardsplan_public", __name__)


def _messages() -> dict[str, str]:
    return {
        "what": _("Describe the measure in Swedish."),
        "problem": _("Choose the problem the measure addresses."),
        "responsible": _("Choose who is responsible."),
        "responsible_name": _("Name the organisation that is responsible."),
        "dates": _("The end date cannot come before the start date."),
        "status": _("Choose a status."),
        "followup_empty": _("Write what has happened or choose a new status."),
        "indicator_missing": _("Choose the indicator the baseline and target belong to."),
        "indicator_unknown": _("That indicator does not exist."),
    }


def _measure_or_404(measure_id: int) -> Measure:
    measure = service.find_measure(measure_id)
    if measure is None:
        abort(404)
    return measure


@bp.errorhandler(service.MeasureLocked)
def _locked(_error: service.MeasureLocked):
    return render_error(Conflict(_("This measure is an åtgärd of a signed medborgarlöfte: "
                                   "only follow-ups and the indicator can be added.")))


def responsible_label(measure: Measure) -> str:
    """"the police – Lokalpolisområde Hudiksvall", or the other organisation's name."""
    base = {"kommun": _("the municipality"), "polis": _("the police")}.get(measure.responsible)
    if base and measure.responsible_name:
        return f"{base} – {measure.responsible_name}"
    return base or measure.responsible_name


@bp.app_context_processor
def _labels() -> dict:
    return {"measure_status": STATUS_LABELS, "responsible_label": responsible_label}


def _problem_field(form: MeasureForm) -> None:
    form.problem.choices = {title: [(p.key, p.label) for p in problems]
                            for title, problems in service.problem_choices(
                                g.lang, _("Indicators in the lägesbild"))}


def _measure_input(form: MeasureForm) -> service.MeasureInput:
    kind, code, survey_id = service.parse_problem(form.problem.data or "")
    return service.MeasureInput(
        what=texts(form, "what"), how=texts(form, "how"), problem_kind=kind,
        problem_code=code, survey_id=survey_id, responsible=form.responsible.data,
        responsible_name=form.responsible_name.data or "", starts=form.starts.data,
        ends=form.ends.data, status=form.status.data)


def _indicator_field(form: EffectForm) -> None:
    form.indicator.choices = [("", _("No indicator"))] + [
        (s.code, pick_text(s.label, g.lang)) for s in service.indicator_series()]


def _save_effect(measure: Measure, form: EffectForm) -> None:
    service.update_effect(measure, form.indicator.data or None,
                          (form.baseline_period.data or "").strip() or None,
                          form.baseline_value.data, form.target_value.data)


@bp.get("/atgardsplan/")
@roles_required(*READ_ROLES)
def list_measures() -> str:
    measures = service.all_measures()
    return render_template("atgardsplan/list.html", measures=measures,
                           this_year=utcnow().year,
                           problems=service.problem_labels(measures, g.lang),
                           can_edit=current_user.role in STAFF_ROLES)


def _form_page(form: MeasureForm, measure: Measure | None, error: str | None,
               status: int, observation: WalkObservation | None = None) -> tuple[str, int]:
    return render_template(
        "atgardsplan/edit.html", form=form, measure=measure, error=error,
        suggestions=service.responsible_suggestions(), observation=observation,
        locked=measure is not None and service.is_locked(measure)), status


def _observation() -> WalkObservation | None:
    """The walk observation a new measure is made from (``?observation=``), or None."""
    value = request.args.get("observation")
    if value is None:
        return None
    observation = walks.find_observation(int(value)) if value.isdigit() else None
    if observation is None:
        abort(404)
    return observation


@bp.route("/atgardsplan/ny", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def new_measure() -> HttpResponse | tuple[str, int]:
    form = MeasureForm()
    _problem_field(form)
    _indicator_field(form)
    observation = _observation()
    if observation is not None and observation.measure_id is not None:
        # A second tap on "Gör till åtgärd" (or the phone's back button) makes no copy.
        flash(_("This observation is already a measure in the åtgärdsplan."))
        return redirect(url_for("atgardsplan.show_measure", measure_id=observation.measure_id))
    if request.method == "GET":
        if observation is not None:
            form.what_sv.data = observation.text
        return _form_page(form, None, None, 200, observation)
    if not form.validate():
        return _form_page(form, None, _("Check the fields marked below."), 422, observation)
    try:
        measure = service.create_measure(_measure_input(form))
        _save_effect(measure, form)
    except service.MeasureError as exc:
        return _form_page(form, None, _messages()[str(exc)], 422, observation)
    if observation is not None:
        walks.link_measure(observation, measure.id)
    audit.record("measure.create", str(measure.id),
                 f"walk_observation {observation.id}" if observation is not None else None)
    flash(_("The measure has been added to the åtgärdsplan."))
    return redirect(url_for("atgardsplan.show_measure", measure_id=measure.id))


def _measure_page(measure: Measure, *, edit: EffectForm | None = None,
                  followup: FollowUpForm | None = None, error: str | None = None,
                  status: int = 200) -> tuple[str, int]:
    locked = service.is_locked(measure)
    if edit is None:
        edit = (EffectForm if locked else MeasureForm)(obj=measure, formdata=None)
        if not locked:
            edit.problem.data = service.Problem(measure.problem_kind, measure.problem_code,
                                                measure.survey_id, "").key
            for lang in ("sv", "en"):
                edit[f"what_{lang}"].data = measure.what.get(lang, "")
                edit[f"how_{lang}"].data = measure.how.get(lang, "")
        edit.indicator.data = measure.indicator_code or ""
    if isinstance(edit, MeasureForm):
        _problem_field(edit)
    _indicator_field(edit)
    return render_template(
        "atgardsplan/show.html", measure=measure, edit=edit, locked=locked,
        followup=followup or FollowUpForm(formdata=None, prefix="followup"), error=error,
        problem=service.problem_labels([measure], g.lang)[measure.id],
        movement=service.movements([measure]).get(measure.id),
        origin=walks.observation_of_measure(measure.id),
        suggestions=service.responsible_suggestions(),
        can_edit=current_user.role in STAFF_ROLES), status


@bp.get("/atgardsplan/<int:measure_id>")
@roles_required(*READ_ROLES)
def show_measure(measure_id: int) -> tuple[str, int]:
    return _measure_page(_measure_or_404(measure_id))


@bp.post("/atgardsplan/<int:measure_id>")
@roles_required(*STAFF_ROLES)
def edit_measure(measure_id: int) -> HttpResponse | tuple[str, int]:
    measure = _measure_or_404(measure_id)
    locked = service.is_locked(measure)
    form = EffectForm() if locked else MeasureForm()
    if isinstance(form, MeasureForm):
        _problem_field(form)
    _indicator_field(form)
    if not form.validate():
        return _measure_page(measure, edit=form, error=_("Check the fields marked below."),
                             status=422)
    try:
        if not locked:
            service.update_measure(measure, _measure_input(form))
        _save_effect(measure, form)
    except service.MeasureError as exc:
        return _measure_page(measure, edit=form, error=_messages()[str(exc)], status=422)
    audit.record("measure.edit", str(measure.id))
    flash(_("The measure has been saved."))
    return redirect(url_for("atgardsplan.show_measure", measure_id=measure.id))


@bp.post("/atgardsplan/<int:measure_id>/uppfoljning")
@roles_required(*STAFF_ROLES)
def add_followup(measure_id: int) -> HttpResponse | tuple[str, int]:
    measure = _measure_or_404(measure_id)
    form = FollowUpForm(prefix="followup")
    if not form.validate():
        return _measure_page(measure, followup=form, error=_("Check the fields marked below."),
                             status=422)
    try:
        service.add_followup(measure, form.on.data, texts(form, "text"),
                             form.status.data or None, current_user.email)
    except service.MeasureError as exc:
        return _measure_page(measure, followup=form, error=_messages()[str(exc)], status=422)
    audit.record("measure.follow_up", str(measure.id), form.status.data or None)
    flash(_("The follow-up has been saved."))
    return redirect(url_for("atgardsplan.show_measure", measure_id=measure.id))


@public_bp.get("/<lang>/atgardsplan/")
def public_plan(lang: str) -> str:
    if lang not in supported_languages():
        abort(404)
    g.lang = lang
    measures = service.public_measures()
    groups = [(status, [m for m in measures if m.status == status])
              for status in ("ongoing", "planned", "done", "cancelled")]

    def text(value: dict) -> tuple[str, str]:
        """The text and the language it is in (Swedish when staff wrote none in ``lang``)."""
        if value.get(lang):
            return value[lang], lang
        return pick_text(value, "sv"), "sv"

    return render_template("atgardsplan/public.html", groups=groups, text=text,
                           problems=service.problem_labels(measures, lang),
                           movements=service.movements(measures),
                           responsible_labels=RESPONSIBLE_LABELS, statuses=STATUSES)


def _report_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        abort(404)


@bp.get("/atgardsplan/rapport/<int:year>")
@roles_required(*READ_ROLES)
def show_report(year: int) -> str:
    _report_year(year)
    return render_template("atgardsplan/report.html", change_points=change_points,
                           report=build_report(year, g.lang, utcnow().date()))


def _workbook_headings() -> dict[str, str]:
    return {
        "measures": _("Measures"), "followups": _("Follow-ups"), "survey": _("Survey"),
        "lagesbilder": _("Lägesbilder"), "id": _("Number"), "measure": _("Measure"),
        "problem": _("Problem"), "responsible": _("Responsible"), "start": _("Start"),
        "end": _("End"), "status": _("Status"), "indicator": _("Indicator"),
        "baseline": _("Baseline value"), "latest": _("Latest value"),
        "target": _("Target value"), "date": _("Date"), "text": _("Text"),
        "round": _("Survey round"), "kind": _("Kind"), "label": _("Figure"),
        "n": _("Answers"), "share": _("Share"), "ci_low": _("Lower limit"),
        "ci_high": _("Upper limit"), "previous": _("Previous round"),
        "change": _("Change (points)"), "key_figure": _("Key figure"),
        "period": _("Period"), "version": _("Version"), "published": _("Published"),
    }


@bp.get("/atgardsplan/rapport/<int:year>.xlsx")
@roles_required(*READ_ROLES)
def report_xlsx(year: int) -> HttpResponse:
    _report_year(year)
    report = build_report(year, g.lang, utcnow().date())
    responsible = {m.id: responsible_label(m) for m in report.measures}
    statuses = {code: str(label) for code, label in STATUS_LABELS.items()}
    data = report_workbook(report, _workbook_headings(), statuses, responsible)
    return HttpResponse(data, mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="atgardsplan-rapport-{year}.xlsx"'})
