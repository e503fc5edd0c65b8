"""Staff forms for the löfte. Texts are entered per survey language: Swedish (the survey's
default language) is required, the others optional; a missing translation falls back."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..atgardsplan.forms import RESPONSIBLE_LABELS, status_choices
from ..config import LANGUAGES
from ..forms import Form


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _per_language(form_class: type, name: str, label, languages: tuple[str, ...],
                  default_language: str, field=StringField) -> None:
    for lang in languages:
        required = lang == default_language
        setattr(form_class, f"{name}_{lang}", field(
            f"{label} ({LANGUAGES.get(lang, lang)})",
            validators=[DataRequired()] if required else [Optional()],
            render_kw={"lang": lang}))


def texts_of(form: Form, name: str, languages: tuple[str, ...]) -> dict[str, str]:
    return {lang: getattr(form, f"{name}_{lang}").data or "" for lang in languages}


def new_promise_form(languages: tuple[str, ...], default_language: str,
                     items: list[tuple[str, str]], **kwargs) -> Form:
    class NewPromiseForm(Form):
        period_start = IntegerField(_l("First year"), validators=[
            InputRequired(), NumberRange(2000, 2100)])
        period_end = IntegerField(_l("Last year"), validators=[
            InputRequired(), NumberRange(2000, 2100)])
        focus = _Checkboxes(_l("Focus problems (choose 1–3)"), choices=_choices(items),
                            validators=[DataRequired()])

    _per_language(NewPromiseForm, "title", _l("Title"), languages, default_language)
    return NewPromiseForm(**kwargs)


def action_form(languages: tuple[str, ...], default_language: str,
                focus: list[tuple[str, str]], **kwargs) -> Form:
    class ActionForm(Form):
        item = SelectField(_l("Focus problem"), choices=_choices(focus),
                           validators=[DataRequired()])
        responsible = RadioField(_l("Responsible"), choices=_choices(RESPONSIBLE_LABELS.items()),
                                 validators=[InputRequired()])
        responsible_name = StringField(_l("Name of the organisation or unit"),
                                       validators=[Optional()])
        starts = DateField(_l("Start"), validators=[InputRequired()])
        ends = DateField(_l("End"), validators=[InputRequired()])

    _per_language(ActionForm, "what", _l("What will be done"), languages, default_language,
                  TextAreaField)
    _per_language(ActionForm, "follow_up", _l("How it is followed up"), languages,
                  default_language, TextAreaField)
    return ActionForm(**kwargs)


class SignForm(Form):
    signatories = TextAreaField(
        _l("Signatories, one per line: name, role"), validators=[DataRequired()])
    signed_on = DateField(_l("Date of signing"), validators=[InputRequired()])
    # Set by the confirmation page's button: without it, signing only shows the preview.
    confirmed = HiddenField()


class ButtonForm(Form):
    """Only the CSRF token: the åtgärd and what to do with it are in the URL."""


def followup_form(languages: tuple[str, ...], **kwargs) -> Form:
    class FollowUpForm(Form):
        status = RadioField(_l("Status"), choices=status_choices(),
                            validators=[InputRequired()])
        on = DateField(_l("Date"), validators=[InputRequired()])

    _per_language(FollowUpForm, "comment", _l("Comment"), languages, "", TextAreaField)
    return FollowUpForm(**kwargs)
