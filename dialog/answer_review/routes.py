"""Answer review for staff: reading and redacting free text, and leaving likely repeat
answers out of the analysis (``repeats.py`` finds them)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.wrappers import Response as HttpResponse

from .. import audit, repeats
from ..auth import STAFF_ROLES, roles_required
from ..errors import render_error
from ..staff_area import staff_blueprint
from ..views import published_or_404
from . import service

bp = staff_blueprint("answer_review", __name__)


@bp.get("/surveys/<slug>/free-text")
@roles_required(*STAFF_ROLES)
def review_free_text(slug: str) -> str:
    record, survey = published_or_404(slug)
    # Free text is what can identify a resident: who read it, and when, is kept.
    audit.record("view_free_text", slug, request.query_string.decode()[:200] or None)
    only_flagged = request.args.get("flagged") == "1"
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    shown = service.review_page(record, survey, page, only_flagged=only_flagged)
    return render_template("answer_review/free_text.html", survey=survey, slug=slug,
                           entries=shown.entries, page=page, more=shown.more,
                           only_flagged=only_flagged)


@bp.post("/surveys/<slug>/free-text/<int:response_id>/<field>")
@roles_required(*STAFF_ROLES)
def redact_answer(slug: str, response_id: int, field: str) -> HttpResponse:
    record, survey = published_or_404(slug)
    scope = request.form.get("scope")
    if service.redact_answer(record, survey, response_id, field, scope):
        audit.record("redact_free_text", f"response {response_id} {field}", scope)
        flash(_("The text has been removed for good."))
    back = url_for("answer_review.review_free_text", slug=slug, page=request.form.get("page", 1),
                   flagged=request.form.get("flagged") or None)
    return redirect(f"{back}#r{response_id}-{field}")


@bp.errorhandler(service.UnknownAnswer)
def _unknown_answer(_error: service.UnknownAnswer):
    return render_error(NotFound())


@bp.errorhandler(service.UnknownScope)
def _unknown_scope(_error: service.UnknownScope):
    return render_error(BadRequest(_("Choose what to remove.")))


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
