"""Check one submitted page of answers against the definition.

The web layer passes the form as ``{field name: [submitted strings]}`` and turns each
:class:`FieldError` code into a translated message; nothing here is human text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from surveys.definition import MARK_KEYS, TODAY, Answers, Question, Survey
from surveys.logic import is_visible, prune_hidden
from surveys.numbers import plain_number

ERROR_CODES: tuple[str, ...] = (
    "required",
    "invalid_choice",
    "too_many",
    "too_long",
    "not_a_number",
    "not_an_integer",
    "out_of_range",
    "not_a_date",
    "date_out_of_range",
    "not_on_map",
    "place_missing",
)
# A street or landmark is a few words; the limit keeps one mark from carrying a letter.
PLACE_TEXT_MAX_LENGTH = 200
# Marks are rounded to about a metre; finer digits say nothing more about a place.
COORDINATE_DECIMALS = 5
# How far beyond the named places and outlines a point may lie, in degrees: about 10 km.
MAP_MARGIN_LAT = 0.1
MAP_MARGIN_LON = 0.2

_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
# What a date field sends (2024-03-14), and what a person types where a browser shows a plain
# text box: day first, as written in Sweden and the residents' countries (14.3.2024, 14/3/2024).
_ISO_DATE = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$")
_DAY_FIRST = re.compile(r"^(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4})$")


@dataclass(frozen=True)
class FieldError:
    """Why a field was rejected: ``code`` is one of :data:`ERROR_CODES`; ``params`` fill the
    message (``max``, ``length``, ``min``, ``value``)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PageResult:
    """The valid answers of the page's visible fields, and an error per rejected field."""

    answers: Answers
    errors: dict[str, FieldError]

    @property
    def ok(self) -> bool:
        return not self.errors


def _submitted(form: Mapping[str, Sequence[str] | str], name: str) -> list[str]:
    raw = form.get(name, ())
    values = [raw] if isinstance(raw, str) else list(raw)
    # Browsers send textarea line breaks as CRLF but count them as one character for
    # maxlength; normalising keeps our length check in line with what the resident saw.
    cleaned = (str(v).replace("\r\n", "\n").strip() for v in values)
    return [v for v in cleaned if v]


def _single(values: list[str]) -> tuple[str | None, FieldError | None]:
    if len(values) > 1:
        return None, FieldError("too_many", {"max": 1})
    return (values[0] if values else None), None


def _parse_number(question: Question, text: str) -> tuple[int | float | None, FieldError | None]:
    if not _NUMBER.match(text):
        return None, FieldError("not_a_number", {"value": text})
    value = float(text.replace(",", "."))
    if question.integer:
        if not value.is_integer():
            return None, FieldError("not_an_integer", {"value": text})
        number: int | float = int(value)
    else:
        number = value
    too_low = question.min_value is not None and number < question.min_value
    too_high = question.max_value is not None and number > question.max_value
    if too_low or too_high:
        # Only the bounds that exist: a message template can then pick "at least"/"at most".
        bounds = {"min": plain_number(question.min_value), "max": plain_number(question.max_value)}
        return None, FieldError("out_of_range", {k: v for k, v in bounds.items() if v is not None})
    return number, None


def date_bound(value: str | None, today: dt.date | None = None) -> dt.date | None:
    """A date question's ``min_date``/``max_date`` as a date; ``today`` is the answering day."""
    if value is None:
        return None
    return (today or dt.date.today()) if value == TODAY else dt.date.fromisoformat(value)


def _parse_date(question: Question, text: str, today: dt.date
                ) -> tuple[str | None, FieldError | None]:
    match = _ISO_DATE.match(text) or _DAY_FIRST.match(text)
    try:
        day = dt.date(int(match["y"]), int(match["m"]), int(match["d"])) if match else None
    except ValueError:
        day = None
    if day is None:
        return None, FieldError("not_a_date", {"value": text})
    low, high = date_bound(question.min_date, today), date_bound(question.max_date, today)
    if (low is not None and day < low) or (high is not None and day > high):
        # ISO dates: the web layer writes them in the resident's language.
        bounds = {"min": low, "max": high}
        return None, FieldError("date_out_of_range",
                                {k: v.isoformat() for k, v in bounds.items() if v is not None})
    return day.isoformat(), None


