"""Forms of the translation review pages. Labels are lazy: evaluated at import time."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from ..forms import Form

ACTIONS = ("approve", "needs_review", "comment", "edit")


class StringForm(Form):
    """One row of the side-by-side page: the buttons share a name, ``action``."""

    key = HiddenField(validators=[DataRequired(), Length(max=5000)])
    text = TextAreaField(_l("Translation"), validators=[Optional(), Length(max=5000)])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    action = StringField(validators=[DataRequired(), AnyOf(ACTIONS)])


class XliffUploadForm(Form):
    file = FileField(_l("XLIFF file from the translator"), validators=[FileRequired()])
