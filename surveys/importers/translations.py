"""Texts a source file leaves untranslated: filled from another language, and reported."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from surveys.definition import INTRO_FIELDS, Item, Option, Page, Question, Scale, Survey, Text
from surveys.importers.result import Unsupported


class _Filler:
    def __init__(self, languages: tuple[str, ...]) -> None:
        self.languages = languages
        self.missing: Counter[str] = Counter()
        self.scales: dict[int, Scale] = {}  # by id(): scales hold dicts, so no hash

    def text(self, text: Text) -> Text:
        source = next((text[lang] for lang in self.languages if text.get(lang)), None)
        if source is None:
            return text
        for lang in self.languages:
            if not text.get(lang):
                self.missing[lang] += 1
        return {lang: text.get(lang) or source for lang in self.languages}

    def maybe(self, text: Text | None) -> Text | None:
        return None if text is None else self.text(text)

    def option(self, option: Option) -> Option:
        return replace(option, label=self.text(option.label))

    def scale(self, scale: Scale) -> Scale:
        # A shared scale is filled (and counted) once, however many questions use it.
        if id(scale) not in self.scales:
            self.scales[id(scale)] = replace(scale,
                                             options=tuple(self.option(o) for o in scale.options))
        return self.scales[id(scale)]

    def question(self, q: Question) -> Question:
        return replace(q, text=self.text(q.text), help=self.maybe(q.help),
                       options=tuple(self.option(o) for o in q.options),
                       scale=self.scale(q.scale) if q.scale else None,
                       items=tuple(Item(i.code, self.text(i.label)) for i in q.items))

    def page(self, page: Page) -> Page:
        return replace(page, title=self.text(page.title), intro=self.maybe(page.intro),
                       questions=tuple(self.question(q) for q in page.questions))


def fill_missing_translations(survey: Survey, location: str
                              ) -> tuple[Survey, list[Unsupported]]:
    """Every text in every survey language, so the definition validates.

    A missing translation gets the text of the first language that has one; the language is
    marked ``machine`` in ``review`` so it stays flagged until someone has checked it.
    """
    filler = _Filler(survey.languages)
    filled = replace(
        survey,
        title=filler.text(survey.title),
        intro={name: filler.text(text) for name, text in survey.intro.items()},
        thanks=filler.maybe(survey.thanks),
        pages=tuple(filler.page(p) for p in survey.pages),
        scales={key: filler.scale(scale) for key, scale in survey.scales.items()},
    )
    if not filler.missing:
        return survey, []
    review = dict(survey.review)
    notes = []
    for lang in survey.languages:
        if count := filler.missing[lang]:
            review[lang] = "machine"
            notes.append(Unsupported(location, f"{count} texts without a '{lang}' translation",
                                     "filled with the text of another language and marked "
                                     "for review"))
    return replace(filled, review=review), notes


def missing_intro(survey: Survey, location: str) -> list[Unsupported]:
    """Our first page must say who is responsible, why, how long etc.; sources rarely do."""
    missing = [name for name in INTRO_FIELDS if name not in survey.intro]
    if not missing:
        return []
    return [Unsupported(location, f"intro texts {', '.join(missing)}",
                        "the source has no such texts; staff must write them (or take them "
                        "from a template) before the survey can be saved")]
