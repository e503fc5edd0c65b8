"""Forms of sign-in and accounts. Labels are lazy: they are evaluated at import time."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ..auth import MIN_PASSWORD_LENGTH, ROLES, too_easy
from ..forms import Form


def _not_too_easy(form: Form, field: PasswordField) -> None:
    if field.data and too_easy(field.data):
        raise ValidationError(_l("This password is too easy to guess. Use several words, "
                                 "not a repeated or well-known pattern."))


class LoginForm(Form):
    email = StringField(_l("E-mail address"), validators=[DataRequired(), Length(max=255)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class ChangePasswordForm(Form):
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


ORGANISATION_CHOICES = [SelectChoice("", _l("Neither")),
                        SelectChoice("kommun", _l("The municipality")),
                        SelectChoice("polis", _l("The police"))]


class OrganisationForm(Form):
    organisation = SelectField(_l("Approves the lägesbild for"), choices=ORGANISATION_CHOICES)


class UserForm(Form):
    email = StringField(_l("E-mail address"), validators=[DataRequired(), Length(max=255)])
    role = SelectField(_l("Role"), choices=[SelectChoice(r, r) for r in ROLES])
    language = SelectField(_l("Interface language"),
                           choices=[SelectChoice("sv", "Svenska"), SelectChoice("en", "English")])
    organisation = SelectField(_l("Approves the lägesbild for"), choices=ORGANISATION_CHOICES)
    password = PasswordField(
        _l("First password (at least 12 characters)"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1024,
                                           message=_l("Use at least 12 characters.")),
                    _not_too_easy],
    )
