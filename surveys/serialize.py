"""Survey <-> plain data (the YAML shape), YAML text, and a fingerprint of the content."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import yaml

from surveys.definition import Condition, Indicator, Option, Question, Scale, Survey
from surveys.numbers import plain_number
from surveys.validation import build_survey


def _option_to_dict(option: Option) -> dict[str, Any]:
    data: dict[str, Any] = {"code": option.code, "label": dict(option.label)}
    if option.score is not None:
        data["score"] = plain_number(option.score)
    if option.dont_know:
        data["dont_know"] = True
    return data


def _scale_to_dict(scale: Scale) -> dict[str, Any]:
    data: dict[str, Any] = {"options": [_option_to_dict(o) for o in scale.options]}
    if scale.positive:
        data["positive"] = list(scale.positive)
    return data


def _condition_to_dict(condition: Condition) -> dict[str, Any]:
    data: dict[str, Any] = {"question": condition.question}
    if condition.equals is not None:
        data["equals"] = condition.equals
    if condition.in_ is not None:
        data["in"] = list(condition.in_)
    if condition.answered is not None:
        data["answered"] = condition.answered
    return data


def _question_to_dict(question: Question) -> dict[str, Any]:
    data: dict[str, Any] = {"id": question.id, "type": question.type, "text": dict(question.text)}
    if question.help is not None:
        data["help"] = dict(question.help)
    if question.required:
        data["required"] = True
    if question.role is not None:
        data["role"] = question.role
    if question.scale is not None:
        data["scale"] = question.scale.id
    elif question.options:
        data["options"] = [_option_to_dict(o) for o in question.options]
    if question.items:
        data["items"] = [{"code": i.code, "label": dict(i.label)} for i in question.items]
    if question.max_selections is not None:
        data["max_selections"] = question.max_selections
    if question.max_length is not None:
        data["max_length"] = question.max_length
    if question.type == "number":
        if question.min_value is not None:
            data["min"] = plain_number(question.min_value)
        if question.max_value is not None:
            data["max"] = plain_number(question.max_value)
        if not question.integer:
            data["integer"] = False
    if question.type == "date":
        if question.min_date is not None:
            data["min"] = question.min_date
        if question.max_date is not None:
            data["max"] = question.max_date
    if question.type == "place":
        data["max_marks"] = question.max_marks
        data["places"] = [{"code": p.code, "label": dict(p.label), "lat": p.lat, "lon": p.lon}
                          for p in question.places]
        if question.areas:
            data["areas"] = [{"code": a.code, "label": dict(a.label),
                              "outline": [list(corner) for corner in a.outline]}
                             for a in question.areas]
        if question.follow_up:
            data["follow_up"] = [_question_to_dict(f) for f in question.follow_up]
    if question.show_if is not None:
        data["show_if"] = _condition_to_dict(question.show_if)
    return data


def _collect_scales(survey: Survey) -> dict[str, Scale]:
    """The survey's scales plus any a question carries without it being listed (importers)."""
    scales = dict(survey.scales)
    for question in survey.questions():
        scale = question.scale
        if scale is None:
            continue
        known = scales.setdefault(scale.id, scale)
        if known != scale:
            raise ValueError(f"two different scales share the id '{scale.id}'")
    return scales


def survey_to_dict(survey: Survey) -> dict[str, Any]:
    """The survey as JSON-serialisable data in the same shape as the YAML definition."""
    data: dict[str, Any] = {
        "slug": survey.slug,
        "title": dict(survey.title),
        "languages": list(survey.languages),
        "default_language": survey.default_language,
    }
    if survey.template is not None:
        data["template"] = survey.template
    if survey.review:
        data["review"] = dict(survey.review)
    if survey.review_notes:
        data["review_notes"] = dict(survey.review_notes)
    data["intro"] = {key: dict(text) for key, text in survey.intro.items()}
    if survey.thanks is not None:
        data["thanks"] = dict(survey.thanks)
    scales = _collect_scales(survey)
    if scales:
        data["scales"] = {sid: _scale_to_dict(scale) for sid, scale in scales.items()}
    data["pages"] = []
    for page in survey.pages:
        page_data: dict[str, Any] = {"id": page.id, "title": dict(page.title)}
        if page.intro is not None:
            page_data["intro"] = dict(page.intro)
        page_data["questions"] = [_question_to_dict(q) for q in page.questions]
        data["pages"].append(page_data)
    if survey.indicators:
        data["indicators"] = [_indicator_to_dict(i) for i in survey.indicators]
    return data


def _indicator_to_dict(indicator: Indicator) -> dict[str, Any]:
    data: dict[str, Any] = {"id": indicator.id, "question": indicator.question,
                            "counts": list(indicator.counts)}
    if indicator.excludes:
        data["excludes"] = list(indicator.excludes)
    data["label"] = dict(indicator.label)
    return data


def survey_from_dict(data: Any, source: str = "<dict>") -> Survey:
    """Build a survey from :func:`survey_to_dict`-shaped data, validating it like the loader.

    Raises :class:`~surveys.validation.DefinitionError` (without line numbers).
    """
    return build_survey(data, source)


# libyaml's emitter writes the same YAML about ten times faster: the staff upload shows an
# imported survey as YAML, and LimeSurvey's large sample took 0.35 s in the Python emitter.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_definition(survey: Survey) -> str:
    """The survey as YAML definition text that :func:`~surveys.loader.parse_definition` reads back
    to an equal survey."""
    return yaml.dump(
        survey_to_dict(survey), Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=100
    )


def definition_fingerprint(survey: Survey) -> str:
    """sha256 (hex) of the canonical JSON form: equal content gives an equal fingerprint."""
    canonical = json.dumps(
        survey_to_dict(survey), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
