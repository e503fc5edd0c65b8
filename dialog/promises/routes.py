"""Löfte pages: staff drafting and follow-up under /dashboard/<slug>/lofte/, and the public
page for residents at /<lang>/loften/<slug>."""

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
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.exceptions import Conflict
from werkzeug.wrappers import Response as HttpResponse

from surveys import Survey

from .. import audit
from ..atgardsplan.models import Measure
from ..auth import READ_ROLES, STAFF_ROLES, roles_required
from ..dashboard import presenting
from ..errors import render_error
from ..i18n import pick_text, supported_languages
from ..models import SurveyRecord, SurveyVersion
from ..places.aggregates import PUBLIC_SQUARE_SIZE, figures_for
from ..services import catalog
from ..services.recent import RecentReads
from ..services.results.compute import SurveyResults
from ..services.results.interpret import earlier_round, suggest_focus
from ..services.results.store import results_for
from ..staff_language import choose_staff_language
from ..views import published_or_404
from . import service
from .forms import (
    ButtonForm,
    SignForm,
    action_form,
    followup_form,
    new_promise_form,
    texts_of,
)
from .models import Promise

STAFF_PREFIX = "/dashboard/<slug>/lofte"
PUBLIC_STATUSES = ("signed", "followed_up")

bp = Blueprint("promises", __name__)


def _messages() -> dict[str, str]:
    return {
        "exists": _("This survey round already has a medborgarlöfte."),
        "focus_count": _("Choose one, two or three focus problems."),
        "focus_unknown": _("That is not one of the problems of this survey."),
        "period": _("The last year cannot come before the first year."),
        "title": _("Write a title in the survey's main language."),
        "what": _("Describe the åtgärd in the survey's main language."),
        "follow_up": _("Say how the åtgärd is followed up, in the survey's main language."),
        "responsible": _("Choose who is responsible."),
        "responsible_name": _("Name the organisation that is responsible."),
        "dates": _("The end date cannot come before the start date."),
        "focus_without_action": _("Every focus problem needs at least one åtgärd before "
                                  "signing."),
        "signatories": _("Name at least one signatory."),
        "followup_status": _("Choose a status."),
        "action_unknown": _("That åtgärd does not exist."),
        "draft": _("The löfte is still a draft."),
        "signed": _("The löfte is signed and can no longer be changed."),
        "followed_up": _("The löfte is signed and can no longer be changed."),
    }


def _message(error: service.PromiseError | service.PromiseStateError) -> str:
    return _messages().get(str(error), str(error))


@bp.before_request
def _language() -> None:
    if request.view_args and "lang" in request.view_args:
        lang = request.view_args["lang"]
        if lang not in supported_languages():
            abort(404)
        g.lang = lang
    else:
        choose_staff_language()


def _promise_or_404(record: SurveyRecord) -> Promise:
    promise = service.promise_for(record)
    if promise is None:
        abort(404)
    return promise


@bp.errorhandler(service.PromiseStateError)
def _conflict(error: service.PromiseStateError):
    """Any step that does not fit the löfte's status, from any view: 409 with the reason."""
    return render_error(Conflict(_message(error)))


@bp.get("/staff/lofte/")
@roles_required(*READ_ROLES)
def list_promises() -> str:
    """Every round's löfte, or the way to draft one: the staff menu's "Medborgarlöften"."""
    rows = [(record, catalog.definition_of(record.current_version), service.promise_for(record))
            for record, _complete in catalog.rounds_current_first()]
    return render_template("promises/list.html", rows=rows)


