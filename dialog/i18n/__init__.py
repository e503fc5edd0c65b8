"""Locale choice: the first path segment decides; the first visit picks from Accept-Language."""

from __future__ import annotations

from flask import current_app, g, request
from flask_babel import get_locale

from surveys import Survey

from ..config import RTL_LANGUAGES


def supported_languages() -> dict[str, str]:
    return current_app.config["LANGUAGES"]


def best_language() -> str:
    match = request.accept_languages.best_match(list(supported_languages()))
    return match or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_locale() -> str:
    lang = (request.view_args or {}).get("lang") if request else None
    if lang in supported_languages():
        return lang
    chosen = getattr(g, "lang", None)
    if chosen:
        return chosen
    return best_language()


def text_direction(lang: str | None = None) -> str:
    lang = lang or str(get_locale())
    return "rtl" if lang in RTL_LANGUAGES else "ltr"


def pick_text(text: dict[str, str] | None, lang: str | None = None, fallback: str = "sv") -> str:
    """The text in the page's language, else the survey's default language."""
    if not text:
        return ""
    lang = lang or str(get_locale())
    return text.get(lang) or text.get(fallback) or next(iter(text.values()), "")


def survey_texts(text: dict[str, str] | None, survey: Survey) -> dict[str, str]:
    """A survey text in every language of the survey (the default language's where one is
    missing), for a copy read later in any of them – a frozen lägesbild, the places' tables."""
    text = text or {}
    default = text.get(survey.default_language, "")
    return {lang: text.get(lang) or default for lang in survey.languages}
