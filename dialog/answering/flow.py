"""The page flow of a resident's open response, shared by the web and the kiosk.

``serve_page`` shows or saves one page and decides where to go next; each way of answering
passes a ``Flow`` naming its endpoints and template. Failures abort with the HTTP status
residents see (404 unknown, 410 closed, 400 tampered, 422 answers to correct).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as HttpResponse

from surveys import (
    Survey,
    next_page_index,
    previous_page_index,
    unexpected_fields,
    validate_page,
    visible_questions,
)

from .. import repeats
from ..i18n import pick_text, supported_languages
from ..services import catalog, responses
from .forms import build_page_form
from .messages import error_message

# Keys the web layer adds to every answer form; everything else must be a field of the page.
_CONTROL_KEYS = frozenset({"csrf_token", "action", "switch_lang"})


@dataclass(frozen=True)
class Flow:
    """Where one way of answering keeps its pages. The web and the kiosk share the page logic;
    each endpoint takes ``lang`` and ``slug``, the page endpoint also ``number``."""

    page: str
    thanks: str
    template: str = "respond/page.html"



def open_survey(slug: str) -> tuple[catalog.SurveyRef, Survey]:
    """The survey round and its current definition; 404 when unknown or a draft, 410 when
    closed."""
    ref = catalog.find_ref(slug)
    if not catalog.is_public(ref):
        abort(404)
    if not catalog.is_open(ref):
        abort(410)
    return ref, catalog.current_definition(ref)


def language_for(survey: Survey, lang: str, **url_args) -> HttpResponse | None:
    """Send a link in an undeclared language to the survey's default language, with a notice."""
    if lang in survey.languages:
        return None
    flash(_("This survey is not available in %(language)s. It is shown in %(default)s.",
            language=supported_languages().get(lang, lang),
            default=supported_languages().get(survey.default_language, survey.default_language)))
    endpoint = request.endpoint or "respond.show_intro"
    return redirect(url_for(endpoint, lang=survey.default_language, **url_args))


def serve_page(survey: Survey, record, slug: str, lang: str, response: responses.OpenResponse,
               number: int, flow: Flow) -> HttpResponse | str | tuple[str, int]:
    """Show (GET) or save (POST) page ``number`` of a resident's open response."""
    if response.status != "partial":  # complete, or excluded as a repeat since
        return redirect(url_for(flow.thanks, lang=lang, slug=slug))
    index = number - 1
    if not 0 <= index < len(survey.pages) or index > response.page_index:
        return redirect(url_for(flow.page, lang=lang, slug=slug,
                                number=response.page_index + 1))
    page = survey.pages[index]
    stored = dict(response.answers)
    if request.method == "GET":
        following = next_page_index(survey, index, stored)
        if not visible_questions(page, stored) and following is not None:
            return redirect(url_for(flow.page, lang=lang, slug=slug, number=following + 1))
        form = build_page_form(page, lang, answers=stored)
        return _render_page(survey, slug, index, form, stored, errors={}, flow=flow)
    return _post_page(survey, record, slug, lang, response, index, flow)


def _post_page(survey, record, slug, lang, response, index, flow: Flow) -> HttpResponse | str:
    page = survey.pages[index]
    _refuse_tampering(survey, index)
    form = build_page_form(page, lang, formdata=request.form)
    if not form.validate():
        # Only the CSRF token can fail here; answer rules are checked below.
        abort(400, description=_("The page had expired. Go back and send your answers again."))
    submitted = request.form.to_dict(flat=False)
    previous = {k: v for k, v in response.answers.items()
                if k not in _page_fields(page)}
    result = validate_page(survey, index, submitted, previous)
    action = request.form.get("action", "next")
    switch = request.form.get("switch_lang")
    page_fields = _page_fields(page)
    if switch in supported_languages():
        # Keep whatever is valid so far, then show the same page in the chosen language.
        responses.save_page(response, result.answers, page_fields=page_fields,
                            page_index=max(response.page_index, index), language=lang)
        return redirect(url_for(flow.page, lang=switch, slug=slug, number=index + 1))
    merged = {**previous, **result.answers}
    if action == "back":
        # Going back never blocks on errors: whatever is valid is kept, the rest re-asked later.
        prev = previous_page_index(survey, index, merged)
        target = index if prev is None else prev
        responses.save_page(response, result.answers, page_fields=page_fields,
                            page_index=target, language=lang)
        return redirect(url_for(flow.page, lang=lang, slug=slug, number=target + 1))
    if result.errors:
        return _render_page(survey, slug, index, form, merged, errors=result.errors,
                            flow=flow), 422
    following = next_page_index(survey, index, merged)
    if following is None:
        responses.complete_response(response, survey, result.answers, page_fields=page_fields,
                                    language=lang, client_tag=repeats.client_tag())
        return redirect(url_for(flow.thanks, lang=lang, slug=slug))
    responses.save_page(response, result.answers, page_fields=page_fields,
                        page_index=following, language=lang)
    return redirect(url_for(flow.page, lang=lang, slug=slug, number=following + 1))


def _page_fields(page) -> tuple[str, ...]:
    return tuple(name for q in page.questions for name in q.field_names())


def _refuse_tampering(survey: Survey, index: int) -> None:
    keys = [k for k in request.form if k not in _CONTROL_KEYS]
    if unexpected_fields(survey, index, keys):
        abort(400, description=_("The form contained fields that do not belong to this page."))
    questions = survey.pages[index].questions
    many = {f"{prefix}.{f.id}" for q in questions for prefix in q.mark_prefixes()
            for f in q.follow_up if f.type == "multiple_choice"}
    many |= {q.id for q in questions if q.type in ("multiple_choice", "pick_top")}
    single_valued = {name for q in questions for name in q.input_names()
                     if name not in many} | _CONTROL_KEYS
    for key, values in request.form.lists():
        if key in single_valued and len(values) > 1:
            abort(400, description=_("The form contained more than one answer where only one "
                                     "is allowed."))
        if any("\ufffd" in v for v in values):
            abort(400, description=_("The form contained characters that could not be read."))


def _render_page(survey, slug, index, form, answers, errors, flow: Flow) -> str:
    page = survey.pages[index]
    shown = visible_questions(page, answers)
    messages = {name: error_message(err) for name, err in errors.items()}
    summary = [(name, _field_label(page, name), message) for name, message in messages.items()]
    is_last = next_page_index(survey, index, answers) is None
    return render_template(
        flow.template, survey=survey, slug=slug, page=page, index=index, form=form,
        questions=shown, errors=messages, summary=summary, is_last=is_last,
        total=len(survey.pages), page_endpoint=flow.page,
    )


def _field_label(page, name: str) -> str:
    """What the error summary calls a field: the question, the matrix row, or the question
    and the mark of a place question."""
    question_id, _sep, item_code = name.partition(".")
    for question in page.questions:
        if question.id != question_id:
            continue
        if question.type == "place":
            mark = item_code.partition(".")[0]
            return _("%(question)s – place %(num)s", question=pick_text(question.text), num=mark)
        item = next((i for i in question.items if i.code == item_code), None)
        return pick_text(item.label if item else question.text)
    return name
