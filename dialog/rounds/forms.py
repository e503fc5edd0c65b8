"""Forms of the survey rounds. Labels are lazy: they are evaluated at import time."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

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


class UploadForm(Form):
    definition = FileField(_l("Definition file (.yaml, .lss or .xlsx)"),
                           validators=[FileRequired(_l("Choose a file."))])


class PopulationForm(Form):
    table = FileField(_l("Population table (CSV)"), validators=[FileRequired(_l("Choose a file."))])
    source = StringField(_l("Source, e.g. SCB Statistikdatabasen 2024"),
                         validators=[DataRequired(), Length(max=255)])
