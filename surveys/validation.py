"""Turn a parsed definition (nested dicts and lists) into a :class:`Survey`, collecting problems.

The loader hands in containers that remember YAML line numbers (see ``surveys.loader``);
``survey_from_dict`` hands in plain JSON-like data, so every line lookup falls back to ``None``.
All problems are collected before failing so that staff can fix a file in one pass.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from surveys.definition import (
    FOLLOW_UP_TYPES,
    INTRO_FIELDS,
    MARK_KEYS,
    QUESTION_TYPES,
    ROLES,
    TODAY,
    Area,
    Condition,
    Indicator,
    Item,
    NamedPlace,
    Option,
    Page,
    Question,
    Scale,
    Survey,
    Text,
)
from surveys.numbers import plain_number

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}$")
REVIEW_STATES: tuple[str, ...] = ("machine", "human")

SURVEY_REQUIRED = ("slug", "title", "languages", "default_language", "intro", "pages")
SURVEY_OPTIONAL = ("thanks", "scales", "review", "review_notes", "template", "indicators")
INDICATOR_REQUIRED = ("id", "question", "counts", "label")
INDICATOR_OPTIONAL = ("excludes",)
SCALE_KEYS = ("options", "positive")
OPTION_REQUIRED = ("code", "label")
OPTION_OPTIONAL = ("score", "dont_know")
ITEM_KEYS = ("code", "label")
PAGE_REQUIRED = ("id", "title", "questions")
PAGE_OPTIONAL = ("intro",)
QUESTION_REQUIRED = ("id", "type", "text")
QUESTION_COMMON = ("help", "required", "show_if")
QUESTION_TYPE_KEYS: dict[str, tuple[str, ...]] = {
    "single_choice": ("role", "options", "scale"),
    "multiple_choice": ("options", "max_selections"),
    "pick_top": ("options", "max_selections"),
    "likert_matrix": ("scale", "items"),
    "free_text": ("max_length",),
    "number": ("min", "max", "integer"),
    "date": ("min", "max"),
    "place": ("max_marks", "places", "areas", "follow_up"),
}
# A follow-up question of a place question: a small question of its own, asked once per mark.
FOLLOW_UP_KEYS: dict[str, tuple[str, ...]] = {
    "single_choice": ("help", "options"),
    "multiple_choice": ("help", "options", "max_selections"),
    "free_text": ("help", "max_length"),
}
PLACE_KEYS = ("code", "label", "lat", "lon")
AREA_KEYS = ("code", "label", "outline")
MAX_MARKS = 10
_TYPE_KEYS = tuple(k for keys in QUESTION_TYPE_KEYS.values() for k in keys)
ALL_QUESTION_KEYS = tuple(dict.fromkeys(QUESTION_REQUIRED + QUESTION_COMMON + _TYPE_KEYS))
CONDITION_KEYS = ("question", "equals", "in", "answered")
_FOLLOW_UP_ALL_KEYS = tuple(dict.fromkeys(k for keys in FOLLOW_UP_KEYS.values() for k in keys))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition: where (dotted path), what, and the YAML line if known."""

    location: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text} (line {self.line})" if self.line is not None else text


class DefinitionError(ValueError):
    """A definition has one or more problems; ``str()`` lists them one per line."""

    def __init__(self, problems: list[Problem], source: str = "<string>") -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__("\n".join(str(p) for p in self.problems))


