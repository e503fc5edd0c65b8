"""Notes that travel with results, kept per language so each reader gets one language.

The analysis writes Swedish and English; an interface in another language shows the English
text under ``lang="en"`` (:meth:`Note.language`) rather than a glued bilingual string.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Note", "note_language"]

LANGUAGES = ("sv", "en")


def note_language(lang: str) -> str:
    """The language notes are shown in for an interface in ``lang``: Swedish or English."""
    return "sv" if lang == "sv" else "en"


@dataclass(frozen=True)
class Note:
    """One note in Swedish and English."""

    sv: str
    en: str

    def text(self, lang: str) -> str:
        """The note in ``lang`` (English for any language but Swedish)."""
        return self.sv if note_language(lang) == "sv" else self.en
