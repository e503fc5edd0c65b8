"""The form library's own messages ("This field is required." …) follow the page's language:
every form in dialog/, rendered with errors on a Swedish page, shows none of WTForms' English
defaults."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import g, render_template_string
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, DateField, IntegerField, SelectFieldBase
from wtforms.i18n import messages_path

import dialog
from dialog import create_app
from dialog.answering.forms import build_page_form
from dialog.forms import Form
from dialog.promises.forms import action_form, followup_form, new_promise_form
from surveys import load_builtin_template

DIALOG = Path(dialog.__file__).parent
LANGUAGES = ("sv", "en")
FOCUS = [("inbrott", "Inbrott"), ("klotter", "Klotter")]


def _english_defaults() -> list[re.Pattern]:
    """WTForms' messages as patterns (placeholders match anything)."""
    with open(Path(messages_path()) / "wtforms.pot", "rb") as handle:
        template = read_po(handle)
    texts = [text for m in template if m.id
             for text in (m.id if isinstance(m.id, tuple) else (m.id,))]
    return [re.compile(".+?".join(re.escape(part) for part in re.split(r"%\(\w+\)\w", text)))
            for text in texts]


def _module_forms() -> list[type[Form]]:
    """Every form class defined at module level anywhere in dialog/."""
    found = []
    for info in pkgutil.walk_packages([str(DIALOG)], "dialog."):
        module = importlib.import_module(info.name)
        found += [cls for _name, cls in inspect.getmembers(module, inspect.isclass)
                  if issubclass(cls, Form) and cls.__module__ == info.name]
    return found


def _made_forms(**kwargs) -> list[Form]:
    """Forms built per survey (the löfte's, one field per survey language), and a page form."""
    languages = ("sv", "en")
    survey = load_builtin_template()
    return [new_promise_form(languages, "sv", FOCUS, **kwargs),
            action_form(languages, "sv", FOCUS, **kwargs),
            followup_form(languages, **kwargs),
            build_page_form(survey.pages[0], "sv", formdata=kwargs.get("formdata"))]


def _wrong_value(field) -> str:
    """Input each kind of field refuses: an unreadable number or date, an unknown choice,
    text longer than any limit."""
    if isinstance(field, IntegerField):
        return "tolv"
    if isinstance(field, DateField):
        return "31/12"
    if isinstance(field, SelectFieldBase):
        return "okänt-val"
    if isinstance(field, BooleanField):
        return "y"
    return "x" * 6000


def _with_choices(form: Form) -> Form:
    """Choices a view sets per request (rounds, problems) are left empty, as with no data."""
    for field in form:
        if isinstance(field, SelectFieldBase) and field.choices is None:
            field.choices = []
    return form


def _all_forms(formdata_for) -> list[Form]:
    meta = {"csrf": False}
    forms = []
    for cls in _module_forms():
        empty = cls(formdata=None, meta=meta)
        forms.append(_with_choices(cls(formdata=formdata_for(empty), meta=meta)))
    for empty in _made_forms(formdata=None, meta=meta):
        forms += [_with_choices(type(empty)(formdata=formdata_for(empty), meta=meta))]
    return forms


RENDER = """{% from "staff/_field.html" import field, error_summary %}
{{ error_summary("", forms) }}
{% for form in forms %}{% for f in form %}{{ field(f) }}{% endfor %}{% endfor %}"""


@pytest.fixture(scope="module")
def app():
    return create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_every_form_in_dialog_uses_the_catalog_base() -> None:
    # A FlaskForm used directly would bring back WTForms' English messages.
    direct = [str(path.relative_to(DIALOG)) for path in DIALOG.rglob("*.py")
              if path != DIALOG / "forms.py" and "FlaskForm" in path.read_text(encoding="utf-8")]
    assert direct == []
    assert len(_module_forms()) >= 10


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("input_kind", ["empty", "wrong"])
def test_forms_with_errors_show_no_english_default(app, lang, input_kind) -> None:
    def formdata_for(form: Form) -> MultiDict:
        if input_kind == "empty":
            return MultiDict({"submitted": "1"})
        return MultiDict({f.name: _wrong_value(f) for f in form})

    with app.test_request_context("/staff/"):
        g.lang = lang
        forms = _all_forms(formdata_for)
        for form in forms:
            form.validate()
        html = render_template_string(RENDER, forms=forms)
    errors = [e for form in forms for f in form for e in f.errors]
    assert len(errors) >= 15  # the test must see messages to be able to fail
    if lang == "sv":
        english = sorted({p.pattern for p in _english_defaults() if p.search(html)})
        assert english == []
        expected = "Fältet måste fyllas i." if input_kind == "empty" else "Skriv ett heltal"
        assert expected in html
    else:
        # The English catalog words some defaults in plainer English.
        assert "This field is required." in html if input_kind == "empty" \
            else "Write a whole number in digits." in html

