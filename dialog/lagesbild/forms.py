"""Forms of the staff pages: indicator upload and description, the lägesbild's texts,
approval, publishing and correction."""

from __future__ import annotations

import wtforms
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from analysis.indicators import CATEGORIES

from ..forms import CatalogTranslations, Form
from .messages import CATEGORY_LABELS

MAX_TEXT = 20_000


class UploadForm(Form):
    file = FileField(_l("File (CSV or Excel .xlsx)"), validators=[FileRequired()])


class ConfirmImportForm(Form):
    """The previewed file travels back with the plan's digest: the import is stored only if
    it still changes exactly what the preview showed."""

    content = HiddenField(validators=[DataRequired()])
    filename = HiddenField(validators=[DataRequired(), Length(max=255)])
    digest = HiddenField(validators=[DataRequired(), Length(max=64)])


class SeriesForm(Form):
    label_sv = StringField(_l("Name in Swedish"), validators=[DataRequired(), Length(max=500)])
    label_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=500)])
    category = SelectField(_l("Category"),
                           choices=[SelectChoice(code, CATEGORY_LABELS[code])
                                    for code in CATEGORIES])
    unit = StringField(_l("Unit (antal for counts)"), validators=[DataRequired(),
                                                                Length(max=32)])
    source = StringField(_l("Source"), validators=[Optional(), Length(max=500)])
    rise_is_bad = BooleanField(_l("A rise is bad"))
    sensitive = BooleanField(_l("Sensitive: show the whole municipality only"))
    show_areas = BooleanField(_l("Show areas all the same (staff decision)"))


class DraftForm(Form):
    month = StringField(_l("Month (YYYY-MM)"), validators=[DataRequired(), Length(max=7)])


def _text(label: str) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=MAX_TEXT)])


class ProblemForm(wtforms.Form):
    """One prioritised problem and its orsaksanalys (inside TextsForm: no CSRF of its own)."""

    class Meta:
        def get_translations(self, form: wtforms.Form) -> CatalogTranslations:
            return CatalogTranslations()

    problem_sv = _text(_l("Problem (Swedish)"))
    problem_en = _text(_l("Problem (English, optional)"))
    causes_sv = _text(_l("Causes (Swedish)"))
    causes_en = _text(_l("Causes (English, optional)"))
    influence_sv = _text(_l("What we can influence (Swedish)"))
    influence_en = _text(_l("What we can influence (English, optional)"))


class TextsForm(Form):
    analysis_sv = _text(_l("What stands out – analysis (Swedish)"))
    analysis_en = _text(_l("What stands out – analysis (English, optional)"))
    other_sv = _text(_l("Other relevant information (Swedish)"))
    other_en = _text(_l("Other relevant information (English, optional)"))
    measures_sv = _text(_l("Suggested measures (Swedish)"))
    measures_en = _text(_l("Suggested measures (English, optional)"))
    problems = FieldList(FormField(ProblemForm), min_entries=1, max_entries=6)

    def sections(self) -> dict[str, dict[str, str]]:
        return {section: {lang: getattr(self, f"{section}_{lang}").data or ""
                          for lang in ("sv", "en")}
                for section in ("analysis", "other", "measures")}

    def problem_list(self) -> list[dict[str, dict[str, str]]]:
        return [{part: {lang: entry.form[f"{part}_{lang}"].data or "" for lang in ("sv", "en")}
                 for part in ("problem", "causes", "influence")}
                for entry in self.problems]


def texts_form(texts: dict, problems: list[dict]) -> TextsForm:
    """The form filled from a lägesbild, with one empty problem to add (up to six)."""
    data = {f"{section}_{lang}": texts.get(section, {}).get(lang, "")
            for section in ("analysis", "other", "measures") for lang in ("sv", "en")}
    entries = [{f"{part}_{lang}": problem.get(part, {}).get(lang, "")
                for part in ("problem", "causes", "influence") for lang in ("sv", "en")}
               for problem in problems]
    if len(entries) < 6:
        entries.append({})
    return TextsForm(formdata=None, data={**data, "problems": entries})


class StepForm(Form):
    """Approve, publish, rebuild: a button and the CSRF token."""


class CorrectionForm(Form):
    reason_sv = TextAreaField(_l("Why it is corrected (Swedish)"),
                              validators=[DataRequired(), Length(max=MAX_TEXT)])
    reason_en = TextAreaField(_l("Why it is corrected (English, optional)"),
                              validators=[Optional(), Length(max=MAX_TEXT)])
