"""Staff forms for kiosk devices and idle times."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from ..forms import Form
from .devices import MAX_IDLE_SECONDS, MIN_IDLE_SECONDS


class DeviceForm(Form):
    name = StringField(_l("Where the kiosk stands (for example: Kundtjänst, Medborgarhuset)"),
                       validators=[DataRequired(), Length(max=120)])
    use_here = BooleanField(_l("Use this computer as the kiosk now (you will be logged out)"))


class IdleForm(Form):
    idle = IntegerField(_l("Clear the screen after this many seconds without activity"),
                        validators=[NumberRange(MIN_IDLE_SECONDS, MAX_IDLE_SECONDS)])
    warning = IntegerField(_l("Ask \"Are you still there?\" this many seconds before"),
                           validators=[NumberRange(0, MAX_IDLE_SECONDS)])


class RegisterForm(Form):
    code = StringField(_l("Code from the Kiosks page"), validators=[DataRequired(), Length(max=40)])
