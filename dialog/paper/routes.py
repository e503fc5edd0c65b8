"""Paper entry: staff type in a questionnaire a resident filled in on paper."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as HttpResponse

from surveys import Survey, prune_hidden, validate_page

from .. import audit
from ..answering.forms import build_page_form
from ..answering.messages import error_message
from ..auth import STAFF_ROLES, roles_required
from ..i18n import supported_languages
from ..services import responses
from ..staff_area import staff_blueprint
from ..views import published_or_404

bp = staff_blueprint("paper", __name__)


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
    return redirect(url_for("paper.enter_paper", slug=slug))


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
        "paper/enter.html", survey=survey, slug=slug,
        pages=list(zip(survey.pages, forms, strict=True)), errors=errors,
        paper_language=language, languages_of_survey={
            code: supported_languages().get(code, code) for code in survey.languages},
    )
