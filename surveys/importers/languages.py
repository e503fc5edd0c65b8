"""Language columns of XLSForm sheets: ``label::English (en)``, ``label:English (en)``,
``label::english``. Codes come from the parentheses, or from the language's name."""

from __future__ import annotations

import re
from functools import cache

from babel import Locale, UnknownLocaleError

_WITH_CODE = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*)\)$")
# Languages our residents read, so their own names ("svenska", "العربية") are recognised too.
_NATIVE_NAMES_FOR = ("sv", "en", "fi", "fit", "se", "yi", "rom", "ar", "so", "fa", "prs", "ti",
                     "uk", "de", "fr", "es", "pl", "ru", "tr", "ku", "bs", "sr", "hr", "zh", "sw")


# Spellings forms in the field use that are neither the English nor the native name in CLDR;
# reading one is a guess worth telling staff about (see :func:`is_other_spelling`).
_SPELLINGS = {
    "tigirigna": "ti", "tigrigna": "ti", "tigrinia": "ti", "oromiffa": "om",
    "afaan oromoo": "om", "oromifa": "om", "afan oromo": "om", "oromigna": "om",
    "amarigna": "am", "amharigna": "am", "af-soomaali": "so", "dari": "prs", "farsi": "fa",
    "kiswahili": "sw", "francais": "fr", "espanol": "es", "portugues": "pt", "bahasa": "id",
}


def is_other_spelling(spec: str) -> bool:
    """True if ``spec`` was read through the table of field spellings ("Tigirigna")."""
    spec = spec.strip().casefold()
    return spec in _SPELLINGS and spec not in _cldr_names()


@cache
def _names() -> dict[str, str]:
    return {**_SPELLINGS, **_cldr_names()}


@cache
def _cldr_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, name in Locale("en").languages.items():
        if "_" not in code:
            names.setdefault(name.casefold(), code)
    for code in _NATIVE_NAMES_FOR:
        try:
            native = Locale.parse(code).get_display_name(code)
        except (UnknownLocaleError, ValueError):
            continue
        if native:
            names.setdefault(native.casefold(), code)
    return names


def language_code(spec: str) -> str | None:
    """``"Swahili (sw)"`` -> ``"sw"``, ``"english"`` -> ``"en"``, a bare known code such as
    ``"EN"`` -> ``"en"``; ``None`` if unknown."""
    spec = spec.strip()
    if match := _WITH_CODE.match(spec):
        return match.group("code").replace("_", "-")
    if (code := spec.lower()) in _codes():
        return code
    return _names().get(spec.casefold())


@cache
def _codes() -> frozenset[str]:
    return frozenset(code for code in Locale("en").languages if "_" not in code)


def language_label(code: str) -> str:
    """The column suffix we write: ``"Swedish (sv)"``."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name("en")
    except (UnknownLocaleError, ValueError):
        name = None
    return f"{name or code} ({code})"


_HEADER = re.compile(r"^(?P<base>[^:]+?)\s*::?\s*(?P<rest>.+)$")


def split_header(header: str) -> tuple[str, str | None]:
    """Base column and language: ``"label::English (en)"`` -> ``("label", "English (en)")``.

    ``"name "`` -> ``("name", None)``; ``media::audio::chinese`` -> ``("media::audio", "chinese")``.
    """
    header = " ".join(header.split())
    if header.lower().startswith("media::") and header.count("::") >= 2:
        base, _, rest = header.rpartition("::")
        return base.lower(), rest.strip()
    match = _HEADER.match(header)
    if not match:
        return header.lower(), None
    return match.group("base").strip().lower(), match.group("rest").strip()
