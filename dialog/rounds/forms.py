"""Forms of the survey rounds. Labels are lazy: they are evaluated at import time."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from surveys.validation import SLUG_PATTERN

from ..forms import Form


class ScheduleForm(Form):
    status = RadioField(
        _l("Status"),
        choices=[SelectChoice("draft", _l("Draft (not shown to residents)")),
                 SelectChoice("open", _l("Open")), SelectChoice("closed", _l("Closed"))],
        validators=[DataRequired()],
    )
    opens_at = DateField(_l("Opens on (optional)"), validators=[Optional()])
    closes_at = DateField(_l("Closes after (optional)"), validators=[Optional()])
    # Ticked to hide, so that a form posted without the box keeps the round on the start page.
    unlisted = BooleanField(_l("Not on the residents' start page: only through the survey's "
                               "own address (for example a test round)"))


class UploadForm(Form):
    definition = FileField(_l("Definition file (.yaml, .lss or .xlsx)"),
                           validators=[FileRequired(_l("Choose a file."))])


class PopulationForm(Form):
    table = FileField(_l("Population table (CSV)"), validators=[FileRequired(_l("Choose a file."))])
    source = StringField(_l("Source, e.g. SCB Statistikdatabasen 2024"),
                         validators=[DataRequired(), Length(max=255)])


class NewRoundForm(Form):
    """A new round from a built-in template or an earlier round; ``source`` is
    ``template:<name>`` or ``round:<slug>`` (choices set by the view)."""

    source = SelectField(_l("Start from"), choices=[], validators=[DataRequired()])
    slug = StringField(
        _l("Address of the new round (lower-case letters, digits and -)"),
        validators=[DataRequired(), Length(max=64), Regexp(SLUG_PATTERN, message=_l(
            "Use only lower-case a–z, digits and -, starting with a letter or digit."))])
    title = StringField(_l("Title in the survey's main language"),
                        validators=[DataRequired(), Length(max=200)])
    opens_at = DateField(_l("Opens on (optional)"), validators=[Optional()])
    closes_at = DateField(_l("Closes after (optional)"), validators=[Optional()])