def _check_choices(question: Question, values: list[str]) -> tuple[list[str], FieldError | None]:
    codes = [o.code for o in question.options]
    for value in values:
        if value not in codes:
            return [], FieldError("invalid_choice", {"value": value})
    chosen = [code for code in codes if code in values]
    if question.max_selections is not None and len(chosen) > question.max_selections:
        return [], FieldError("too_many", {"max": question.max_selections})
    return chosen, None


def map_bounds(question: Question) -> tuple[float, float, float, float]:
    """``(south, west, north, east)`` of a place question's map: its named places and
    outlines with a margin. A point outside is not a place in this survey's area."""
    points = [(p.lat, p.lon) for p in question.places]
    points += [corner for area in question.areas for corner in area.outline]
    lats, lons = [lat for lat, _ in points], [lon for _, lon in points]
    return (max(min(lats) - MAP_MARGIN_LAT, -90.0), max(min(lons) - MAP_MARGIN_LON, -180.0),
            min(max(lats) + MAP_MARGIN_LAT, 90.0), min(max(lons) + MAP_MARGIN_LON, 180.0))


def _point(question: Question, lat_text: str | None, lon_text: str | None
           ) -> tuple[tuple[float, float] | None, FieldError | None]:
    if lat_text is None and lon_text is None:
        return None, None
    try:
        lat, lon = float(lat_text or ""), float(lon_text or "")
    except ValueError:
        return None, FieldError("not_on_map")
    south, west, north, east = map_bounds(question)
    # NaN fails both comparisons, so it is refused too.
    if not (south <= lat <= north and west <= lon <= east):
        return None, FieldError("not_on_map")
    return (round(lat, COORDINATE_DECIMALS), round(lon, COORDINATE_DECIMALS)), None


def _validate_mark(question: Question, form: Mapping[str, Sequence[str] | str], prefix: str
                   ) -> tuple[dict | None, dict[str, FieldError]]:
    """One mark of a place question: ``None`` when the resident left it empty."""
    errors: dict[str, FieldError] = {}
    single = {key: _single(_submitted(form, f"{prefix}.{key}")) for key in MARK_KEYS}
    for key, (_value, error) in single.items():
        if error is not None:
            errors[f"{prefix}.{key}"] = error
    place, text = single["place"][0], single["text"][0]
    if place is not None and place not in {p.code for p in question.places}:
        errors[f"{prefix}.place"] = FieldError("invalid_choice", {"value": place})
    if text is not None and len(text) > PLACE_TEXT_MAX_LENGTH:
        errors[f"{prefix}.text"] = FieldError(
            "too_long", {"max": PLACE_TEXT_MAX_LENGTH, "length": len(text)})
    point, error = _point(question, single["lat"][0], single["lon"][0])
    if error is not None:
        errors[f"{prefix}.place"] = error
    follow_answers: dict = {}
    for follow_up in question.follow_up:
        name = f"{prefix}.{follow_up.id}"
        answer, follow_errors = _validate_question(follow_up, {follow_up.id: form.get(name, ())})
        follow_answers.update(answer)
        if follow_errors:
            errors[name] = next(iter(follow_errors.values()))
    if errors:
        return None, errors
    if place is None and text is None and point is None:
        if follow_answers:
            return None, {f"{prefix}.place": FieldError("place_missing")}
        return None, {}
    lat, lon = point if point is not None else (None, None)
    return {"place": place, "lat": lat, "lon": lon, "text": text, **follow_answers}, {}


