"""Read survey definition files (YAML) into :class:`~surveys.definition.Survey`.

The YAML is read with a loader that remembers the line of every key and value, so that each
problem can be reported as ``pages[2].questions[4].scale: unknown scale 'x' (line 57)``.
Texts in the short ``{sv: ..., en: ...}`` form must be quoted when they contain a comma,
``?`` or ``: ``; block style (one language per line) needs no quotes. A minimal definition::

    slug: exempel
    title: {sv: Exempel, en: Example}
    languages: [sv, en]
    default_language: sv
    review: {en: machine}
    intro:
      responsible: {sv: ..., en: ...}
      purpose: {sv: ..., en: ...}
      anonymity: {sv: ..., en: ...}
      retention: {sv: ..., en: ...}
      voluntary: {sv: ..., en: ...}
    scales:
      problem:
        options:
          - {code: 1, label: {sv: Inget problem, en: No problem}, score: 1}
          - {code: 9, label: {sv: Vet ej, en: Don't know}, dont_know: true}
        positive: [1]
    pages:
      - id: start
        title: {sv: Om dig, en: About you}
        questions:
          - id: omrade
            type: single_choice
            role: area
            text: {sv: 'Var bor du?', en: 'Where do you live?'}
            options:
              - {code: centrum, label: {sv: Centrum, en: Town centre}}
              - {code: annat, label: {sv: Annat, en: Elsewhere}}
          - id: nar
            type: date  # an ISO date or 'today' as min/max; answers are stored as 2024-03-14
            text: {sv: 'När hände det?', en: 'When did it happen?'}
            min: 2020-01-01
            max: today
          - id: antal
            type: number  # whole numbers unless 'integer: false'
            text: {sv: Hur många gånger, en: How many times}
            min: 1
            max: 20
    indicators:  # optional key figures (nyckeltal), shown first on the dashboard
      - id: bor_i_centrum
        question: omrade
        counts: [centrum]  # share choosing one of these; ``excludes`` leaves "vet ej" out
        label: {sv: Bor i centrum, en: Lives in the town centre}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from surveys.definition import Survey
from surveys.validation import DefinitionError, Problem, build_survey


class _LineMap(dict):
    """A mapping that remembers where its keys and values were written."""

    line: int | None
    key_lines: dict[Any, int]
    value_lines: dict[Any, int]
    raw: dict[Any, str]
    duplicates: list[tuple[Any, int]]


class _LineList(list):
    """A sequence that remembers where its items were written."""

    line: int | None
    value_lines: dict[int, int]
    raw: dict[int, str]


def _plain_scalar(node: Any) -> str | None:
    if isinstance(node, ScalarNode) and node.style is None:
        return node.value
    return None


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and lists carry line numbers and the raw scalar text."""


def _construct_mapping(loader: _LineLoader, node: MappingNode) -> _LineMap:
    loader.flatten_mapping(node)
    result = _LineMap()
    result.line = node.start_mark.line + 1
    result.key_lines, result.value_lines, result.raw, result.duplicates = {}, {}, {}, []
    for key_node, value_node in node.value:
        # Keys are taken as written: a language key ``no`` must not turn into ``False``.
        if isinstance(key_node, ScalarNode):
            key: Any = key_node.value
        else:
            key = repr(loader.construct_object(key_node, deep=True))
        line = key_node.start_mark.line + 1
        if key in result:
            result.duplicates.append((key, line))
            continue
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
        result.value_lines[key] = value_node.start_mark.line + 1
        raw = _plain_scalar(value_node)
        if raw is not None:
            result.raw[key] = raw
    return result


def _construct_sequence(loader: _LineLoader, node: SequenceNode) -> _LineList:
    result = _LineList()
    result.line = node.start_mark.line + 1
    result.value_lines, result.raw = {}, {}
    for index, child in enumerate(node.value):
        result.append(loader.construct_object(child, deep=True))
        result.value_lines[index] = child.start_mark.line + 1
        raw = _plain_scalar(child)
        if raw is not None:
            result.raw[index] = raw
    return result


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
# Dates stay text as written: a date question's bound is checked (and located) by the
# validation, and an impossible date such as 2024-13-01 must not stop the YAML reader.
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_scalar)


_FLOW_HINT = (
    "; inside {...} or [...] put text that contains a comma, '?' or ': ' in quotes"
)


def _read_yaml(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = exc.problem or str(exc)
        if exc.context:
            message = f"{exc.context}, {message}"
        if "flow" in message:
            message += _FLOW_HINT
        raise DefinitionError([Problem("", f"YAML syntax error: {message}", line)],
                              source) from exc
    except yaml.YAMLError as exc:
        raise DefinitionError([Problem("", f"YAML syntax error: {exc}", None)], source) from exc


def parse_definition(text: str, source: str = "<string>") -> Survey:
    """Parse and validate a YAML survey definition.

    Raises :class:`DefinitionError` listing every problem, with YAML line numbers.
    """
    if not text.strip():
        raise DefinitionError([Problem("", "the definition is empty", None)], source)
    return build_survey(_read_yaml(text, source), source)


def load_definition(path: str | Path) -> Survey:
    """Read and validate a YAML survey definition file (UTF-8)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DefinitionError(
            [Problem("", f"the file is not UTF-8 text (byte {exc.start})", None)], str(path)
        ) from exc
    return parse_definition(text, source=str(path))


__all__ = ["DefinitionError", "Problem", "load_definition", "parse_definition"]
