"""Staff forms of the åtgärdsplan. Texts in Swedish (required) and English (optional), the
staff languages; a löfte's åtgärder are written in the survey's languages on the löfte page."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from ..forms import Form
from .models import STATUSES

TEXT_LANGUAGES = ("sv", "en")
STATUS_LABELS = {"planned": _l("Planned"), "ongoing": _l("Ongoing"), "done": _l("Done"),
                 "cancelled": _l("Cancelled")}
RESPONSIBLE_LABELS = {"kommun": _l("The municipality"), "polis": _l("The police"),
                      "annan": _l("Another organisation")}
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def status_choices() -> list[SelectChoice]:
    return [SelectChoice(code, STATUS_LABELS[code]) for code in STATUSES]


class NumberField(StringField):
    """A number as Swedes write it too: ``1 234,5`` as well as ``1234.5``; empty is None."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.raw = text
        self.data = None
        if text:
            try:
                self.data = float(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))
            except ValueError as exc:
                self.data = None
                raise ValueError(_l("Write a number, for example 12 or 12,5.")) from exc

    def _value(self) -> str:
        return getattr(self, "raw", None) or ("" if self.data is None else f"{self.data:g}")


def _period(_form: Form, field: StringField) -> None:
    if field.data and not _PERIOD.match(field.data.strip()):
        raise ValidationError(_l("Write the month as YYYY-MM, for example 2026-01."))


class EffectForm(Form):
    """The indicator that should show the measure's effect: also for a signed löfte's."""

    # Choices are set per request (the indicators and survey rounds there are now).
    indicator = SelectField(_l("Indicator"), choices=[], validators=[Optional()])
    baseline_period = StringField(
        _l("Baseline month (YYYY-MM)"), validators=[Optional(), _period],
        description=_l("The baseline is the indicator's figure for the twelve months up to "
                       "this month. Leave the value empty to take it from the figures."))
    baseline_value = NumberField(_l("Baseline value"), validators=[Optional()])
    target_value = NumberField(_l("Target value"), validators=[Optional()])


class MeasureForm(EffectForm):
    problem = SelectField(_l("Problem the measure addresses"), choices=[],
                          validators=[DataRequired()])
    what_sv = TextAreaField(_l("What will be done (Swedish)"), validators=[DataRequired()],
                            render_kw={"lang": "sv"})
    what_en = TextAreaField(_l("What will be done (English)"), validators=[Optional()],
                            render_kw={"lang": "en"})
    how_sv = TextAreaField(_l("How it is followed up (Swedish)"), validators=[Optional()],
                           render_kw={"lang": "sv"})
    how_en = TextAreaField(_l("How it is followed up (English)"), validators=[Optional()],
                           render_kw={"lang": "en"})
    responsible = RadioField(_l("Responsible"), choices=[
        SelectChoice(code, label) for code, label in RESPONSIBLE_LABELS.items()],
        validators=[InputRequired(message=_l("Choose who is responsible."))])
    responsible_name = StringField(
        _l("Förvaltning, unit or organisation"), validators=[Optional()],
        render_kw={"list": "responsible-names", "autocomplete": "off"})
    starts = DateField(_l("Start"), validators=[InputRequired()])
    ends = DateField(_l("End"), validators=[InputRequired()])
    status = SelectField(_l("Status"), choices=status_choices(), validators=[DataRequired()])


class FollowUpForm(Form):
    on = DateField(_l("Date"), validators=[InputRequired()])
    status = SelectField(_l("New status"), validators=[Optional()], choices=[
        SelectChoice("", _l("No change")), *status_choices()])
    text_sv = TextAreaField(_l("What has happened (Swedish)"), validators=[Optional()],
                            render_kw={"lang": "sv"})
    text_en = TextAreaField(_l("What has happened (English)"), validators=[Optional()],
                            render_kw={"lang": "en"})


def texts(form: Form, name: str) -> dict[str, str]:
    return {lang: getattr(form, f"{name}_{lang}").data or "" for lang in TEXT_LANGUAGES}
