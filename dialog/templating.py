"""What every template can use: language, direction, language menu links, survey texts."""

from __future__ import annotations

import math
from datetime import date

from flask import Flask, request, url_for
from flask_babel import format_date, format_decimal, format_percent, get_locale
from flask_babel import gettext as _

from analysis.rounding import whole_percent
from surveys import date_bound

from .i18n import pick_text, supported_languages, text_direction
from .places.service import map_settings, map_sources


def language_url(code: str) -> str:
    """The current page in another language (same endpoint, same arguments)."""
    args = dict(request.view_args or {})
    if request.endpoint and "lang" in args:
        args["lang"] = code
        return url_for(request.endpoint, **args)
    return url_for("respond.list_surveys", lang=code)


def survey_languages(survey) -> dict[str, str]:
    """The language menu of a survey page: only the languages the survey declares."""
    names = supported_languages()
    return {code: names.get(code, code) for code in survey.languages}


def translated(text: dict[str, str] | None, fallback: str = "sv") -> str:
    """A survey text in the page's language (the template global ``t``)."""
    return pick_text(text, None, fallback)


def local_date(value: date | str | None) -> str:
    """A date in the page's language (``2026-03-01`` → ``1 mars 2026``); ISO text accepted."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, format="long")


def date_limit(value: str | None) -> str:
    """A date question's bound as ISO text for the field's min/max (``today`` resolved)."""
    bound = date_bound(value)
    return bound.isoformat() if bound else ""


def percent(share: float | None) -> str:
    """A share as whole per cent, written the way the page's language writes it ("77 %"
    in Swedish, "77%" in English), halves up; empty when there is no share."""
    if share is None or not math.isfinite(share):
        return ""
    return format_percent(whole_percent(share) / 100)


def population_source(table: object) -> str:
    """Where a population table comes from, in the page's language only. The shipped
    estimate keeps a bilingual source text (it is part of the results' cache key); staff's
    own uploads say what staff wrote."""
    if getattr(table, "is_estimate", False):
        return _("An estimate for demonstration, not SCB's table: Söderhamn's residents aged "
                 "13 and older by age and gender (based on 24,545 residents, SCB 2024).")
    return str(getattr(table, "source", "") or "")


def number(value: float | None) -> str:
    """A figure as the page's language writes it, at most one decimal (``1 234,5``)."""
    if value is None or not math.isfinite(value):
        return ""
    return format_decimal(value, format="#,##0.#")


def init_app(app: Flask) -> None:
    # Globals rather than context values, so that macro files can be imported without
    # context: Jinja then caches them instead of re-running them on every render.
    app.jinja_env.globals.update(
        t=translated, language_url=language_url, survey_languages=survey_languages,
        date_limit=date_limit, population_source=population_source, place_map=map_settings,
        map_sources=map_sources)
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["t"] = translated  # for map("t") over lists of texts

    @app.context_processor
    def _inject() -> dict:
        lang = str(get_locale())
        return {
            "current_lang": lang,
            "text_dir": text_direction(lang),
            "languages": supported_languages(),
        }
