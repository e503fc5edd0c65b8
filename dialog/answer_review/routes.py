"""Answer review for staff: reading and redacting free text, and leaving likely repeat
answers out of the analysis (``repeats.py`` finds them)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.exceptions import BadRequest, Conflict, NotFound, UnprocessableEntity
from werkzeug.wrappers import Response as HttpResponse

from .. import audit, repeats
from ..auth import STAFF_ROLES, roles_required
from ..errors import render_error
from ..staff_area import staff_blueprint
from ..views import published_or_404
from . import service

bp = staff_blueprint("answer_review", __name__)


def _list_args(source) -> dict:
    """Which list a staff member came from (page, filters, order), to send them back there;
    defaults are left out of the address."""
    args: dict = {}
    page = source.get("page", 1, type=int) or 1
    if page > 1:
        args["page"] = page
    if source.get("show") == "all":
        args["show"] = "all"
    if source.get("order") == "oldest":
        args["order"] = "oldest"
    if source.get("flagged") == "1":
        args["flagged"] = 1
    return args


def _back(slug: str, response_id: int, field: str) -> HttpResponse:
    back = url_for("answer_review.review_free_text", slug=slug, **_list_args(request.form))
    return redirect(f"{back}#r{response_id}-{field}", code=303)


@bp.get("/surveys/<slug>/free-text")
@roles_required(*STAFF_ROLES)
def review_free_text(slug: str) -> str:
    record, survey = published_or_404(slug)
    # Free text is what can identify a resident: who read it, and when, is kept.
    audit.record("view_free_text", slug, request.query_string.decode()[:200] or None)
    args = _list_args(request.args)
    page = args.get("page", 1)
    shown = service.review_page(record, survey, page, only_flagged="flagged" in args,
                                only_unreviewed="show" not in args,
                                newest_first="order" not in args)
    return render_template("answer_review/free_text.html", survey=survey, slug=slug,
                           entries=shown.entries, page=page, more=shown.more, args=args)


@bp.post("/surveys/<slug>/free-text/<int:response_id>/<field>")
@roles_required(*STAFF_ROLES)
def redact_answer(slug: str, response_id: int, field: str) -> HttpResponse | str:
    """Show what a removal would leave; remove for good once staff confirm that text."""
    record, survey = published_or_404(slug)
    form = request.form
    scope = form.get("scope")
    chosen = {"selected": form.get("selected", "")[:5000],
              "start": form.get("start", type=int), "end": form.get("end", type=int)}
    if form.get("confirmed") != "1":
        removal = service.plan_removal(record, survey, response_id, field, scope, **chosen)
        return render_template("answer_review/confirm.html", survey=survey, slug=slug,
                               response_id=response_id, field=field, scope=scope,
                               chosen=chosen, removal=removal, args=_list_args(form))
    if service.redact_answer(record, survey, response_id, field, scope, **chosen,
                             digest=form.get("digest", "")):
        audit.record("redact_free_text", f"response {response_id} {field}", scope)
        flash(_("The text has been removed for good."))
    return _back(slug, response_id, field)


@bp.post("/surveys/<slug>/free-text/<int:response_id>/<field>/reviewed")
@roles_required(*STAFF_ROLES)
def mark_reviewed(slug: str, response_id: int, field: str) -> HttpResponse:
    record, survey = published_or_404(slug)
    reviewed = request.form.get("reviewed") != "0"
    service.set_reviewed(record, survey, response_id, field, reviewed)
    flash(_("Response %(id)s is marked as reviewed.", id=response_id) if reviewed else
          _("Response %(id)s is marked as not reviewed.", id=response_id))
    return _back(slug, response_id, field)


@bp.errorhandler(service.UnknownAnswer)
def _unknown_answer(_error: service.UnknownAnswer):
    return render_error(NotFound())


@bp.errorhandler(service.UnknownScope)
def _unknown_scope(_error: service.UnknownScope):
    return render_error(BadRequest(_("Choose what to remove.")))


@bp.errorhandler(service.TextNotFound)
def _text_not_found(_error: service.TextNotFound):
    return render_error(UnprocessableEntity(_(
        "That text is not in the answer. Copy the exact words from the answer, or select "
        "them with the mouse.")))


@bp.errorhandler(service.ChangedMeanwhile)
def _changed_meanwhile(_error: service.ChangedMeanwhile):
    return render_error(Conflict(_(
        "The answer was changed while you were looking at it, so nothing was removed. Go "
        "back to the list and choose again.")))


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
        return redirect(url_for("answer_review.review_repeats", slug=slug), code=303)
    return render_template("answer_review/repeats.html", record=record, survey=survey,
                           groups=repeats.likely_repeats(record),
                           hours=current_app.config.get("REPEAT_TAG_HOURS",
                                                        repeats.DEFAULT_TAG_HOURS))
