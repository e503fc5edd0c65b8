"""What changed between two versions of a survey definition, and which changes break the
comparison with the earlier one.

Staff see this before they publish a new version or a new round: questions, items and answer
options added, removed or reworded, conditions and key figures changed. Some changes make the
earlier round's figures incomparable (a changed scale, a removed item, a key figure counted
differently); those carry a ``breaks`` reason so the page can warn.

Things are matched by their codes (question id, item and option code, indicator id): a code
that is renamed counts as one removed and one added.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from surveys.codebook import analysis_spec
from surveys.definition import Option, Question, Survey, Text

Kind = Literal["added", "removed", "reworded", "changed"]
# What a change is about.
Subject = Literal["language", "question", "item", "option", "condition", "type", "scale",
                  "indicator", "ranking"]
# Why the earlier version's figures are no longer comparable:
#   ranking   – the ranked items differ, so the dashboard finds no earlier round to trend against
#   scale     – the answer scale of a question changed (codes, scores or what counts as "big")
#   type      – a question became another kind of question
#   indicator – a key figure is counted differently, or no longer exists
#   background – age band, gender or area asked differently: weighting and groups differ
Breaks = Literal["ranking", "scale", "type", "indicator", "background"]


@dataclass(frozen=True)
class Change:
    """One difference. ``where`` names it by code (``question``, ``question.item``,
    ``question:option``, indicator id or language code); ``label`` is its text in the newer
    version (the older one's when removed); ``languages`` are those whose wording changed."""

    kind: Kind
    subject: Subject
    where: str
    label: Text
    languages: tuple[str, ...] = ()
    breaks: Breaks | None = None


@dataclass(frozen=True)
class Comparison:
    changes: tuple[Change, ...]

    @property
    def unchanged(self) -> bool:
        return not self.changes

    @property
    def breaking(self) -> tuple[Change, ...]:
        """The changes after which the earlier figures cannot be compared with the new."""
        return tuple(c for c in self.changes if c.breaks)

    def count(self, kind: Kind, subject: Subject) -> int:
        return sum(1 for c in self.changes if c.kind == kind and c.subject == subject)

    def reworded_per_language(self) -> dict[str, int]:
        """How many texts were reworded in each language."""
        counts = Counter(lang for c in self.changes if c.kind == "reworded"
                         for lang in c.languages)
        return dict(sorted(counts.items()))


def _reworded(old: Text | None, new: Text | None) -> tuple[str, ...]:
    """Languages whose text differs; a translation that is new or dropped is not a rewording
    (the language change says so)."""
    old, new = old or {}, new or {}
    return tuple(lang for lang in new if lang in old and old[lang].strip() != new[lang].strip())


def _options(question_id: str, old: tuple[Option, ...], new: tuple[Option, ...],
             breaks: Breaks | None) -> list[Change]:
    """Added, removed and reworded options; ``breaks`` applies when the set of codes or what
    they mean to the analysis (score, vet ej) changed."""
    before = {o.code: o for o in old}
    after = {o.code: o for o in new}
    changes = [Change("removed", "option", f"{question_id}:{code}", o.label, breaks=breaks)
               for code, o in before.items() if code not in after]
    for code, option in after.items():
        if code not in before:
            changes.append(Change("added", "option", f"{question_id}:{code}", option.label,
                                  breaks=breaks))
            continue
        languages = _reworded(before[code].label, option.label)
        if languages:
            changes.append(Change("reworded", "option", f"{question_id}:{code}", option.label,
                                  languages))
    return changes


def _scale_meaning(question: Question) -> tuple:
    """What analysis reads from a matrix's scale: codes in order, scores, vet ej, "big"."""
    scale = question.scale
    if scale is None:
        return ()
    return (tuple((o.code, o.score, o.dont_know) for o in scale.options), tuple(scale.positive))


def _question(old: Question, new: Question, ranked: bool,
              counted_codes: set[str]) -> list[Change]:
    if old.type != new.type:
        return [Change("changed", "type", new.id, new.text, breaks="type")]
    changes = []
    languages = tuple(dict.fromkeys(_reworded(old.text, new.text) + _reworded(old.help, new.help)))
    if languages:
        changes.append(Change("reworded", "question", new.id, new.text, languages))
    if old.show_if != new.show_if:
        changes.append(Change("changed", "condition", new.id, new.text))
    if new.type == "likert_matrix" and old.scale and new.scale:
        meaning_changed = _scale_meaning(old) != _scale_meaning(new)
        if meaning_changed:
            changes.append(Change("changed", "scale", new.id, new.text, breaks="scale"))
        changes += _options(new.id, old.scale.options, new.scale.options, None)
        before = {i.code: i for i in old.items}
        after = {i.code: i for i in new.items}
        breaks: Breaks | None = "ranking" if ranked else None
        changes += [Change("removed", "item", f"{new.id}.{code}", item.label, breaks=breaks)
                    for code, item in before.items() if code not in after]
        for code, item in after.items():
            if code not in before:
                changes.append(Change("added", "item", f"{new.id}.{code}", item.label,
                                      breaks=breaks))
            elif languages := _reworded(before[code].label, item.label):
                changes.append(Change("reworded", "item", f"{new.id}.{code}", item.label,
                                      languages))
    else:
        # Options a key figure counts, or those of a background question, carry the figures.
        removed_or_added = {o.code for o in old.options} ^ {o.code for o in new.options}
        breaks = None
        if new.role or old.role:
            breaks = "background" if removed_or_added else None
        elif removed_or_added & counted_codes:
            breaks = "indicator"
        changes += _options(new.id, old.options, new.options, breaks)
    return changes


def _indicators(old: Survey, new: Survey) -> list[Change]:
    before = {i.id: i for i in old.indicators}
    after = {i.id: i for i in new.indicators}
    changes = [Change("removed", "indicator", key, i.label, breaks="indicator")
               for key, i in before.items() if key not in after]
    for key, indicator in after.items():
        earlier = before.get(key)
        if earlier is None:
            changes.append(Change("added", "indicator", key, indicator.label))
        elif (earlier.question, set(earlier.counts), set(earlier.excludes)) != \
                (indicator.question, set(indicator.counts), set(indicator.excludes)):
            changes.append(Change("changed", "indicator", key, indicator.label,
                                  breaks="indicator"))
        elif languages := _reworded(earlier.label, indicator.label):
            changes.append(Change("reworded", "indicator", key, indicator.label, languages))
    return changes


def compare_surveys(old: Survey, new: Survey) -> Comparison:
    """Everything that differs from ``old`` to ``new``, in the order of the new survey."""
    changes = [Change("added", "language", lang, {}) for lang in new.languages
               if lang not in old.languages]
    changes += [Change("removed", "language", lang, {}) for lang in old.languages
                if lang not in new.languages]
    old_spec, new_spec = analysis_spec(old), analysis_spec(new)
    if old_spec.item_codes != new_spec.item_codes:
        changes.append(Change("changed", "ranking", ",".join(new_spec.matrix_questions), {},
                              breaks="ranking"))
    ranked = set(old_spec.matrix_questions) | set(new_spec.matrix_questions)
    counted = {(i.question, code) for s in (old, new) for i in s.indicators
               for code in (*i.counts, *i.excludes)}
    before = {q.id: q for q in old.questions()}
    after = {q.id: q for q in new.questions()}
    for question_id, question in after.items():
        earlier = before.get(question_id)
        if earlier is None:
            changes.append(Change("added", "question", question_id, question.text))
        else:
            changes += _question(earlier, question, question_id in ranked,
                                 {code for q, code in counted if q == question_id})
    for question_id, question in before.items():
        if question_id not in after:
            breaks: Breaks | None = (
                "ranking" if question_id in ranked else "background" if question.role
                else "indicator" if any(q == question_id for q, _code in counted) else None)
            changes.append(Change("removed", "question", question_id, question.text,
                                  breaks=breaks))
    changes += _indicators(old, new)
    return Comparison(tuple(changes))
