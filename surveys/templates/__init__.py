"""Built-in survey definitions shipped with the package."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from surveys.definition import INTRO_FIELDS, Survey
from surveys.loader import load_definition

TEMPLATE_DIR = Path(__file__).parent


def builtin_template_names() -> list[str]:
    """Names of the shipped templates (file stems), sorted."""
    return sorted(p.stem for p in TEMPLATE_DIR.glob("*.yaml"))


def builtin_template_path(name: str = "trygghet") -> Path:
    """Path of a shipped template; ``KeyError`` for an unknown name."""
    path = TEMPLATE_DIR / f"{name}.yaml"
    if name not in builtin_template_names():
        raise KeyError(name)
    return path


def load_builtin_template(name: str = "trygghet") -> Survey:
    """The shipped template ``name``, loaded and validated."""
    return load_definition(builtin_template_path(name))


def with_template_intro(survey: Survey, template: str = "trygghet") -> Survey:
    """Fill intro texts an imported survey lacks from a shipped template.

    LimeSurvey and XLSForm files carry no GDPR texts (who is responsible, retention …), which
    every survey here must show. A language the template lacks gets the template's text in the
    survey's default language, falling back to the template's own default language; staff are
    expected to edit these texts before opening the round.
    """
    source = load_builtin_template(template)
    intro = {key: dict(texts) for key, texts in survey.intro.items()}
    for key in INTRO_FIELDS:
        model = source.intro[key]
        fallback = model.get(survey.default_language) or model[source.default_language]
        texts = intro.setdefault(key, {})
        for lang in survey.languages:
            texts.setdefault(lang, model.get(lang, fallback))
    return replace(survey, intro=intro)
