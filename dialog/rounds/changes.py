"""The check page's summary of what changed since the earlier version or round, in words staff
read: counts per kind of thing, every change with its text, and warnings where the comparison
with the earlier round breaks (surveys.compare finds the changes)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from surveys import Survey
from surveys.compare import Change, Comparison

from ..config import LANGUAGES
from ..i18n import pick_text

KINDS = ("added", "removed", "reworded", "changed")
# The order of the summary table.
SUBJECTS = ("question", "item", "option", "condition", "indicator", "language")


@dataclass(frozen=True)
class Line:
    subject: str  # what kind of thing, e.g. "Question"
    label: str
    code: str
    languages: str  # the reworded languages, by name; "" otherwise


@dataclass(frozen=True)
class Report:
    counts: list[tuple[str, dict[str, int]]]  # subject name → count per kind
    reworded: list[tuple[str, int]]  # language name → number of reworded texts
    lines: list[tuple[str, list[Line]]]  # kind heading → changes of that kind
    warnings: list[str]


def _subject_names() -> dict[str, str]:
    return {"question": _("Questions"), "item": _("Items (rows of a matrix)"),
            "option": _("Answer options"), "condition": _("Conditions (when a question is shown)"),
            "indicator": _("Key figures"), "language": _("Languages"),
            "type": _("Kind of question"), "scale": _("Answer scale"),
            "ranking": _("Ranked items")}


def _kind_headings() -> dict[str, str]:
    return {"added": _("Added"), "removed": _("Removed"), "reworded": _("Reworded"),
            "changed": _("Changed")}


def _names(changes: list[Change], lang: str, default: str) -> str:
    return ", ".join(dict.fromkeys(pick_text(c.label, lang, default) or c.where
                                   for c in changes))


def _warnings(comparison: Comparison, earlier_slug: str, lang: str, default: str) -> list[str]:
    by_reason: dict[str, list[Change]] = {}
    for change in comparison.breaking:
        by_reason.setdefault(change.breaks or "", []).append(change)
    texts = {
        "ranking": lambda names: _(
            "The ranked items differ from %(slug)s. The results page compares a round only with "
            "an earlier round that has the same items, so there will be no trend against it.",
            slug=earlier_slug),
        "scale": lambda names: _(
            "The answer scale changed (%(names)s): these answers cannot be compared with the "
            "earlier round's.", names=names),
        "type": lambda names: _(
            "A question became another kind of question (%(names)s): its answers cannot be "
            "compared with the earlier round's.", names=names),
        "indicator": lambda names: _(
            "Key figures are counted differently or are gone (%(names)s): their trend will be "
            "missing.", names=names),
        "background": lambda names: _(
            "Age band, gender or area is asked differently (%(names)s): weighting and the "
            "groups no longer match the earlier round.", names=names),
    }
    return [texts[reason](_names(changes, lang, default))
            for reason, changes in by_reason.items()]


def report(comparison: Comparison, earlier_slug: str, survey: Survey, lang: str) -> Report:
    """The summary in the staff language; survey texts in that language where the survey has
    it, else in its main language."""
    default = survey.default_language
    subjects = _subject_names()
    counts = [(subjects[subject], {kind: comparison.count(kind, subject) for kind in KINDS})
              for subject in SUBJECTS]
    lines = []
    for kind, heading in _kind_headings().items():
        changes = [c for c in comparison.changes if c.kind == kind]
        if changes:
            lines.append((heading, [Line(
                subjects[c.subject],
                LANGUAGES.get(c.where, c.where) if c.subject == "language"
                else pick_text(c.label, lang, default),
                "" if c.subject == "language" else c.where,
                ", ".join(LANGUAGES.get(code, code) for code in c.languages),
            ) for c in changes]))
    reworded = [(LANGUAGES.get(code, code), n)
                for code, n in comparison.reworded_per_language().items()]
    return Report([(name, n) for name, n in counts if any(n.values())], reworded, lines,
                  _warnings(comparison, earlier_slug, lang, default))
