"""WTForms forms generated from a survey page. Field names are the survey's field names."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict
from wtforms import Field, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from surveys import MARK_KEYS, Answers, Page, Question, mark_inputs

from ..cache import LRUCache
from ..forms import Form
from ..i18n import pick_text


class PageForm(Form):
    """Base for generated page forms; CSRF and the translated messages come from Form."""


def _choices(options, lang: str) -> list[SelectChoice]:
    return [SelectChoice(o.code, pick_text(o.label, lang)) for o in options]


def _place_fields(question: Question, lang: str) -> dict[str, Field]:
    """Per mark: the named place, a street or landmark, the map point and the follow-ups."""
    fields: dict[str, Field] = {}
    for prefix in question.mark_prefixes():
        fields.update({f"{prefix}.{key}": StringField(validators=[Optional()])
                       for key in MARK_KEYS})
        for follow_up in question.follow_up:
            field = next(iter(_fields_for(follow_up, lang).values()))
            fields[f"{prefix}.{follow_up.id}"] = field
    return fields


def _fields_for(question: Question, lang: str) -> dict[str, Field]:
    # Answer rules live in surveys.validate_page; WTForms only carries and renders the values,
    # so its own choice validation is switched off to have one source of truth.
    if question.type == "place":
        return _place_fields(question, lang)
    if question.type == "single_choice":
        return {question.id: RadioField(choices=_choices(question.options, lang),
                                        validate_choice=False, validators=[Optional()])}
    if question.type in ("multiple_choice", "pick_top"):
        return {question.id: SelectMultipleField(choices=_choices(question.options, lang),
                                                 validate_choice=False, validators=[Optional()])}
    if question.type == "likert_matrix":
        choices = _choices(question.scale.options, lang)
        return {name: RadioField(choices=choices, validate_choice=False, validators=[Optional()])
                for name in question.field_names()}
    if question.type == "free_text":
        return {question.id: TextAreaField(validators=[Optional()])}
    return {question.id: StringField(validators=[Optional()])}


# Building a form class costs more than filling it; pages of published versions never change.
# The page itself is kept with its class so that its id() cannot be reused by another page.
_FORM_CLASSES: LRUCache[tuple[Page, type[PageForm]]] = LRUCache(512)


def _form_class(page: Page, lang: str) -> type[PageForm]:
    key = (id(page), lang)
    cached = _FORM_CLASSES.get(key)
    if cached is not None and cached[0] is page:
        return cached[1]
    attrs: dict[str, Field] = {}
    for question in page.questions:
        attrs.update(_fields_for(question, lang))
    form_class = type("GeneratedPageForm", (PageForm,), attrs)
    form_class.page_field_names = frozenset(attrs)
    _FORM_CLASSES.put(key, (page, form_class))
    return form_class


def build_page_form(
    page: Page, lang: str, *, formdata: MultiDict | None = None, answers: Answers | None = None
) -> PageForm:
    """A form for one page, filled from a POST or from the stored answers."""
    form_class = _form_class(page, lang)
    if formdata is not None:
        return form_class(formdata=formdata)
    stored = dict(answers or {})
    for question in page.questions:
        if question.type == "place" and isinstance(stored.get(question.id), list):
            stored.update(mark_inputs(question, stored.pop(question.id)))
    data = {name: _as_form_value(value) for name, value in stored.items()
            if name in form_class.page_field_names}
    return form_class(formdata=None, data=data)


def _as_form_value(value):
    if isinstance(value, list):
        return value
    return str(value)
