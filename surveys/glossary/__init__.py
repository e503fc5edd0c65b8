"""The glossary: terms that must be rendered one way in every survey and interface text.

Plain data (``glossary.yaml`` beside this module) and one check, so that a test, the
translation review page and a notebook find the same violations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

GLOSSARY_PATH = Path(__file__).with_name("glossary.yaml")


@dataclass(frozen=True)
class Term:
    term: str
    sv: str  # a regular expression, or the whole Swedish text when exact
    use: dict[str, str]  # language -> regular expression (or the whole text when exact)
    avoid: dict[str, str]
    exact: bool = False

    def applies_to(self, source: str) -> bool:
        if self.exact:
            return source.strip() == self.sv
        return bool(re.search(self.sv, source, re.IGNORECASE))

    def problem(self, lang: str, target: str) -> str | None:
        """Why ``target`` breaks this term in ``lang``, or None when it keeps it."""
        wanted = self.use.get(lang)
        if wanted is not None:
            kept = (target.strip() == wanted if self.exact
                    else re.search(wanted, target, re.IGNORECASE))
            if not kept:
                return f"'{self.term}' must be rendered '{wanted}'"
        unwanted = self.avoid.get(lang)
        if unwanted is not None and re.search(unwanted, target, re.IGNORECASE):
            return f"'{self.term}' must not be rendered '{unwanted}'"
        return None


@dataclass(frozen=True)
class Violation:
    where: str
    lang: str
    source: str
    target: str
    problem: str


@cache
def load_glossary(path: Path = GLOSSARY_PATH) -> tuple[Term, ...]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(
        Term(term=e["term"], sv=e["sv"], use=dict(e.get("use", {})),
             avoid=dict(e.get("avoid", {})), exact=bool(e.get("exact")))
        for e in entries
    )


def glossary_problems(source: str, lang: str, target: str,
                      terms: Iterable[Term] | None = None) -> list[str]:
    """Every way one translation of one Swedish text breaks the glossary."""
    if not target:
        return []
    return [problem for term in (load_glossary() if terms is None else terms)
            if term.applies_to(source) and (problem := term.problem(lang, target))]


def glossary_violations(texts: Iterable[tuple[str, str, str, str]],
                        terms: Iterable[Term] | None = None) -> list[Violation]:
    """Check ``(where, Swedish source, language, translation)`` tuples against the glossary."""
    chosen = tuple(load_glossary() if terms is None else terms)
    return [Violation(where, lang, source, target, problem)
            for where, source, lang, target in texts
            for problem in glossary_problems(source, lang, target, chosen)]
