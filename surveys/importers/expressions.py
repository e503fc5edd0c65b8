"""Simple skip-logic expressions from LimeSurvey and XLSForm, and their mapping onto ``show_if``.

Only what a ``Condition`` can express is recognised: one earlier question compared with one
value, several values joined by ``or`` on the same question, or "answered" / "not answered".
Everything else is reported by the importers, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from surveys.definition import Condition

_CURLY = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"'})


@dataclass(frozen=True)
class ParsedCondition:
    """A recognised condition whose question is still named as in the source file."""

    source_name: str
    equals: str | None = None
    in_: tuple[str, ...] | None = None
    answered: bool | None = None

    def resolve(self, field_name: str, codes: dict[str, str] | None) -> Condition | None:
        """The condition on our field, with source answer codes mapped to ours.

        ``codes`` is ``None`` for questions without codes (values stay as written); the result
        is ``None`` if a compared value is not one of the question's codes.
        """
        if codes is None:
            return Condition(field_name, equals=self.equals, in_=self.in_,
                             answered=self.answered)
        if self.equals is not None:
            if self.equals not in codes:
                return None
            return Condition(field_name, equals=codes[self.equals])
        if self.in_ is not None:
            if any(v not in codes for v in self.in_):
                return None
            return Condition(field_name, in_=tuple(codes[v] for v in self.in_))
        return Condition(field_name, answered=self.answered)


def _strip_parens(expr: str) -> str:
    expr = expr.strip()
    while expr.startswith("(") and expr.endswith(")"):
        depth = 0
        for i, ch in enumerate(expr):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(expr) - 1:
                return expr
        expr = expr[1:-1].strip()
    return expr


def _split_or(expr: str, separators: re.Pattern[str]) -> list[str]:
    """Split at top-level ``or`` outside quotes and parentheses."""
    parts: list[str] = []
    depth, quote, start, i = 0, "", 0, 0
    while i < len(expr):
        ch = expr[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            match = separators.match(expr, i)
            if match:
                parts.append(expr[start:i])
                start = i = match.end()
                continue
        i += 1
    parts.append(expr[start:])
    return [_strip_parens(p) for p in parts]


def _combine(parts: list[tuple[str, str | None, bool | None]]) -> ParsedCondition | None:
    names = {name for name, _, _ in parts}
    if len(names) != 1:
        return None
    name = names.pop()
    if len(parts) == 1:
        _, value, answered = parts[0]
        if answered is not None:
            return ParsedCondition(name, answered=answered)
        return ParsedCondition(name, equals=value)
    if any(answered is not None for _, _, answered in parts):
        return None
    values = tuple(value for _, value, _ in parts if value is not None)
    return ParsedCondition(name, in_=values)


_VALUE = r"""(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<num>-?\d+(?:\.\d+)?))"""
_LS_NAME = r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\.(?:NAOK|code|value|shown))?"
_LS_EQ = re.compile(rf"^{_LS_NAME}\s*(?:==|eq)\s*{_VALUE}$")
_LS_EMPTY = re.compile(rf"^(?P<neg>!\s*)?is_empty\(\s*{_LS_NAME}\s*\)$")
_LS_OR = re.compile(r"\s*(?:\|\||\bor\b)\s*", re.IGNORECASE)


def _value(match: re.Match[str]) -> str:
    for group in ("dq", "sq", "num"):
        if match.group(group) is not None:
            return match.group(group)
    raise AssertionError("value pattern without a value")


def parse_limesurvey(expr: str) -> ParsedCondition | None:
    """``Q1 == "A2"``, ``Q1.NAOK == "A2" or Q1.NAOK == "A3"``, ``!is_empty(Q1)``; else ``None``."""
    parts: list[tuple[str, str | None, bool | None]] = []
    for part in _split_or(_strip_parens(expr), _LS_OR):
        if m := _LS_EQ.match(part):
            parts.append((m.group("name"), _value(m), None))
        elif m := _LS_EMPTY.match(part):
            parts.append((m.group("name"), None, bool(m.group("neg"))))
        else:
            return None
    return _combine(parts)


_X_REF = r"\$\{\s*(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)\s*\}"
_X_EQ = re.compile(rf"^{_X_REF}\s*=\s*{_VALUE}$")
_X_SELECTED = re.compile(rf"^selected\s*\(\s*{_X_REF}\s*,\s*{_VALUE}\s*\)$")
_X_ANSWERED = re.compile(rf"^{_X_REF}\s*(?P<op>!=|=)\s*(?:''|\"\")$")
_X_OR = re.compile(r"\s+or\s+")


def parse_xlsform(expr: str) -> ParsedCondition | None:
    """``${q} = 'a'``, ``selected(${q}, 'a') or ...``, ``${q} != ''``; curly quotes allowed."""
    parts: list[tuple[str, str | None, bool | None]] = []
    for part in _split_or(_strip_parens(expr.translate(_CURLY)), _X_OR):
        if m := _X_ANSWERED.match(part):
            parts.append((m.group("name"), None, m.group("op") == "!="))
        elif m := (_X_EQ.match(part) or _X_SELECTED.match(part)):
            parts.append((m.group("name"), _value(m), None))
        else:
            return None
    return _combine(parts)


def map_condition(parsed: ParsedCondition | None, field_names: dict[str, str],
                  code_maps: dict[str, dict[str, str]], value_word: str
                  ) -> tuple[Condition | None, str]:
    """Turn a parsed relevance expression into ``show_if``, or say why it cannot be.

    ``field_names`` maps source names to our field names, ``code_maps`` their answer codes;
    ``value_word`` names a source's answer values in the reason ("an answer code").
    """
    if parsed is None:
        return None, "only a comparison with one earlier question maps onto show_if"
    field_name = field_names.get(parsed.source_name)
    if field_name is None:
        return None, f"'{parsed.source_name}' is not an earlier imported question"
    codes = code_maps.get(field_name)
    if codes is None and parsed.answered is None:
        return None, (f"'{parsed.source_name}' has no answer codes (free text, number or date): "
                      "only whether it is answered can be tested")
    condition = parsed.resolve(field_name, codes)
    if condition is None:
        return None, f"a compared value is not {value_word} of '{parsed.source_name}'"
    return condition, ""


def _quote(value: str) -> str:
    return f'"{value}"' if "'" in value else f"'{value}'"


def condition_to_xlsform(condition: Condition, multiple: Callable[[str], bool]) -> str:
    """The XLSForm ``relevant`` for a condition; ``multiple(field)`` says if it holds a list."""
    ref = f"${{{condition.question}}}"
    if condition.answered is not None:
        return f"{ref} != ''" if condition.answered else f"{ref} = ''"
    values = (condition.equals,) if condition.equals is not None else condition.in_ or ()
    if multiple(condition.question):
        return " or ".join(f"selected({ref}, {_quote(v)})" for v in values)
    return " or ".join(f"{ref} = {_quote(v)}" for v in values)
