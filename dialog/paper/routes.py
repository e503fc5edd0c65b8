"""Paper entry: staff type in a questionnaire a resident filled in on paper, either as answer
codes (``codes.py``: keyboard first, checked on a summary before saving) or in the full form
with every alternative, and void a mis-keyed one (``service.py``)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response as HttpResponse

from surveys import FieldError, Survey, prune_hidden, validate_page

from .. import audit
from ..answering.forms import build_page_form
from ..answering.messages import error_message
from ..auth import STAFF_ROLES, roles_required
from ..errors import render_error
from ..i18n import supported_languages
from ..models import SurveyRecord
from ..sampling import service as sampling
from ..sampling.models import SampleMember
from ..services import responses
from ..staff_area import staff_blueprint
from ..views import published_or_404
from . import codes, service

bp = staff_blueprint("paper", __name__)
# The invitation code printed on a sampled round's paper questionnaire.
SAMPLE_CODE_FIELD = "sample_code"


@bp.route("/surveys/<slug>/paper", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def enter_paper(slug: str) -> HttpResponse | str | tuple[str, int]:
    record, survey = published_or_404(slug)
    language = _paper_language(survey)
    if request.method == "GET":
        forms = [build_page_form(page, str(g.lang), answers={}) for page in survey.pages]
        return _render_paper(record, survey, forms, {}, language)
    submitted = request.form.to_dict(flat=False)
    answers, errors = _validate_paper(survey, submitted)
    if not errors and not prune_hidden(survey, answers):
        errors = {survey.pages[0].questions[0].id: _blank_message()}
    sample_code, member = _sample_member(record, errors)
    if errors:
        forms = [build_page_form(page, str(g.lang), formdata=request.form)
                 for page in survey.pages]
        return _render_paper(record, survey, forms, errors, language, sample_code), 422
    response_id = _save(record, survey, answers, language)
    if member is not None:
        _reconcile(record, member, response_id)
    return redirect(url_for("paper.enter_paper", slug=slug))


@bp.route("/surveys/<slug>/paper/codes", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def enter_codes(slug: str) -> HttpResponse | str | tuple[str, int]:
    """Quick entry: type the code of each answer, check the summary, save."""
    record, survey = published_or_404(slug)
    fields = codes.code_fields(survey)
    if request.method == "GET":
        typed: dict[str, str] = {}
        language = survey.default_language
        again = request.args.get("again", type=int)
        if again:  # "enter again": start from a (voided) questionnaire's codes
            earlier = service.find(record, again)
            typed, language = codes.typed_codes(fields, earlier.answers), earlier.language
        return _render_codes(record, survey, fields, typed, {}, language)
    language = _paper_language(survey)
    typed = {f.name: request.form.get(f.name, "") for f in fields}
    confirm_blank = request.form.get("confirm_blank") == "1"
    entry = codes.read_codes(survey, fields, typed)
    errors = {name: _code_message(error) for name, error in entry.errors.items()}
    sample_code, member = _sample_member(record, errors)
    if not errors and not entry.answers:
        errors[fields[0].name] = _blank_message()
    if not confirm_blank:
        for missing in entry.missing:
            errors.setdefault(missing.name, _("Required question without an answer: type the "
                                              "code, or tick below that the resident left the "
                                              "required questions empty."))
    action = request.form.get("action", "check")
    if errors or action == "edit":
        return _render_codes(record, survey, fields, typed, errors, language,
                             missing=bool(entry.missing), confirm_blank=confirm_blank,
                             sample_code=sample_code), (422 if errors else 200)
    if action != "save":
        return render_template(
            "paper/check.html", survey=survey, slug=slug, fields=fields, typed=typed,
            answers=entry.answers, missing=entry.missing, confirm_blank=confirm_blank,
            paper_language=language, language_name=_languages_of(survey)[language],
            sample_code=sample_code)
    response_id = _save(record, survey, entry.answers, language)
    if member is not None:
        _reconcile(record, member, response_id)
    return redirect(url_for("paper.enter_codes", slug=slug), code=303)


def _sample_member(record: SurveyRecord, errors: dict) -> tuple[str, SampleMember | None]:
    """The code typed from a sampled round's questionnaire and its sample member; an unknown
    code is added to ``errors``."""
    if not sampling.has_sample(record.id):
        return "", None
    sample_code = request.form.get(SAMPLE_CODE_FIELD, "").strip()
    member = sampling.find_member(record.id, sample_code) if sample_code else None
    if sample_code and member is None:
        errors[SAMPLE_CODE_FIELD] = _("No one in the sample has this code: check it against "
                                      "the questionnaire, or leave it empty to count the "
                                      "answers as an open answer.")
    return sample_code, member


def _reconcile(record: SurveyRecord, member: SampleMember, response_id: int) -> None:
    """One code, one response (docs/sampling.md): the first complete answer counts."""
    if sampling.attach_paper_response(member, response_id):
        return
    reason = _("The code already has a complete answer; the first complete answer counts.")
    service.void(record, response_id, reason)
    flash(_("Response %(id)s is voided: %(reason)s", id=response_id, reason=reason))


@bp.route("/surveys/<slug>/paper/<int:response_id>/void", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def void_paper(slug: str, response_id: int) -> HttpResponse | str | tuple[str, int]:
    """Void a mis-keyed paper questionnaire, with a reason: it no longer counts anywhere."""
    record, survey = published_or_404(slug)
    response = service.find(record, response_id)
    error = None
    if request.method == "POST":
        # One line of printable text: it is shown in lists and written to the audit log
        # (PostgreSQL refuses a NUL character in text).
        reason = " ".join("".join(c for c in request.form.get("reason", "")
                                  if c.isprintable() or c.isspace()).split())
        if not reason:
            error = _("Write why the questionnaire is voided, for example what was mis-keyed.")
        elif len(reason) > service.REASON_MAX:
            error = _("Write at most %(max)s characters.", max=service.REASON_MAX)
        else:
            if service.void(record, response_id, reason):
                flash(_("Response %(id)s is voided: it no longer counts in any analysis or "
                        "export. Use “Enter again” in the list to type in the corrected "
                        "questionnaire.", id=response_id))
            return redirect(url_for("paper.enter_codes", slug=slug), code=303)
    fields = codes.code_fields(survey)
    return render_template(
        "paper/void.html", survey=survey, slug=slug, response=response, fields=fields,
        typed=codes.typed_codes(fields, response.answers), answers=response.answers,
        error=error, reason=request.form.get("reason", ""),
        reason_max=service.REASON_MAX), (422 if error else 200)


@bp.errorhandler(service.UnknownPaperResponse)
def _unknown_paper_response(_error: service.UnknownPaperResponse):
    return render_error(NotFound())


def _save(record: SurveyRecord, survey: Survey, answers: dict, language: str) -> int:
    response_id = responses.add_paper_response(record.current_version_id, survey, answers,
                                               language=language)
    audit.record("paper_entry", str(response_id), record.slug)
    flash(_("The paper questionnaire has been saved (response %(id)s). You can enter the next "
            "one.", id=response_id))
    return response_id


def _paper_language(survey: Survey) -> str:
    language = request.form.get("paper_language", survey.default_language)
    if language not in survey.languages:
        abort(400, description=_("Choose one of the survey's languages."))
    return language


def _blank_message() -> str:
    # An empty form is a slip of the hand, not a resident's answer.
    return _("The questionnaire is blank: nothing was saved. Fill in the answers the resident "
             "gave.")


def _code_message(error: FieldError) -> str:
    params = error.params or {}
    if error.code == codes.UNKNOWN_CODE:
        return _("There is no code “%(value)s” here. Type one of: %(allowed)s.",
                 value=params.get("value", ""), allowed=params.get("allowed", ""))
    if error.code == codes.ONE_CODE_ONLY:
        return _("Type only one code here.")
    if error.code == codes.SKIPPED:
        return _("Leave this empty: after the answer to question %(question)s the "
                 "questionnaire skips this question.", question=params.get("question", ""))
    return error_message(error)


def _languages_of(survey: Survey) -> dict[str, str]:
    return {code: supported_languages().get(code, code) for code in survey.languages}


def _render_codes(record: SurveyRecord, survey: Survey, fields, typed: dict, errors: dict,
                  language: str, *, missing: bool = False, confirm_blank: bool = False,
                  sample_code: str = "") -> str:
    return render_template(
        "paper/codes.html", survey=survey, slug=record.slug, fields=fields, typed=typed,
        errors=errors, paper_language=language, languages_of_survey=_languages_of(survey),
        missing=missing, confirm_blank=confirm_blank, recent=service.recent(record),
        sampled=sampling.has_sample(record.id), sample_code=sample_code,
        sample_code_field=SAMPLE_CODE_FIELD)


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


def _render_paper(record: SurveyRecord, survey: Survey, forms, errors: dict, language: str,
                  sample_code: str = "") -> str:
    return render_template(
        "paper/enter.html", survey=survey, slug=record.slug,
        pages=list(zip(survey.pages, forms, strict=True)), errors=errors,
        paper_language=language, languages_of_survey=_languages_of(survey),
        sampled=sampling.has_sample(record.id), sample_code=sample_code,
        sample_code_field=SAMPLE_CODE_FIELD,
    )
