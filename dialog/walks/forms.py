"""Forms of the walk pages. Labels are lazy: they are evaluated at import time."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, FloatField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..forms import Form
from .models import CATEGORIES

CATEGORY_LABELS = {
    "belysning": _l("Lighting"),
    "sikt": _l("Hidden view, bushes and trees"),
    "nedskrapning": _l("Litter, graffiti, vandalism"),
    "trafik": _l("Traffic"),
    "folkliv": _l("Deserted, or crowds that feel unsafe"),
    "skyltning": _l("Signs and finding the way"),
    "annat": _l("Something else"),
}


class WalkForm(Form):
    held_on = DateField(_l("Date of the walk"), validators=[InputRequired()])
    area = StringField(_l("Area"), validators=[DataRequired(), Length(max=200)])
    participants = TextAreaField(
        _l("Participants (roles and organisations)"), validators=[Optional(), Length(max=2000)],
        description=_l("For example: trygghetssamordnare, the local police, the housing "
                       "company, the tenants' association. Do not write residents' names."))
    # Choices are set per request (the rounds there are now).
    survey = SelectField(_l("Places from the survey round"), choices=[],
                         validators=[Optional()])


class StopForm(Form):
    # Choices are set per request (the walk's round's places).
    choice = SelectField(_l("A place residents pointed out"), choices=[],
                         validators=[Optional()], validate_choice=False)
    text = StringField(_l("Or describe the place"), validators=[Optional(), Length(max=300)],
                       description=_l("A street, a landmark or what the place looks like, "
                                      "e.g. the tunnel under the railway at Norra vägen."))
    # Filled in by "Use my position" (browsers with JavaScript and a position allowed).
    lat = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(-90, 90)])
    lon = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(-180, 180)])


class ObservationForm(Form):
    category = RadioField(_l("What did you see?"), validators=[InputRequired(
        message=_l("Choose what the observation is about."))],
        choices=[SelectChoice(code, CATEGORY_LABELS[code]) for code in CATEGORIES])
    text = TextAreaField(_l("Describe it"), validators=[Optional(), Length(max=2000)],
                         description=_l("Describe the place, not who was there: no names."))


class PhotoForm(Form):
    photo = FileField(_l("Photo"), validators=[FileRequired(_l("Choose or take a photo."))],
                      render_kw={"accept": "image/*", "capture": "environment"})