@bp.route(STAFF_PREFIX + "/ny", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def new_promise(slug: str) -> HttpResponse | str | tuple[str, int]:
    record, survey = published_or_404(slug)
    if service.promise_for(record) is not None:
        return redirect(url_for("promises.show_promise", slug=slug))
    results = results_for(record)
    labels = presenting.item_labels(results, g.lang)
    suggested = [s.item for s in suggest_focus(results.ranking)] if results.ranking else []
    order = suggested + [i for i in results.spec.item_codes if i not in suggested]
    choices = [(i, labels[i] + (" – " + _("suggested") if i in suggested else ""))
               for i in order]
    form = new_promise_form(survey.languages, survey.default_language, choices,
                            data={"focus": suggested[:3]} if request.method == "GET" else None)
    error = None
    if form.validate_on_submit():
        try:
            service.create_promise(record, texts_of(form, "title", survey.languages),
                                   form.period_start.data, form.period_end.data,
                                   form.focus.data)
        except service.PromiseError as exc:
            error = _message(exc)
        else:
            audit.record("promise.create", slug)
            flash(_("The draft has been created. Add åtgärder for each focus problem."))
            return redirect(url_for("promises.show_promise", slug=slug))
    status = 422 if request.method == "POST" else 200
    return render_template("promises/new.html", form=form, survey=survey, record=record,
                           error=error), status


def _focus_choices(record: SurveyRecord, promise: Promise) -> list[tuple[str, str]]:
    labels = presenting.item_labels(results_for(record), g.lang)
    return [(f["item"], labels[f["item"]]) for f in promise.focus]


def _staff_page(record: SurveyRecord, survey: Survey, promise: Promise, *, action=None,
                sign=None, followup=None, error: str | None = None, status: int = 200):
    results = results_for(record)
    labels = presenting.item_labels(results, g.lang)
    action = action or action_form(survey.languages, survey.default_language,
                                   _focus_choices(record, promise))
    actions = service.actions_by_focus(promise)
    followups = {
        m.id: followup_form(survey.languages, prefix=f"f{m.id}")
        for focus_actions in actions.values() for m in focus_actions
    }
    if followup is not None:
        followups[followup[0]] = followup[1]
    return render_template(
        "promises/show.html", record=record, survey=survey, promise=promise, labels=labels,
        action_form=action, sign_form=sign or SignForm(),
        followup_forms=followups, error=error, can_edit=current_user.role in STAFF_ROLES,
        actions=actions,
        checked_forms=[f for f in (action, sign, followup and followup[1]) if f],
    ), status


@bp.get(STAFF_PREFIX + "/")
@roles_required(*READ_ROLES)
def show_promise(slug: str):
    record, survey = published_or_404(slug)
    return _staff_page(record, survey, _promise_or_404(record))


def _action_input(form, survey: Survey) -> service.ActionInput:
    return service.ActionInput(
        item=form.item.data, what=texts_of(form, "what", survey.languages),
        responsible=form.responsible.data, responsible_name=form.responsible_name.data or "",
        starts=form.starts.data, ends=form.ends.data,
        follow_up=texts_of(form, "follow_up", survey.languages))


@bp.post(STAFF_PREFIX + "/atgarder")
@roles_required(*STAFF_ROLES)
def add_action(slug: str):
    record, survey = published_or_404(slug)
    promise = _promise_or_404(record)
    form = action_form(survey.languages, survey.default_language,
                       _focus_choices(record, promise))
    if not form.validate_on_submit():
        return _staff_page(record, survey, promise, action=form,
                           error=_("Check the fields of the åtgärd."), status=422)
    try:
        service.add_action(promise, _action_input(form, survey), survey.default_language)
    except service.PromiseError as exc:
        return _staff_page(record, survey, promise, action=form, error=_message(exc),
                           status=422)
    audit.record("promise.add_action", slug, form.item.data)
    flash(_("The åtgärd has been added."))
    return redirect(url_for("promises.show_promise", slug=slug))


@bp.route(STAFF_PREFIX + "/atgarder/<int:action_id>/andra", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def edit_action(slug: str, action_id: int):
    """Rewrite an åtgärd of a draft: its texts, who, when, or its focus problem."""
    record, survey = published_or_404(slug)
    promise = _promise_or_404(record)
    try:
        item, action = service.find_action(promise, action_id)
    except service.PromiseError:
        abort(404)
    if promise.status != "draft":
        raise service.PromiseStateError(promise.status)
    stored = {"item": item, "responsible": action.responsible,
              "responsible_name": action.responsible_name,
              "starts": action.starts, "ends": action.ends,
              **{f"what_{lang}": text for lang, text in action.what.items()},
              **{f"follow_up_{lang}": text for lang, text in action.how.items()}}
    form = action_form(survey.languages, survey.default_language,
                       _focus_choices(record, promise),
                       data=stored if request.method == "GET" else None)
    error = None
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                service.update_action(promise, action_id, _action_input(form, survey),
                                      survey.default_language)
            except service.PromiseError as exc:
                error = _message(exc)
            else:
                audit.record("promise.edit_action", slug, str(action_id))
                flash(_("The åtgärd has been saved."))
                return redirect(url_for("promises.show_promise", slug=slug))
        else:
            error = _("Check the fields of the åtgärd.")
    return render_template("promises/edit_action.html", record=record, survey=survey,
                           form=form, action_id=action_id, error=error), \
        422 if request.method == "POST" else 200


@bp.post(STAFF_PREFIX + "/atgarder/<int:action_id>/flytta/<any(upp, ner):direction>")
@roles_required(*STAFF_ROLES)
def move_action(slug: str, action_id: int, direction: str) -> HttpResponse:
    """One place up or down within the focus problem: the order residents read them in."""
    record, _survey = published_or_404(slug)
    promise = _promise_or_404(record)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        service.move_action(promise, action_id, -1 if direction == "upp" else 1)
    except service.PromiseError:
        abort(404)
    audit.record("promise.move_action", slug, f"{action_id} {direction}")
    return redirect(url_for("promises.show_promise", slug=slug, _anchor=f"action-{action_id}"))


@bp.post(STAFF_PREFIX + "/atgarder/<int:action_id>/ta-bort")
@roles_required(*STAFF_ROLES)
def remove_action(slug: str, action_id: int) -> HttpResponse:
    record, _survey = published_or_404(slug)
    promise = _promise_or_404(record)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        service.remove_action(promise, action_id)
    except service.PromiseError:
        abort(404)
    audit.record("promise.remove_action", slug, str(action_id))
    flash(_("The åtgärd has been removed."))
    return redirect(url_for("promises.show_promise", slug=slug))


@bp.post(STAFF_PREFIX + "/signera")
@roles_required(*STAFF_ROLES)
def sign_promise(slug: str):
    """Two steps: the filled-in form first shows exactly what will be published and asks for
    confirmation; the confirmation page's button signs."""
    record, survey = published_or_404(slug)
    promise = _promise_or_404(record)
    form = SignForm()
    if not form.validate_on_submit():
        return _staff_page(record, survey, promise, sign=form,
                           error=_("Name the signatories and the date."), status=422)
    people = [tuple((line.split(",", 1) + [""])[:2]) for line in
              form.signatories.data.splitlines() if line.strip()]
    try:
        if form.confirmed.data != "yes":
            preview = service.as_signed(promise, people, form.signed_on.data)
            lang = survey.default_language
            # The document in the language residents first see it in, whatever the staff
            # language: the page shows it as it will be published.
            with force_locale(lang):
                document = Markup(render_template(
                    "promises/_document.html", **_document(
                        record, survey, preview, lang,
                        actions=service.actions_by_focus(promise))))
            return render_template("promises/confirm_sign.html", form=form, record=record,
                                   document=document, page_lang=lang)
        service.sign(promise, people, form.signed_on.data)
    except service.PromiseError as exc:
        return _staff_page(record, survey, promise, sign=form, error=_message(exc),
                           status=422)
    audit.record("promise.sign", slug)
    flash(_("The löfte is signed and published for residents."))
    return redirect(url_for("promises.show_promise", slug=slug))


@bp.post(STAFF_PREFIX + "/atgarder/<int:action_id>/uppfoljning")
@roles_required(*STAFF_ROLES)
def add_followup(slug: str, action_id: int):
    record, survey = published_or_404(slug)
    promise = _promise_or_404(record)
    form = followup_form(survey.languages, prefix=f"f{action_id}")
    if not form.validate_on_submit():
        return _staff_page(record, survey, promise, followup=(action_id, form),
                           error=_("Choose a status and a date for the follow-up."),
                           status=422)
    try:
        service.add_followup(promise, action_id, form.status.data,
                             texts_of(form, "comment", survey.languages), form.on.data,
                             current_user.email)
    except service.PromiseError as exc:
        return _staff_page(record, survey, promise, error=_message(exc), status=422)
    audit.record("promise.follow_up", slug, f"{action_id}: {form.status.data}")
    flash(_("The follow-up has been saved."))
    return redirect(url_for("promises.show_promise", slug=slug))


def _document(record: SurveyRecord, survey: Survey, promise: Promise, lang: str, *,
              actions: dict[str, list[Measure]] | None = None) -> dict:
    """What the public page and the printable document show; ``actions`` are the
    åtgärder per focus problem (the löfte's own unless given)."""
    results: SurveyResults = results_for(record)
    labels = presenting.item_labels(results, lang)
    said = []
    if results.ranking is not None:
        said = [row for row in presenting.overall_rows(results, lang) if not row.suppressed][:5]
    _groups, figures = presenting.key_figure_rows(results, lang)

    def text(value: dict) -> tuple[str, str]:
        """The text and the language it is actually in (for the lang attribute)."""
        if value.get(lang):
            return value[lang], lang
        return pick_text(value, lang, survey.default_language), survey.default_language

    return {"record": record, "survey": survey, "promise": promise, "labels": labels,
            "said": said, "figures": [f for f in figures if not f.suppressed],
            "results": results, "text": text,
            "actions": service.actions_by_focus(promise) if actions is None else actions,
            "page_lang": lang,
            "places": figures_for(record, survey, PUBLIC_SQUARE_SIZE,
                                  int(current_app.config["MIN_GROUP_SIZE"]))}


@bp.get(STAFF_PREFIX + "/utskrift")
@roles_required(*READ_ROLES)
def print_promise(slug: str) -> str:
    record, survey = published_or_404(slug)
    promise = _promise_or_404(record)
    return render_template("promises/print.html",
                           **_document(record, survey, promise, survey.default_language))


@bp.get("/<lang>/loften/<slug>")
def public_promise(lang: str, slug: str) -> HttpResponse | str:
    record, survey = published_or_404(slug)
    promise = service.promise_for(record)
    if promise is None or promise.status not in PUBLIC_STATUSES:
        abort(404)
    if lang not in survey.languages:
        return redirect(url_for("promises.public_promise", lang=survey.default_language,
                                slug=slug))
    return render_template("promises/public.html", **_document(record, survey, promise, lang))


def signed_promise_url(slug: str, lang: str, *, own: bool = False) -> str | None:
    """Link for a survey's thank-you page: its own signed löfte, else the signed löfte of the
    previous round of the same template (what came of the last survey). ``own`` leaves out the
    previous round's: the start page links each closed round to what came of that round."""
    promise_slug = _recent_promise_slugs.get(slug, lambda: _signed_promise_slug(slug))
    if promise_slug is None or (own and promise_slug != slug):
        return None
    return url_for("promises.public_promise", lang=lang, slug=promise_slug)


def _signed_promise_slug(slug: str) -> str | None:
    record = catalog.find_survey(slug)
    for round_ in (record, earlier_round(record) if record is not None else None):
        promise = service.promise_for(round_) if round_ is not None else None
        if promise is not None and promise.status in PUBLIC_STATUSES:
            return round_.slug
    return None


# Every thank-you page asks; a löfte signed in another server process shows within seconds.
_recent_promise_slugs: RecentReads[str | None] = RecentReads(
    "signed_promise_slugs", watched=(Promise, SurveyRecord, SurveyVersion))


@bp.app_context_processor
def thanks_context() -> dict:
    return {"signed_promise_url": signed_promise_url}
