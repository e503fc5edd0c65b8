"""Quick paper entry: the answer codes data-entry staff type from a paper questionnaire.

Every question (every row of a matrix) is one field. A choice is typed as the code printed on
paper: the survey's own option codes where they are numbers (a scale 1–4 with 9 = vet ej),
else the option's place in the list (1, 2, 3 …), as a printed questionnaire numbers its boxes.
Several choices are codes separated by spaces; numbers, dates and free text are typed as
they are. The typed text is translated into the form the full paper form would send and
checked by the survey's own rules (``surveys.validate_page``), page by page so that skip
logic sees the earlier answers; what only typing can get wrong (an unknown code, two codes
for one answer, an answer to a question the resident should have skipped) is checked here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from surveys import (
    Answers,
    FieldError,
    Option,
    Question,
    Survey,
    is_visible,
    prune_hidden,
    validate_page,
)

_SEPARATORS = re.compile(r"[\s,;]+")

# Codes of errors only typing codes can cause; the others are surveys.ERROR_CODES.
UNKNOWN_CODE = "unknown_code"
ONE_CODE_ONLY = "one_code_only"
SKIPPED = "skipped"


@dataclass(frozen=True)
class Code:
    """One box on paper: what staff type, the option code stored, and the option's label."""

    typed: str
    option: Option


@dataclass(frozen=True)
class CodeField:
    """One input of the quick form, in questionnaire order."""

    name: str  # the survey's field name: the question id, or "question.item" in a matrix
    number: str  # the question's place for the typist: "5", or "5b" for a matrix row
    question: Question
    label: dict[str, str]  # the question's text, or the matrix row's label
    codes: tuple[Code, ...]  # empty for free text, numbers and dates

    @property
    def several(self) -> bool:
        return self.question.type in ("multiple_choice", "pick_top") or (
            self.question.type == "place" and (self.question.max_marks or 1) > 1)

    @property
    def numeric(self) -> bool:
        """Whether every code is a number (the field then opens a number keypad)."""
        return bool(self.codes) and all(c.typed.isdigit() for c in self.codes)

    @property
    def first_of_matrix(self) -> bool:
        return self.question.type == "likert_matrix" and self.name.endswith(
            "." + self.question.items[0].code)


@dataclass
class Entry:
    """What the typed codes say: the answers, located errors, and the required questions
    left empty (on paper a resident may leave them out; staff confirm that)."""

    answers: Answers = field(default_factory=dict)
    errors: dict[str, FieldError] = field(default_factory=dict)
    missing: list[CodeField] = field(default_factory=list)


def paper_codes(options: tuple[Option, ...]) -> tuple[Code, ...]:
    """The codes printed beside ``options``: their own codes when all are whole numbers,
    else their places 1, 2, 3 …"""
    if all(o.code.isdigit() for o in options):
        return tuple(Code(o.code, o) for o in options)
    return tuple(Code(str(place), o) for place, o in enumerate(options, start=1))


def code_fields(survey: Survey) -> list[CodeField]:
    """The fields of the quick form, one per question or matrix row, in order."""
    fields: list[CodeField] = []
    for number, question in enumerate(survey.questions(), start=1):
        if question.type == "likert_matrix":
            codes = paper_codes(question.scale.options) if question.scale else ()
            fields.extend(
                CodeField(name, f"{number}{_letter(place)}", question, item.label, codes)
                for place, (name, item) in enumerate(
                    zip(question.field_names(), question.items, strict=True)))
        elif question.type == "place":
            # The named places as numbered boxes; texts and follow-ups need the full form.
            places = tuple(Option(p.code, p.label) for p in question.places)
            fields.append(CodeField(question.id, str(number), question, question.text,
                                    paper_codes(places)))
        else:
            fields.append(CodeField(question.id, str(number), question, question.text,
                                    paper_codes(question.options)))
    return fields


def _letter(place: int) -> str:
    # a … z, then aa, ab …: matrices of more than 26 rows exist in imported surveys.
    return _letter(place // 26 - 1) + chr(ord("a") + place % 26) if place >= 26 else chr(
        ord("a") + place)


def read_codes(survey: Survey, fields: list[CodeField], typed: Mapping[str, str]) -> Entry:
    """Check what staff typed (``{field name: text}``) and turn it into answers."""
    entry = Entry()
    submitted: dict[str, list[str]] = {}
    for code_field in fields:
        text = (typed.get(code_field.name) or "").replace("\r\n", "\n").strip()
        if not text:
            continue
        if not code_field.codes:
            submitted[code_field.name] = [text]
            continue
        values, error = _options_of(code_field, text)
        question = code_field.question
        if error is None and question.type == "place" and len(values) > (
                question.max_marks or 1):
            error = FieldError("too_many", {"max": question.max_marks or 1})
        if error is not None:
            entry.errors[code_field.name] = error
        elif question.type == "place":
            # One mark per typed place, as the full form's lists would send them.
            submitted.update({f"{prefix}.place": [code]
                              for prefix, code in zip(question.mark_prefixes(), values,
                                                      strict=False)})
        else:
            submitted[code_field.name] = values
    for index in range(len(survey.pages)):
        result = validate_page(survey, index, submitted, entry.answers)
        entry.answers.update(result.answers)
        for name, error in result.errors.items():
            if error.code != "required":
                entry.errors.setdefault(name, error)
    entry.answers = prune_hidden(survey, entry.answers)
    numbers = {f.question.id: f.number for f in fields}
    # A question that depends on a mistyped answer is not called skipped: fix that one first.
    mistyped = {name.partition(".")[0] for name in entry.errors}
    for code_field in fields:
        name, question = code_field.name, code_field.question
        if name in entry.errors:
            continue
        visible = is_visible(question, entry.answers)
        if not visible and name in submitted:
            condition = question.show_if
            if condition is None or condition.question in mistyped:
                continue
            entry.errors[name] = FieldError(SKIPPED, {
                "question": numbers.get(condition.question, condition.question)})
        elif visible and question.required and name not in entry.answers:
            entry.missing.append(code_field)
    return entry


def _options_of(code_field: CodeField, text: str) -> tuple[list[str], FieldError | None]:
    by_code = {c.typed.casefold(): c.option.code for c in code_field.codes}
    tokens = [t for t in _SEPARATORS.split(text) if t]
    if len(tokens) > 1 and not code_field.several:
        return [], FieldError(ONE_CODE_ONLY, {"value": text})
    unknown = [t for t in tokens if t.casefold() not in by_code]
    if unknown:
        return [], FieldError(UNKNOWN_CODE, {
            "value": unknown[0], "allowed": ", ".join(c.typed for c in code_field.codes)})
    return list(dict.fromkeys(by_code[t.casefold()] for t in tokens)), None


def typed_codes(fields: list[CodeField], answers: Answers) -> dict[str, str]:
    """The text staff would type for ``answers``: to enter a voided questionnaire again."""
    typed: dict[str, str] = {}
    for code_field in fields:
        value = answers.get(code_field.name)
        if value is None:
            continue
        if not code_field.codes:
            typed[code_field.name] = str(value)
            continue
        chosen = value if isinstance(value, list) else [value]
        if code_field.question.type == "place":
            chosen = [mark["place"] for mark in chosen if mark.get("place")]
        by_option = {c.option.code: c.typed for c in code_field.codes}
        typed[code_field.name] = " ".join(by_option[str(v)] for v in chosen
                                          if str(v) in by_option)
    return typed