def _join(location: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{location}[{key}]"
    return f"{location}.{key}" if location else key


def _value_line(container: Any, key: Any) -> int | None:
    lines = getattr(container, "value_lines", None)
    if lines is not None and key in lines:
        return lines[key]
    return getattr(container, "line", None)


def _key_line(container: Any, key: Any) -> int | None:
    lines = getattr(container, "key_lines", None)
    if lines is not None and key in lines:
        return lines[key]
    return getattr(container, "line", None)


def _raw(container: Any, key: Any) -> str | None:
    """The scalar as written in YAML, so that ``yes``, ``no`` or ``01`` are not bools or ints."""
    raws = getattr(container, "raw", None)
    return raws.get(key) if raws is not None else None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


@dataclass
class _FieldInfo:
    position: int
    question_type: str
    codes: tuple[str, ...] | None
    is_matrix_id: bool = False


@dataclass
class _PendingCondition:
    position: int
    location: str
    line: int | None
    question: str | None
    equals: str | None
    in_: tuple[str, ...] | None
    in_line: int | None


class _Builder:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.languages: tuple[str, ...] = ()
        self.scales: dict[str, Scale] = {}
        self.scale_ids: set[str] = set()
        self.question_ids: dict[str, str] = {}
        self.roles: dict[str, str] = {}
        self.fields: dict[str, _FieldInfo] = {}
        self.conditions: list[_PendingCondition] = []
        self.position = 0

    def add(self, location: str, message: str, line: int | None) -> None:
        self.problems.append(Problem(location, message, line))

    # -- generic shapes -------------------------------------------------------------------

    def mapping(
        self,
        value: Any,
        location: str,
        line: int | None,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
    ) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.add(location, f"expected a mapping, got {_kind(value)}", line)
            return None
        for key, dup_line in getattr(value, "duplicates", ()):
            self.add(location, f"duplicate key '{key}'", dup_line)
        allowed = required + optional
        for key in value:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), allowed, n=1)
                suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.add(location, f"unknown key '{key}'{suffix}", _key_line(value, key))
        for key in required:
            if key not in value:
                self.add(location, f"missing required key '{key}'", getattr(value, "line", line))
        return value

    def sequence(
        self, value: Any, location: str, line: int | None, what: str
    ) -> list[Any] | None:
        if not isinstance(value, list):
            self.add(location, f"expected a list of {what}, got {_kind(value)}", line)
            return None
        if not value:
            self.add(location, f"needs at least one of {what}", line)
        return value

    def string(self, container: Mapping[str, Any], key: str, location: str) -> str | None:
        value = container[key]
        where, line = _join(location, key), _value_line(container, key)
        if not isinstance(value, str) or not value.strip():
            self.add(where, f"expected text, got {_kind(value)}", line)
            return None
        return value.strip()

    def identifier(self, container: Mapping[str, Any], key: str, location: str) -> str | None:
        value = self.string(container, key, location)
        if value is not None and not ID_PATTERN.match(value):
            self.add(
                _join(location, key),
                f"'{value}' is not a valid id: use lower-case a-z, digits and _, "
                "starting with a letter, at most 40 characters",
                _value_line(container, key),
            )
            return None
        return value

    def code(self, container: Any, key: Any, location: str) -> str | None:
        """An answer code: YAML ``1`` becomes ``"1"``; codes must be short slugs."""
        value = container[key]
        where, line = _join(location, key), _value_line(container, key)
        if isinstance(value, str):
            text = value.strip()
        elif value is not None and _raw(container, key) is not None:
            text = _raw(container, key) or ""
        elif isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        else:
            self.add(where, f"expected a code, got {_kind(value)}", line)
            return None
        if not CODE_PATTERN.match(text):
            self.add(
                where,
                f"code '{text}' is not a short slug: use lower-case a-z, digits, _ and -, "
                "at most 32 characters",
                line,
            )
            return None
        return text

    def boolean(self, container: Mapping[str, Any], key: str, location: str) -> bool | None:
        value = container[key]
        if not isinstance(value, bool):
            self.add(
                _join(location, key),
                f"expected true or false, got {_kind(value)}",
                _value_line(container, key),
            )
            return None
        return value

    def integer(self, container: Mapping[str, Any], key: str, location: str) -> int | None:
        value = container[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(
                _join(location, key),
                f"expected a whole number, got {_kind(value)}",
                _value_line(container, key),
            )
            return None
        return value

    def number(self, container: Mapping[str, Any], key: str, location: str) -> float | None:
        value = container[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(
                _join(location, key),
                f"expected a number, got {_kind(value)}",
                _value_line(container, key),
            )
            return None
        return float(value)

    def date_bound(self, container: Mapping[str, Any], key: str, location: str) -> str | None:
        """An ISO date or ``today`` (the loader keeps YAML dates as text)."""
        value = container[key]
        if value == TODAY or (isinstance(value, str) and parse_iso_date(value) is not None):
            return value
        self.add(_join(location, key),
                 f"expected a date like 2024-01-31 or '{TODAY}', got {_kind(value)}",
                 _value_line(container, key))
        return None

    def text(self, container: Mapping[str, Any], key: str, location: str) -> Text | None:
        """A per-language text; every declared language must be present and non-empty."""
        value = container[key]
        where, line = _join(location, key), _value_line(container, key)
        if not isinstance(value, Mapping):
            self.add(
                where,
                f"expected a text per language like {{{self._language_example()}}}, "
                f"got {_kind(value)}",
                line,
            )
            return None
        for dup, dup_line in getattr(value, "duplicates", ()):
            self.add(where, f"duplicate key '{dup}'", dup_line)
        result: Text = {}
        for lang, text in value.items():
            lang_line = _value_line(value, lang)
            if self.languages and lang not in self.languages:
                self.add(
                    where,
                    f"language '{lang}' is not one of the survey languages "
                    f"({', '.join(self.languages)})",
                    _key_line(value, lang),
                )
                continue
            if isinstance(text, str):
                cleaned = text.strip()
            elif text is not None and _raw(value, lang) is not None:
                cleaned = (_raw(value, lang) or "").strip()
            else:
                cleaned = ""
            if not cleaned:
                self.add(where, f"the '{lang}' text is empty", lang_line)
                continue
            result[lang] = cleaned
        for lang in self.languages:
            if lang not in value:
                self.add(where, f"missing translation for '{lang}'", line)
        return result

    def _language_example(self) -> str:
        langs = self.languages or ("sv",)
        return ", ".join(f"{lang}: ..." for lang in langs)

    # -- the survey -----------------------------------------------------------------------

    def survey(self, data: Any) -> Survey | None:
        if data is None:
            self.add("", "the definition is empty", None)
            return None
        top = self.mapping(data, "", getattr(data, "line", None), SURVEY_REQUIRED, SURVEY_OPTIONAL)
        if top is None:
            return None

        languages = self.survey_languages(top)
        default_language = None
        if "default_language" in top:
            default_language = self.string(top, "default_language", "")
            if default_language is not None and languages and default_language not in languages:
                self.add(
                    "default_language",
                    f"'{default_language}' is not one of the languages ({', '.join(languages)})",
                    _value_line(top, "default_language"),
                )

        slug = None
        if "slug" in top:
            slug = self.string(top, "slug", "")
            if slug is not None and not SLUG_PATTERN.match(slug):
                self.add(
                    "slug",
                    f"'{slug}' is not a valid slug: use lower-case a-z, digits and -",
                    _value_line(top, "slug"),
                )
        title = self.text(top, "title", "") if "title" in top else None
        template = self.string(top, "template", "") if "template" in top else None
        review = self.review(top) if "review" in top else {}
        review_notes = self.review_notes(top) if "review_notes" in top else {}
        intro = self.intro(top) if "intro" in top else {}
        thanks = self.text(top, "thanks", "") if "thanks" in top else None
        if "scales" in top:
            self.survey_scales(top["scales"], _value_line(top, "scales"))
        pages: list[Page] = []
        if "pages" in top:
            pages = self.pages(top["pages"], _value_line(top, "pages"))
        self.resolve_conditions()
        indicators: list[Indicator] = []
        if "indicators" in top:
            indicators = self.indicators(top["indicators"], _value_line(top, "indicators"),
                                         pages)

        return Survey(
            slug=slug or "",
            title=title or {},
            languages=languages,
            default_language=default_language or "",
            intro=intro,
            pages=tuple(pages),
            thanks=thanks,
            scales=dict(self.scales),
            review=review,
            review_notes=review_notes,
            template=template,
            indicators=tuple(indicators),
        )

    def indicators(self, value: Any, line: int | None, pages: list[Page]) -> list[Indicator]:
        raw = self.sequence(value, "indicators", line, "indicators")
        questions = {q.id: q for page in pages for q in page.questions}
        out: list[Indicator] = []
        for index, body in enumerate(raw or []):
            where = _join("indicators", index)
            block = self.mapping(body, where, _value_line(raw, index), INDICATOR_REQUIRED,
                                 INDICATOR_OPTIONAL)
            if block is None or any(key not in block for key in INDICATOR_REQUIRED):
                continue
            indicator_id = self.identifier(block, "id", where)
            if indicator_id is not None and indicator_id in {i.id for i in out}:
                self.add(_join(where, "id"), f"indicator id '{indicator_id}' is used twice",
                         _value_line(block, "id"))
            label = self.text(block, "label", where)
            question_id = self.string(block, "question", where)
            question = questions.get(question_id or "")
            if question_id is not None and question is None:
                self.add(_join(where, "question"), f"no question has the id '{question_id}'",
                         _value_line(block, "question"))
            elif question is not None and question.type not in ("single_choice",
                                                                 "multiple_choice"):
                self.add(_join(where, "question"),
                         f"'{question_id}' is a {question.type} question; a key figure needs "
                         "single_choice or multiple_choice", _value_line(block, "question"))
                question = None
            # A single choice on a scale carries the scale's options too (see ``question``).
            known = {o.code for o in question.options} if question is not None else None
            counts = self.indicator_codes(block, "counts", where, known)
            excludes = self.indicator_codes(block, "excludes", where, known) \
                if "excludes" in block else []
            for code in set(counts) & set(excludes):
                self.add(_join(where, "excludes"), f"'{code}' is both counted and excluded",
                         _value_line(block, "excludes"))
            if None not in (indicator_id, label, question) and counts:
                out.append(Indicator(id=indicator_id, question=question_id, counts=tuple(counts),
                                     label=label, excludes=tuple(excludes)))
        return out

    def indicator_codes(self, block: Mapping[str, Any], key: str, where: str,
                        known: set[str] | None) -> list[str]:
        location = _join(where, key)
        raw = self.sequence(block[key], location, _value_line(block, key), "codes")
        codes: list[str] = []
        for index in range(len(raw or [])):
            code = self.code(raw, index, location)
            if code is None:
                continue
            if known is not None and code not in known:
                self.add(_join(location, index), f"'{code}' is not one of the question's codes",
                         _value_line(raw, index))
            elif code not in codes:
                codes.append(code)
        return codes

    def survey_languages(self, top: Mapping[str, Any]) -> tuple[str, ...]:
        if "languages" not in top:
            return ()
        raw = self.sequence(top["languages"], "languages", _value_line(top, "languages"),
                            "language codes")
        if raw is None:
            return ()
        languages: list[str] = []
        for index, value in enumerate(raw):
            text = value if isinstance(value, str) else _raw(raw, index)
            where, line = _join("languages", index), _value_line(raw, index)
            if text is None or not LANGUAGE_PATTERN.match(text):
                self.add(where, f"'{text if text is not None else value}' is not a language "
                         "code like 'sv' or 'en'", line)
            elif text in languages:
                self.add(where, f"language '{text}' is listed twice", line)
            else:
                languages.append(text)
        self.languages = tuple(languages)
        return self.languages

    def review(self, top: Mapping[str, Any]) -> dict[str, str]:
        value = top["review"]
        line = _value_line(top, "review")
        if not isinstance(value, Mapping):
            self.add("review", f"expected a mapping like {{en: machine}}, got {_kind(value)}", line)
            return {}
        result: dict[str, str] = {}
        for lang, state in value.items():
            where = _join("review", lang)
            if self.languages and lang not in self.languages:
                self.add(where, f"language '{lang}' is not one of the survey languages",
                         _key_line(value, lang))
            elif state not in REVIEW_STATES:
                self.add(where, f"expected one of {', '.join(REVIEW_STATES)}, got '{state}'",
                         _value_line(value, lang))
            else:
                result[lang] = state
        return result

    def review_notes(self, top: Mapping[str, Any]) -> dict[str, str]:
        value = top["review_notes"]
        if not isinstance(value, Mapping):
            self.add("review_notes", "expected a mapping like {fi: 'who must approve'}, got "
                     f"{_kind(value)}", _value_line(top, "review_notes"))
            return {}
        result: dict[str, str] = {}
        for lang, note in value.items():
            where = _join("review_notes", lang)
            if self.languages and lang not in self.languages:
                self.add(where, f"language '{lang}' is not one of the survey languages",
                         _key_line(value, lang))
            elif not isinstance(note, str) or not note.strip():
                self.add(where, "expected a note in words", _value_line(value, lang))
            else:
                result[lang] = note.strip()
        return result

    def intro(self, top: Mapping[str, Any]) -> dict[str, Text]:
        block = self.mapping(top["intro"], "intro", _value_line(top, "intro"), INTRO_FIELDS)
        if block is None:
            return {}
        return {
            key: text
            for key in INTRO_FIELDS
            if key in block and (text := self.text(block, key, "intro")) is not None
        }

    def survey_scales(self, value: Any, line: int | None) -> None:
        if not isinstance(value, Mapping):
            self.add("scales", f"expected a mapping of scale id to scale, got {_kind(value)}", line)
            return
        for dup, dup_line in getattr(value, "duplicates", ()):
            self.add("scales", f"duplicate key '{dup}'", dup_line)
        for scale_id, body in value.items():
            where = _join("scales", scale_id)
            self.scale_ids.add(scale_id)
            if not ID_PATTERN.match(str(scale_id)):
                self.add(where, f"'{scale_id}' is not a valid scale id", _key_line(value, scale_id))
                continue
            scale = self.scale(scale_id, body, where, _value_line(value, scale_id))
            if scale is not None:
                self.scales[scale_id] = scale

    def scale(self, scale_id: str, body: Any, where: str, line: int | None) -> Scale | None:
        block = self.mapping(body, where, line, ("options",), ("positive",))
        if block is None or "options" not in block:
            return None
        options = self.options(block, where)
        codes = {o.code: o for o in options}
        positive: list[str] = []
        if "positive" in block:
            raw = self.sequence(block["positive"], _join(where, "positive"),
                                _value_line(block, "positive"), "codes")
            for index in range(len(raw or [])):
                code = self.code(raw, index, _join(where, "positive"))
                if code is None:
                    continue
                item_where, item_line = _join(_join(where, "positive"), index), _value_line(raw,
                                                                                            index)
                if code not in codes:
                    self.add(item_where, f"'{code}' is not one of the scale's codes", item_line)
                elif codes[code].dont_know:
                    self.add(item_where, f"'{code}' is a don't-know option and cannot be positive",
                             item_line)
                elif code in positive:
                    self.add(item_where, f"'{code}' is listed twice", item_line)
                else:
                    positive.append(code)
        return Scale(id=scale_id, options=tuple(options), positive=tuple(positive))

    def options(self, block: Mapping[str, Any], location: str, minimum: int = 2) -> list[Option]:
        """``minimum`` is 1 for multiple choice: one tick box ("I agree") is a question."""
        where = _join(location, "options")
        raw = self.sequence(block["options"], where, _value_line(block, "options"), "options")
        if raw is None:
            return []
        if len(raw) < minimum:
            self.add(where, "needs at least two options", _value_line(block, "options"))
        options: list[Option] = []
        seen: set[str] = set()
        for index, body in enumerate(raw):
            option_where = _join(where, index)
            option = self.mapping(body, option_where, _value_line(raw, index), OPTION_REQUIRED,
                                  OPTION_OPTIONAL)
            if option is None:
                continue
            code = self.code(option, "code", option_where) if "code" in option else None
            if code is not None and code in seen:
                self.add(_join(option_where, "code"), f"duplicate option code '{code}'",
                         _value_line(option, "code"))
                code = None
            label = self.text(option, "label", option_where) if "label" in option else None
            score = self.number(option, "score", option_where) if "score" in option else None
            dont_know = (
                self.boolean(option, "dont_know", option_where) if "dont_know" in option else False
            )
            if code is not None:
                seen.add(code)
                options.append(Option(code=code, label=label or {}, score=score,
                                      dont_know=bool(dont_know)))
        return options

    def items(self, block: Mapping[str, Any], location: str) -> list[Item]:
        where = _join(location, "items")
        raw = self.sequence(block["items"], where, _value_line(block, "items"), "items")
        items: list[Item] = []
        seen: set[str] = set()
        for index, body in enumerate(raw or []):
            item_where = _join(where, index)
            item = self.mapping(body, item_where, _value_line(raw, index), ITEM_KEYS)
            if item is None:
                continue
            code = self.code(item, "code", item_where) if "code" in item else None
            if code is not None and code in seen:
                self.add(_join(item_where, "code"), f"duplicate item code '{code}'",
                         _value_line(item, "code"))
                code = None
            label = self.text(item, "label", item_where) if "label" in item else None
            if code is not None:
                seen.add(code)
                items.append(Item(code=code, label=label or {}))
        return items

    # -- pages and questions ---------------------------------------------------------------

    def pages(self, value: Any, line: int | None) -> list[Page]:
        raw = self.sequence(value, "pages", line, "pages")
        pages: list[Page] = []
        seen: dict[str, str] = {}
        for index, body in enumerate(raw or []):
            where = _join("pages", index)
            block = self.mapping(body, where, _value_line(raw, index), PAGE_REQUIRED,
                                 PAGE_OPTIONAL)
            if block is None:
                continue
            page_id = self.identifier(block, "id", where) if "id" in block else None
            if page_id is not None:
                if page_id in seen:
                    self.add(_join(where, "id"),
                             f"duplicate page id '{page_id}' (first used at {seen[page_id]})",
                             _value_line(block, "id"))
                else:
                    seen[page_id] = where
            title = self.text(block, "title", where) if "title" in block else None
            intro = self.text(block, "intro", where) if "intro" in block else None
            questions: list[Question] = []
            if "questions" in block:
                questions_where = _join(where, "questions")
                raw_questions = self.sequence(block["questions"], questions_where,
                                              _value_line(block, "questions"), "questions")
                for q_index, q_body in enumerate(raw_questions or []):
                    question = self.question(q_body, _join(questions_where, q_index),
                                             _value_line(raw_questions, q_index))
                    if question is not None:
                        questions.append(question)
            pages.append(Page(id=page_id or "", title=title or {}, questions=tuple(questions),
                              intro=intro))
        return pages

    def question(self, body: Any, where: str, line: int | None) -> Question | None:
        qtype = body.get("type") if isinstance(body, Mapping) else None
        known_type = qtype in QUESTION_TYPES
        optional = QUESTION_COMMON + QUESTION_TYPE_KEYS[qtype] if known_type else ALL_QUESTION_KEYS
        if known_type:
            block = self.question_mapping(body, where, line, qtype, optional)
        else:
            block = self.mapping(body, where, line, QUESTION_REQUIRED, optional)
        if block is None:
            return None
        if "type" in block and not known_type:
            self.add(_join(where, "type"),
                     f"unknown question type '{qtype}' (use one of {', '.join(QUESTION_TYPES)})",
                     _value_line(block, "type"))

        question_id = self.identifier(block, "id", where) if "id" in block else None
        if question_id is not None:
            if question_id in self.question_ids:
                self.add(_join(where, "id"),
                         f"duplicate question id '{question_id}' "
                         f"(first used at {self.question_ids[question_id]})",
                         _value_line(block, "id"))
                question_id = None
            else:
                self.question_ids[question_id] = where
        text = self.text(block, "text", where) if "text" in block else None
        help_text = self.text(block, "help", where) if "help" in block else None
        required = self.boolean(block, "required", where) if "required" in block else False
        role = self.role(block, where) if "role" in block else None

        scale = self.scale_reference(block, where) if "scale" in block else None
        options: tuple[Option, ...] = ()
        if "options" in block:
            options = tuple(self.options(block, where, 1 if qtype == "multiple_choice" else 2))
        elif scale is not None and qtype == "single_choice":
            options = scale.options
        if qtype == "single_choice" and "options" in block and "scale" in block:
            self.add(where, "use either 'options' or 'scale', not both", line)
        if qtype in ("single_choice", "multiple_choice", "pick_top") and not (
            "options" in block or "scale" in block
        ):
            needed = "'options' or 'scale'" if qtype == "single_choice" else "'options'"
            self.add(where, f"a {qtype} question needs {needed}", getattr(block, "line", line))
        items: tuple[Item, ...] = ()
        if qtype == "likert_matrix":
            for key in ("scale", "items"):
                if key not in block:
                    self.add(where, f"a likert_matrix question needs '{key}'",
                             getattr(block, "line", line))
            if "items" in block:
                items = tuple(self.items(block, where))

        max_selections = self.max_selections(block, where, qtype, len(options))
        max_length = self.max_length(block, where) if "max_length" in block else None
        min_value = max_value = None
        min_date = max_date = None
        if qtype == "date":
            min_date = self.date_bound(block, "min", where) if "min" in block else None
            max_date = self.date_bound(block, "max", where) if "max" in block else None
            # "today" moves, so only two fixed dates can be compared here.
            if TODAY not in (min_date, max_date) and min_date and max_date and min_date > max_date:
                self.add(_join(where, "min"), f"min ({min_date}) is later than max ({max_date})",
                         _value_line(block, "min"))
        else:
            min_value = self.number(block, "min", where) if "min" in block else None
            max_value = self.number(block, "max", where) if "max" in block else None
        if min_value is not None and max_value is not None and min_value > max_value:
            self.add(_join(where, "min"),
                     f"min ({plain_number(min_value)}) is greater than "
                     f"max ({plain_number(max_value)})",
                     _value_line(block, "min"))
        integer = self.boolean(block, "integer", where) if "integer" in block else True

        max_marks = places = areas = follow_up = None
        if qtype == "place":
            max_marks = self.max_marks(block, where) if "max_marks" in block else 1
            if "places" not in block:
                self.add(where, "a place question needs 'places': the list residents choose "
                         "from when they do not use the map", getattr(block, "line", line))
            places = self.named_places(block, where) if "places" in block else ()
            areas = self.areas(block, where) if "areas" in block else ()
            follow_up = self.follow_ups(block, where) if "follow_up" in block else ()

        show_if = self.show_if(block, where) if "show_if" in block else None
        if question_id is not None and known_type:
            self.register_fields(question_id, qtype, options, scale, items)

        return Question(
            id=question_id or "",
            type=qtype if known_type else "free_text",
            text=text or {},
            help=help_text,
            required=bool(required),
            role=role,
            options=options,
            scale=scale,
            items=items,
            max_selections=max_selections,
            max_length=max_length,
            min_value=min_value,
            max_value=max_value,
            integer=True if integer is None else integer,
            show_if=show_if,
            min_date=min_date,
            max_date=max_date,
            max_marks=max_marks,
            places=places or (),
            areas=areas or (),
            follow_up=follow_up or (),
        )

    def max_length(self, block: Mapping[str, Any], where: str) -> int | None:
        max_length = self.integer(block, "max_length", where)
        if max_length is not None and max_length < 1:
            self.add(_join(where, "max_length"), "max_length must be at least 1",
                     _value_line(block, "max_length"))
        return max_length

    # -- place questions -------------------------------------------------------------------

    def max_marks(self, block: Mapping[str, Any], where: str) -> int | None:
        value = self.integer(block, "max_marks", where)
        if value is not None and not 1 <= value <= MAX_MARKS:
            self.add(_join(where, "max_marks"), f"max_marks must be from 1 to {MAX_MARKS}",
                     _value_line(block, "max_marks"))
            return None
        return value

    def coordinate(self, container: Any, key: Any, location: str, limit: float,
                   what: str) -> float | None:
        """A WGS84 latitude (``limit`` 90) or longitude (180) in degrees."""
        value = container[key]
        where, line = _join(location, key), _value_line(container, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(where, f"expected a {what} in degrees, got {_kind(value)}", line)
            return None
        if not -limit <= value <= limit:
            self.add(where, f"{what} {plain_number(value)} is outside -{limit}…{limit}", line)
            return None
        return float(value)

    def coded_entries(self, block: Mapping[str, Any], key: str, where: str,
                      keys: tuple[str, ...], what: str,
                      build: Callable[[Mapping[str, Any], str, str, Text], Any]) -> tuple:
        """A list of mappings with a unique ``code`` and a ``label`` (named places, areas):
        ``build(entry, location, code, label)`` makes one from the rest, or ``None``."""
        location = _join(where, key)
        raw = self.sequence(block[key], location, _value_line(block, key), f"{what}s")
        out: list[Any] = []
        seen: set[str] = set()
        for index, body in enumerate(raw or []):
            entry_where = _join(location, index)
            entry = self.mapping(body, entry_where, _value_line(raw, index), keys)
            if entry is None or any(k not in entry for k in keys):
                continue
            code = self.code(entry, "code", entry_where)
            if code is not None and code in seen:
                self.add(_join(entry_where, "code"), f"duplicate {what} code '{code}'",
                         _value_line(entry, "code"))
                code = None
            label = self.text(entry, "label", entry_where)
            built = build(entry, entry_where, code or "", label or {})
            if code is not None and built is not None:
                seen.add(code)
                out.append(built)
        return tuple(out)

    def named_places(self, block: Mapping[str, Any], where: str) -> tuple[NamedPlace, ...]:
        def build(place: Mapping[str, Any], location: str, code: str,
                  label: Text) -> NamedPlace | None:
            lat = self.coordinate(place, "lat", location, 90, "latitude")
            lon = self.coordinate(place, "lon", location, 180, "longitude")
            return None if lat is None or lon is None else NamedPlace(code, label, lat, lon)

        return self.coded_entries(block, "places", where, PLACE_KEYS, "place", build)

    def areas(self, block: Mapping[str, Any], where: str) -> tuple[Area, ...]:
        def build(area: Mapping[str, Any], location: str, code: str,
                  label: Text) -> Area | None:
            outline = self.outline(area, location)
            return None if outline is None else Area(code, label, outline)

        return self.coded_entries(block, "areas", where, AREA_KEYS, "area", build)

    def outline(self, area: Mapping[str, Any], where: str
                ) -> tuple[tuple[float, float], ...] | None:
        location, line = _join(where, "outline"), _value_line(area, "outline")
        raw = self.sequence(area["outline"], location, line, "[lat, lon] corners")
        if raw is None:
            return None
        if len(raw) < 3:
            self.add(location, "an outline needs at least three corners", line)
            return None
        corners: list[tuple[float, float]] = []
        for index, corner in enumerate(raw):
            corner_where = _join(location, index)
            if not isinstance(corner, list) or len(corner) != 2:
                self.add(corner_where, f"expected [lat, lon], got {_kind(corner)}",
                         _value_line(raw, index))
                return None
            lat = self.coordinate(corner, 0, corner_where, 90, "latitude")
            lon = self.coordinate(corner, 1, corner_where, 180, "longitude")
            if lat is None or lon is None:
                return None
            corners.append((lat, lon))
        return tuple(corners)

    def follow_ups(self, block: Mapping[str, Any], where: str) -> tuple[Question, ...]:
        location = _join(where, "follow_up")
        raw = self.sequence(block["follow_up"], location, _value_line(block, "follow_up"),
                            "follow-up questions")
        questions: list[Question] = []
        seen: set[str] = set()
        for index, body in enumerate(raw or []):
            question = self.follow_up(body, _join(location, index), _value_line(raw, index),
                                      seen)
            if question is not None:
                questions.append(question)
        return tuple(questions)

    def follow_up(self, body: Any, where: str, line: int | None,
                  seen: set[str]) -> Question | None:
        ftype = body.get("type") if isinstance(body, Mapping) else None
        known = ftype in FOLLOW_UP_TYPES
        block = self.mapping(body, where, line, QUESTION_REQUIRED,
                             FOLLOW_UP_KEYS[ftype] if known else _FOLLOW_UP_ALL_KEYS)
        if block is None or any(key not in block for key in QUESTION_REQUIRED):
            return None
        if not known:
            self.add(_join(where, "type"), f"a follow-up question is one of "
                     f"{', '.join(FOLLOW_UP_TYPES)}, not '{ftype}'", _value_line(block, "type"))
        question_id = self.identifier(block, "id", where)
        if question_id in MARK_KEYS:
            self.add(_join(where, "id"), f"'{question_id}' is taken by the mark itself: use "
                     f"an id other than {', '.join(MARK_KEYS)}", _value_line(block, "id"))
            question_id = None
        elif question_id is not None and question_id in seen:
            self.add(_join(where, "id"), f"duplicate follow-up id '{question_id}'",
                     _value_line(block, "id"))
            question_id = None
        text = self.text(block, "text", where)
        help_text = self.text(block, "help", where) if "help" in block else None
        options: tuple[Option, ...] = ()
        if ftype in ("single_choice", "multiple_choice"):
            if "options" in block:
                options = tuple(self.options(block, where,
                                             1 if ftype == "multiple_choice" else 2))
            else:
                self.add(where, f"a {ftype} question needs 'options'",
                         getattr(block, "line", line))
        max_selections = self.max_selections(block, where, ftype, len(options))
        max_length = self.max_length(block, where) if "max_length" in block else None
        if question_id is None or not known:
            return None
        seen.add(question_id)
        return Question(id=question_id, type=ftype, text=text or {}, help=help_text,
                        options=options, max_selections=max_selections,
                        max_length=max_length)

    def question_mapping(
        self, body: Mapping[str, Any], where: str, line: int | None, qtype: str,
        optional: tuple[str, ...],
    ) -> Mapping[str, Any] | None:
        """Like :meth:`mapping`, but a key that belongs to another type gets a clearer message."""
        misplaced = [k for k in body if k in ALL_QUESTION_KEYS and k not in optional
                     and k not in QUESTION_REQUIRED]
        for key in misplaced:
            self.add(where, f"'{key}' is not used by {qtype} questions", _key_line(body, key))
        allowed = QUESTION_REQUIRED + optional + tuple(misplaced)
        return self.mapping(body, where, line, QUESTION_REQUIRED,
                            tuple(k for k in allowed if k not in QUESTION_REQUIRED))

    def role(self, block: Mapping[str, Any], where: str) -> str | None:
        value = block["role"]
        line = _value_line(block, "role")
        if value not in ROLES:
            self.add(_join(where, "role"),
                     f"unknown role '{value}' (use one of {', '.join(ROLES)})", line)
            return None
        if value in self.roles:
            self.add(_join(where, "role"),
                     f"role '{value}' is already used at {self.roles[value]}", line)
            return None
        self.roles[value] = where
        return value

    def scale_reference(self, block: Mapping[str, Any], where: str) -> Scale | None:
        scale_id = self.string(block, "scale", where)
        if scale_id is None:
            return None
        if scale_id not in self.scale_ids:
            self.add(_join(where, "scale"), f"unknown scale '{scale_id}'",
                     _value_line(block, "scale"))
        return self.scales.get(scale_id)

    def max_selections(
        self, block: Mapping[str, Any], where: str, qtype: Any, option_count: int
    ) -> int | None:
        if "max_selections" not in block:
            if qtype == "pick_top":
                self.add(where, "a pick_top question needs 'max_selections'",
                         getattr(block, "line", None))
            return None
        value = self.integer(block, "max_selections", where)
        line = _value_line(block, "max_selections")
        if value is None:
            return None
        if value < 1:
            self.add(_join(where, "max_selections"), "max_selections must be at least 1", line)
        elif option_count and value > option_count:
            self.add(_join(where, "max_selections"),
                     f"max_selections ({value}) is more than the number of options "
                     f"({option_count})", line)
        return value

    def show_if(self, block: Mapping[str, Any], where: str) -> Condition | None:
        where = _join(where, "show_if")
        line = _value_line(block, "show_if")
        body = self.mapping(block["show_if"], where, line, ("question",), CONDITION_KEYS[1:])
        if body is None:
            return None
        tests = [k for k in CONDITION_KEYS[1:] if k in body]
        if len(tests) != 1:
            self.add(where, "needs exactly one of 'equals', 'in' or 'answered'",
                     getattr(body, "line", line))
        question = self.string(body, "question", where) if "question" in body else None
        equals = self.code(body, "equals", where) if "equals" in body else None
        in_: tuple[str, ...] | None = None
        if "in" in body:
            raw = self.sequence(body["in"], _join(where, "in"), _value_line(body, "in"), "codes")
            if raw is not None:
                codes = [self.code(raw, i, _join(where, "in")) for i in range(len(raw))]
                in_ = tuple(c for c in codes if c is not None)
        answered = self.boolean(body, "answered", where) if "answered" in body else None
        self.conditions.append(
            _PendingCondition(
                position=self.position,
                location=where,
                line=_value_line(body, "question"),
                question=question,
                equals=equals,
                in_=in_,
                in_line=_value_line(body, "equals" if "equals" in body else "in"),
            )
        )
        return Condition(question=question or "", equals=equals, in_=in_, answered=answered)

    def register_fields(
        self,
        question_id: str,
        qtype: str,
        options: tuple[Option, ...],
        scale: Scale | None,
        items: tuple[Item, ...],
    ) -> None:
        position = self.position
        self.position += 1
        if qtype == "likert_matrix":
            codes = scale.options if scale is not None else ()
            self.fields[question_id] = _FieldInfo(position, qtype, None, is_matrix_id=True)
            for item in items:
                self.fields[f"{question_id}.{item.code}"] = _FieldInfo(
                    position, qtype, tuple(o.code for o in codes)
                )
        elif qtype in ("free_text", "number", "date", "place"):
            self.fields[question_id] = _FieldInfo(position, qtype, None)
        else:
            self.fields[question_id] = _FieldInfo(position, qtype, tuple(o.code for o in options))

    def resolve_conditions(self) -> None:
        for cond in self.conditions:
            if cond.question is None:
                continue
            where = _join(cond.location, "question")
            info = self.fields.get(cond.question)
            if info is None:
                self.add(where, f"show_if refers to '{cond.question}', which is not a question "
                         "of this survey", cond.line)
                continue
            if info.position >= cond.position:
                self.add(where, f"show_if refers to '{cond.question}', which does not come "
                         "earlier; a condition can only depend on an earlier question", cond.line)
                continue
            if info.is_matrix_id:
                self.add(where, f"'{cond.question}' is a matrix: name one of its items, "
                         f"like '{cond.question}.<item>'", cond.line)
                continue
            wanted = ([cond.equals] if cond.equals is not None else []) + list(cond.in_ or ())
            if wanted and info.codes is None:
                self.add(cond.location, f"'{cond.question}' is a {info.question_type} question: "
                         "only 'answered' can be tested", cond.in_line)
                continue
            for code in wanted:
                if info.codes is not None and code not in info.codes:
                    self.add(cond.location, f"'{code}' is not a code of '{cond.question}'",
                             cond.in_line)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_iso_date(value: str) -> dt.date | None:
    """``"2024-01-31"`` -> that date; anything else (other formats, 2024-02-30) -> ``None``."""
    if not _ISO_DATE.match(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def build_survey(data: Any, source: str = "<string>") -> Survey:
    """Validate parsed definition data and build the :class:`Survey`.

    Raises :class:`DefinitionError` listing every problem found.
    """
    builder = _Builder()
    survey = builder.survey(data)
    if builder.problems or survey is None:
        raise DefinitionError(builder.problems, source)
    return survey