def _validate_place(question: Question, form: Mapping[str, Sequence[str] | str]
                    ) -> tuple[Answers, dict[str, FieldError]]:
    marks: list[dict] = []
    errors: dict[str, FieldError] = {}
    for prefix in question.mark_prefixes():
        mark, mark_errors = _validate_mark(question, form, prefix)
        errors.update(mark_errors)
        if mark is not None:
            marks.append(mark)
    if errors:
        return {}, errors
    if not marks:
        return {}, ({f"{question.id}.1.place": FieldError("required")}
                    if question.required else {})
    return {question.id: marks}, {}


def mark_inputs(question: Question, marks: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Stored marks as the form's ``<question>.<n>.<key>`` values, to show them again."""
    values: dict[str, Any] = {}
    for prefix, mark in zip(question.mark_prefixes(), marks, strict=False):
        for key, value in mark.items():
            if value is not None:
                values[f"{prefix}.{key}"] = value if isinstance(value, list) else str(value)
    return values


def _validate_question(
    question: Question, form: Mapping[str, Sequence[str] | str]
) -> tuple[Answers, dict[str, FieldError]]:
    answers: Answers = {}
    errors: dict[str, FieldError] = {}
    name = question.id
    if question.type == "place":
        return _validate_place(question, form)

    if question.type == "likert_matrix":
        codes = [o.code for o in question.scale.options] if question.scale else []
        for field_name in question.field_names():
            value, error = _single(_submitted(form, field_name))
            if error is None and value is not None and value not in codes:
                error = FieldError("invalid_choice", {"value": value})
            if error is not None:
                errors[field_name] = error
            elif value is None:
                if question.required:
                    errors[field_name] = FieldError("required")
            else:
                answers[field_name] = value
        return answers, errors

    values = _submitted(form, name)
    if not values:
        if question.required:
            errors[name] = FieldError("required")
        return answers, errors

    if question.type in ("multiple_choice", "pick_top"):
        chosen, error = _check_choices(question, values)
        if error is not None:
            errors[name] = error
        else:
            answers[name] = chosen
        return answers, errors

    value, error = _single(values)
    if error is None and value is not None:
        if question.type == "single_choice":
            if value in (o.code for o in question.options):
                answers[name] = value
            else:
                error = FieldError("invalid_choice", {"value": value})
        elif question.type == "free_text":
            if question.max_length is not None and len(value) > question.max_length:
                error = FieldError("too_long", {"max": question.max_length, "length": len(value)})
            else:
                answers[name] = value
        elif question.type == "date":
            day, error = _parse_date(question, value, dt.date.today())
            if day is not None:
                answers[name] = day
        else:
            number, error = _parse_number(question, value)
            if number is not None:
                answers[name] = number
    if error is not None:
        errors[name] = error
    return answers, errors


def validate_page(
    survey: Survey,
    page_index: int,
    form: Mapping[str, Sequence[str]],
    previous: Answers,
) -> PageResult:
    """Validate the submitted fields of page ``page_index``.

    Only questions visible given ``previous`` (answers from other pages) plus this page's own
    answers are checked; earlier answers to this page are replaced, not merged. Unanswered
    optional fields are absent from the result.
    """
    page = survey.pages[page_index]
    page_fields = {name for q in page.questions for name in q.field_names()}
    context = prune_hidden(survey, {k: v for k, v in previous.items() if k not in page_fields})
    answers: Answers = {}
    errors: dict[str, FieldError] = {}
    for question in page.questions:
        if not is_visible(question, {**context, **answers}):
            continue
        question_answers, question_errors = _validate_question(question, form)
        answers.update(question_answers)
        errors.update(question_errors)
    return PageResult(answers=answers, errors=errors)


def unexpected_fields(survey: Survey, page_index: int, form_keys: Iterable[str]) -> list[str]:
    """Submitted keys that are not field names of the page (hidden questions included)."""
    page = survey.pages[page_index]
    allowed = {name for q in page.questions for name in q.input_names()}
    return [key for key in form_keys if key not in allowed]
