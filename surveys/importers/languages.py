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


# Spellings forms in the field use that are neither the English nor the native name in CLDR.
_SPELLINGS = {
    "tigirigna": "ti", "tigrigna": "ti", "tigrinia": "ti", "tigray": "ti", "tigrinya": "ti",
    "oromiffa": "om", "afaan oromoo": "om", "oromifa": "om", "afan oromo": "om", "oromigna": "om",
    "amarigna": "am", "amharigna": "am", "amharic": "am", "somali": "so", "af-soomaali": "so",
    "dari": "prs", "farsi": "fa", "kiswahili": "sw", "swahili": "sw", "ukrainian": "uk",
    "arabic": "ar", "english": "en", "french": "fr", "francais": "fr", "espanol": "es",
    "portugues": "pt", "bahasa indonesia": "id", "bahasa": "id", "hindi": "hi", "nepali": "ne",
}


@cache
def _names() -> dict[str, str]:
    names: dict[str, str] = dict(_SPELLINGS)
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
    """``"Swahili (sw)"`` -> ``"sw"``, ``"english"`` -> ``"en"``; ``None`` if unknown."""
    spec = spec.strip()
    if match := _WITH_CODE.match(spec):
        return match.group("code").replace("_", "-")
    return _names().get(spec.casefold())


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
