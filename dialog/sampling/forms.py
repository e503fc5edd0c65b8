"""Forms of the sample pages. Labels are lazy: they are evaluated at import time."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from ..forms import Form

WAVE_LABELS = {"invitation": _l("Invitation"), "reminder1": _l("Reminder 1 (postcard)"),
               "reminder2": _l("Reminder 2 (new questionnaire)")}
OUTCOME_LABELS = {"not_reached": _l("No answer yet"), "partial": _l("Started"),
                  "complete": _l("Answered"), "refused": _l("Declined"),
                  "not_eligible": _l("Letter returned (moved, deceased)")}


class SampleUploadForm(Form):
    sample = FileField(_l("Sample file (CSV or XLSX: id, stratum, address1–address4, …)"),
                       validators=[FileRequired(_l("Choose a file."))])
    strata = FileField(_l("Strata file (CSV or XLSX: stratum, population)"),
                       validators=[FileRequired(_l("Choose a file."))])


class WaveForm(Form):
    kind = RadioField(_l("Mailing"), validators=[InputRequired()],
                      choices=[SelectChoice(k, v) for k, v in WAVE_LABELS.items()])


class OutcomeForm(Form):
    sample_ref = StringField(_l("Id in the sample file"),
                             validators=[DataRequired(), Length(max=64)])
    disposition = RadioField(
        _l("Outcome"), validators=[InputRequired()],
        choices=[SelectChoice(k, OUTCOME_LABELS[k])
                 for k in ("refused", "not_eligible", "not_reached")])


class LettersDoneForm(Form):
    confirm = BooleanField(_l("Every letter is printed and sent. Delete the addresses and "
                              "printable codes now."), validators=[DataRequired(
                                  _l("Tick the box to confirm."))])
