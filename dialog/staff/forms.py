"""Forms of the staff area. Labels are lazy: they are evaluated at import time."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from ..auth import MIN_PASSWORD_LENGTH, ROLES, too_easy


def _not_too_easy(form: FlaskForm, field: PasswordField) -> None:
    if field.data and too_easy(field.data):
        raise ValidationError(_l("This password is too easy to guess. Use several words, "
                                 "not a repeated or well-known pattern."))


class LoginForm(FlaskForm):
    email = StringField(_l("E-mail address"), validators=[DataRequired(), Length(max=255)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1024,
                                           message=_l("Use at least 12 characters.")),
                    _not_too_easy],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
    )


class ScheduleForm(FlaskForm):
    status = RadioField(
        _l("Status"),
        choices=[SelectChoice("draft", _l("Draft (not shown to residents)")),
                 SelectChoice("open", _l("Open")), SelectChoice("closed", _l("Closed"))],
        validators=[DataRequired()],
    )
    opens_at = DateField(_l("Opens on (optional)"), validators=[Optional()])
    closes_at = DateField(_l("Closes after (optional)"), validators=[Optional()])


class UploadForm(FlaskForm):
    definition = FileField(_l("Definition file (.yaml, .lss or .xlsx)"),
                           validators=[FileRequired(_l("Choose a file."))])


class PopulationForm(FlaskForm):
    table = FileField(_l("Population table (CSV)"), validators=[FileRequired(_l("Choose a file."))])
    source = StringField(_l("Source, e.g. SCB Statistikdatabasen 2024"),
                         validators=[DataRequired(), Length(max=255)])


class ExportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET download link; exports change nothing but the audit log

    format = RadioField(_l("Format"), default="csv",
                        choices=[SelectChoice("csv", "CSV"), SelectChoice("xlsx", "Excel (XLSX)")])
    delimiter = SelectField(_l("Separator (CSV)"),
                            choices=[SelectChoice("semicolon", _l("Semicolon – Swedish Excel")),
                                     SelectChoice("comma", _l("Comma"))],
                            default="semicolon")
    bom = BooleanField(_l("UTF-8 BOM (CSV) – lets Excel recognise å, ä, ö"), default=True)


class UserForm(FlaskForm):
    email = StringField(_l("E-mail address"), validators=[DataRequired(), Length(max=255)])
    role = SelectField(_l("Role"), choices=[SelectChoice(r, r) for r in ROLES])
    language = SelectField(_l("Interface language"),
                           choices=[SelectChoice("sv", "Svenska"), SelectChoice("en", "English")])
    password = PasswordField(
        _l("First password (at least 12 characters)"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1024,
                                           message=_l("Use at least 12 characters.")),
                    _not_too_easy],
    )
