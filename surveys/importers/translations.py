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


class _Renamer(_Filler):
    """Walks the same texts as the filler, renaming (or dropping) their language keys."""

    def __init__(self, mapping: dict[str, str | None]) -> None:
        super().__init__(())
        self.mapping = mapping

    def text(self, text: Text) -> Text:
        renamed: Text = {}
        for lang, value in text.items():
            target = self.mapping.get(lang, lang)
            if target is not None:
                renamed.setdefault(target, value)
        return renamed


def language_variants(codes: tuple[str, ...], location: str
                      ) -> tuple[dict[str, str | None], list[Unsupported]]:
    """Map regional and register variants (``de-informal``, ``pt-BR``) to their language.

    A variant whose language is also in the file is dropped (its texts are a second version
    of the same language); otherwise its texts become that language's.
    """
    mapping: dict[str, str | None] = {}
    notes: list[Unsupported] = []
    plain = {code for code in codes if "-" not in code and "_" not in code}
    for code in codes:
        primary = code.replace("_", "-").split("-")[0].lower()
        if primary == code:
            continue
        if primary in plain or primary in mapping.values():
            mapping[code] = None
            notes.append(Unsupported(location, f"language '{code}'",
                                     f"a variant of '{primary}', which the file already has; "
                                     "its texts are left out"))
        else:
            mapping[code] = primary
            notes.append(Unsupported(location, f"language '{code}'",
                                     f"variants are not distinguished; imported as '{primary}'"))
    return mapping, notes


def rename_languages(survey: Survey, mapping: dict[str, str | None]) -> Survey:
    """The survey with its language codes renamed by ``mapping`` (``None`` drops one)."""
    if not mapping:
        return survey
    renamer = _Renamer(mapping)

    def rename(code: str) -> str | None:
        return mapping.get(code, code)

    languages = tuple(dict.fromkeys(c for c in map(rename, survey.languages) if c is not None))
    return replace(
        survey,
        languages=languages,
        default_language=rename(survey.default_language) or languages[0],
        title=renamer.text(survey.title),
        intro={name: renamer.text(text) for name, text in survey.intro.items()},
        thanks=renamer.maybe(survey.thanks),
        pages=tuple(renamer.page(p) for p in survey.pages),
        scales={key: renamer.scale(scale) for key, scale in survey.scales.items()},
        review={target: state for code, state in survey.review.items()
                if (target := rename(code)) is not None},
    )


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
