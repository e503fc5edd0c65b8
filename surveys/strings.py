"""The translatable strings of a survey, one per key, for people who check translations.

A key names a text by the ids and codes around it, not by position, so it stays the same from
one version to the next when questions move: ``pages.trygghet.questions.ut_sent.text``,
``scales.problem.options.1.label``, ``intro.anonymity``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from surveys.definition import Survey, Text
from surveys.serialize import survey_from_dict, survey_to_dict

# Per-language metadata, not wording: never offered for translation.
_NOT_WORDING = frozenset({"review", "review_notes"})


@dataclass(frozen=True)
class SurveyString:
    key: str
    text: Text  # language code -> text


def text_digest(text: str) -> str:
    """sha256 (hex) of one text: a review is tied to the exact source and translation."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _is_text(node: dict, languages: frozenset[str]) -> bool:
    return bool(node) and all(k in languages and isinstance(v, str) for k, v in node.items())


def _walk(node: Any, path: tuple[str, ...], languages: frozenset[str]
          ) -> Iterator[tuple[tuple[str, ...], dict]]:
    if isinstance(node, dict):
        if _is_text(node, languages):
            yield path, node
            return
        for name, child in node.items():
            if not path and name in _NOT_WORDING:
                continue
            yield from _walk(child, (*path, str(name)), languages)
    elif isinstance(node, list):
        for index, child in enumerate(node):
            name = child.get("id", child.get("code", index)) if isinstance(child, dict) else index
            yield from _walk(child, (*path, str(name)), languages)


def survey_strings(survey: Survey) -> list[SurveyString]:
    """Every text of the survey in definition order, with its key."""
    data = survey_to_dict(survey)
    return [SurveyString(".".join(path), dict(text))
            for path, text in _walk(data, (), frozenset(survey.languages))]


def with_translation(survey: Survey, key: str, lang: str, text: str) -> Survey:
    """The survey with one text replaced in one language; everything else is kept.

    Raises ``KeyError`` for a key the survey does not have, ``ValueError`` for the survey's
    own language (the source is changed by a new definition, not by a translator) or a
    language the survey does not offer.
    """
    if lang not in survey.languages:
        raise ValueError(f"'{lang}' is not one of the survey languages")
    if lang == survey.default_language:
        raise ValueError("the source language is not translated")
    data = survey_to_dict(survey)
    for path, node in _walk(data, (), frozenset(survey.languages)):
        if ".".join(path) == key:
            node[lang] = text
            return survey_from_dict(data, f"{survey.slug}:{key}")
    raise KeyError(key)
