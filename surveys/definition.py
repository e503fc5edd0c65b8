"""The questionnaire as plain data: what a survey definition file describes.

Every human-readable text is a ``dict`` from language code to text (``{"sv": ..., "en": ...}``);
answer codes are language-independent strings so that exports and analysis never depend on
the language a resident answered in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Text = dict[str, str]

QuestionType = Literal[
    "single_choice", "multiple_choice", "likert_matrix", "pick_top", "free_text", "number", "date",
    "place",
]
QUESTION_TYPES: tuple[str, ...] = (
    "single_choice", "multiple_choice", "likert_matrix", "pick_top", "free_text", "number", "date",
    "place",
)
# What a place question may ask about each marked place.
FOLLOW_UP_TYPES: tuple[str, ...] = ("single_choice", "multiple_choice", "free_text")
# The keys of one stored mark besides its follow-up answers (see docs/places.md).
MARK_KEYS: tuple[str, ...] = ("place", "lat", "lon", "text")
# A date question's bound may be a fixed ISO date or the day the resident answers.
TODAY = "today"
Role = Literal["age_band", "gender", "area"]
ROLES: tuple[str, ...] = ("age_band", "gender", "area")
INTRO_FIELDS: tuple[str, ...] = ("responsible", "purpose", "anonymity", "retention", "voluntary")


@dataclass(frozen=True)
class Option:
    """One answer alternative. ``score`` places it on a scale; ``None`` means not scored."""

    code: str
    label: Text
    score: float | None = None
    dont_know: bool = False


@dataclass(frozen=True)
class Scale:
    """A shared answer scale for likert matrices (e.g. inget problem … mycket stort problem).

    ``positive`` lists the codes that count as "a big problem" (or agreement) in headline
    shares; options marked ``dont_know`` are excluded from scores and shares.
    """

    id: str
    options: tuple[Option, ...]
    positive: tuple[str, ...] = ()

    @property
    def valid_codes(self) -> tuple[str, ...]:
        return tuple(o.code for o in self.options if not o.dont_know)

    @property
    def dont_know_codes(self) -> tuple[str, ...]:
        return tuple(o.code for o in self.options if o.dont_know)


@dataclass(frozen=True)
class Item:
    """A row of a likert matrix; its ``code`` is the analysis item name."""

    code: str
    label: Text


@dataclass(frozen=True)
class Condition:
    """``show_if``: show a question only when an earlier answer matches.

    ``question`` is a field name (question id, or ``<question>.<item>`` for a matrix item).
    Exactly one of ``equals``, ``in_`` or ``answered`` is set.
    """

    question: str
    equals: str | None = None
    in_: tuple[str, ...] | None = None
    answered: bool | None = None


@dataclass(frozen=True)
class NamedPlace:
    """A place of a place question's list, e.g. Resecentrum, at WGS84 ``lat``/``lon``."""

    code: str
    label: Text
    lat: float
    lon: float


@dataclass(frozen=True)
class Area:
    """An outline drawn on the map (and on its placeholder): ``(lat, lon)`` corners."""

    code: str
    label: Text
    outline: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    text: Text
    help: Text | None = None
    required: bool = False
    role: Role | None = None
    options: tuple[Option, ...] = ()
    scale: Scale | None = None
    items: tuple[Item, ...] = ()
    max_selections: int | None = None
    max_length: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    integer: bool = True
    show_if: Condition | None = None
    # Date questions: ISO dates (``"2024-01-01"``) or :data:`TODAY`.
    min_date: str | None = None
    max_date: str | None = None
    # Place questions: up to ``max_marks`` marks, each chosen from ``places``, written as a
    # street or landmark, or set on the map; ``follow_up`` is asked about each mark.
    max_marks: int | None = None
    places: tuple[NamedPlace, ...] = ()
    areas: tuple[Area, ...] = ()
    follow_up: tuple[Question, ...] = ()

    def field_names(self) -> tuple[str, ...]:
        """Answer keys and export columns: the question id, or ``<question>.<item>`` for each
        matrix item. A place question's marks are one answer under its id."""
        if self.type == "likert_matrix":
            return tuple(f"{self.id}.{item.code}" for item in self.items)
        return (self.id,)

    def mark_prefixes(self) -> tuple[str, ...]:
        """A place question's form fields start ``<question>.<n>`` for mark n = 1 … max_marks."""
        return tuple(f"{self.id}.{n}" for n in range(1, (self.max_marks or 1) + 1))

    def input_names(self) -> tuple[str, ...]:
        """The names a page's form sends: the field names, and for a place question one set
        of ``<question>.<n>.<key>`` per mark (place, text, lat, lon and the follow-ups)."""
        if self.type != "place":
            return self.field_names()
        keys = (*MARK_KEYS, *(f.id for f in self.follow_up))
        return tuple(f"{prefix}.{key}" for prefix in self.mark_prefixes() for key in keys)


@dataclass(frozen=True)
class Page:
    id: str
    title: Text
    questions: tuple[Question, ...]
    intro: Text | None = None


@dataclass(frozen=True)
class Indicator:
    """A key figure (nyckeltal): the share of respondents who gave one of ``counts`` to a
    choice question, e.g. "feel unsafe out late" = ganska or mycket otrygg. Respondents who
    answered one of ``excludes`` (vet ej) or nothing are left out of the base. For a
    multiple-choice question a respondent counts when any chosen code is in ``counts``."""

    id: str
    question: str
    counts: tuple[str, ...]
    label: Text
    excludes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Survey:
    slug: str
    title: Text
    languages: tuple[str, ...]
    default_language: str
    intro: dict[str, Text]
    pages: tuple[Page, ...]
    thanks: Text | None = None
    scales: dict[str, Scale] = field(default_factory=dict)
    # Language code -> "machine" / "human": machine translations stay marked until reviewed.
    review: dict[str, str] = field(default_factory=dict)
    # Language code -> who still has to check the translation and why (e.g. the kommun's
    # Finnish coordinator); shown to staff beside the review state.
    review_notes: dict[str, str] = field(default_factory=dict)
    template: str | None = None
    indicators: tuple[Indicator, ...] = ()

    def questions(self) -> tuple[Question, ...]:
        return tuple(q for page in self.pages for q in page.questions)

    def question(self, question_id: str) -> Question:
        for q in self.questions():
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def question_with_role(self, role: str) -> Question | None:
        return next((q for q in self.questions() if q.role == role), None)


Answers = dict[str, "str | list[str] | int | float | list[dict]"]
"""Validated answers keyed by field name. single_choice / matrix item / free_text -> str,
multiple_choice / pick_top -> list of codes, number -> int or float, date -> ISO date text,
place -> a list of marks (dicts, see docs/places.md)."""
