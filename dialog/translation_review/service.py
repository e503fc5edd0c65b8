"""Review of translations string by string: states, comments, edits, the agency round trip.

A string's state is ``machine`` (nobody has checked it), ``needs_review`` (a person asked for
another look, or the Swedish source or the translation changed since the last decision) or
``approved``. Survey strings can be edited here (a new survey version is published); the
interface catalogs live in the repository, so for them only the state and a comment are kept.

Functions raise :class:`ReviewError` with a code the blueprint turns into a message.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from sqlalchemy import select

from surveys import DefinitionError, Survey
from surveys.glossary import glossary_problems
from surveys.strings import SurveyString, survey_strings, text_digest, with_translation

from .. import audit
from ..extensions import db
from ..i18n.cli import TRANSLATIONS
from ..models import SurveyRecord, utcnow
from ..services import catalog
from .models import StringReview
from .xliff import Unit, XliffError, XliffFile, read_xliff, write_xliff

STATES = ("machine", "needs_review", "approved")
UI_SCOPE = "ui"
SOURCE_LANGUAGE = "sv"


class ReviewError(ValueError):
    """Input staff can correct; ``str(error)`` is a message code."""


@dataclass(frozen=True)
class ReviewedString:
    key: str
    source: str
    target: str
    state: str
    comment: str | None
    updated_by: str | None
    updated_at: datetime | None
    problems: tuple[str, ...]  # how the translation breaks the glossary


@dataclass(frozen=True)
class ImportResult:
    texts: int  # translations changed
    states: int  # review states changed
    comments: int
    unknown: int  # units whose key this survey or catalog does not have
    interface_texts: int  # interface translations that differ (catalogs are not changed here)
    version: int | None  # the survey version published for the changed texts


# Parsed definitions are shared per version (catalog.definition_of), so a resident's page can
# reuse the flattened strings instead of walking the definition again (~2 ms) on every page.
# Entries keep their survey alive, so an id is never reused while it is in here.
_STRINGS_CACHE_SIZE = 16
_strings_cache: OrderedDict[int, tuple[Survey, list[SurveyString]]] = OrderedDict()
_strings_lock = threading.Lock()  # gunicorn threads share the cache


def _strings_of(survey: Survey) -> list[SurveyString]:
    with _strings_lock:
        cached = _strings_cache.get(id(survey))
        if cached is not None and cached[0] is survey:
            _strings_cache.move_to_end(id(survey))
            return cached[1]
    strings = survey_strings(survey)
    with _strings_lock:
        _strings_cache[id(survey)] = (survey, strings)
        while len(_strings_cache) > _STRINGS_CACHE_SIZE:
            _strings_cache.popitem(last=False)
    return strings


def survey_scope(slug: str) -> str:
    return f"survey:{slug}"


def _key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _decisions(scope: str, lang: str) -> dict[str, StringReview]:
    rows = db.session.scalars(select(StringReview).where(StringReview.scope == scope,
                                                         StringReview.lang == lang))
    return {row.key: row for row in rows}


def _state(row: StringReview | None, source: str, target: str, default: str) -> str:
    if row is None:
        return default
    if row.source_digest != text_digest(source) or row.target_digest != text_digest(target):
        return "needs_review"
    return row.state


def _reviewed(key: str, source: str, target: str, lang: str, row: StringReview | None,
              default: str) -> ReviewedString:
    return ReviewedString(
        key=key, source=source, target=target, state=_state(row, source, target, default),
        comment=row.comment if row else None, updated_by=row.updated_by if row else None,
        updated_at=row.updated_at if row else None,
        problems=tuple(glossary_problems(source, lang, target)))


def default_state(survey: Survey, lang: str) -> str:
    """What the definition says of a language before anyone has looked at single strings."""
    return "machine" if survey.review.get(lang) == "machine" else "approved"


def translation_languages(survey: Survey) -> tuple[str, ...]:
    return tuple(lang for lang in survey.languages if lang != survey.default_language)


def _check_language(survey: Survey, lang: str) -> None:
    if lang not in translation_languages(survey):
        raise ReviewError("language")


def survey_review(survey: Survey, lang: str) -> list[ReviewedString]:
    """Every string of the survey with its Swedish source and its translation into ``lang``."""
    _check_language(survey, lang)
    rows = _decisions(survey_scope(survey.slug), lang)
    default = default_state(survey, lang)
    return [_reviewed(s.key, s.text.get(survey.default_language, ""), s.text.get(lang, ""),
                      lang, rows.get(s.key), default)
            for s in _strings_of(survey)]


def _flat(value: str | tuple[str, ...] | None) -> str:
    return "\n".join(value) if isinstance(value, tuple) else (value or "")


@cache
def _catalog_texts(lang: str, modified: float) -> dict[str, str]:
    del modified  # part of the cache key: a changed catalog is read again
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        messages = read_po(handle, locale=lang)
    return {(m.id[0] if isinstance(m.id, tuple) else m.id): _flat(m.string)
            for m in messages if m.id}


def _catalog(lang: str) -> dict[str, str]:
    path = Path(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po")
    if not path.exists():
        raise ReviewError("language")
    return _catalog_texts(lang, path.stat().st_mtime)


def catalog_review(lang: str) -> list[ReviewedString]:
    """Every interface string: the Swedish catalog's text beside ``lang``'s, by msgid."""
    if lang == SOURCE_LANGUAGE:
        raise ReviewError("language")
    swedish, target = _catalog(SOURCE_LANGUAGE), _catalog(lang)
    rows = _decisions(UI_SCOPE, lang)
    # The catalogs' header says every translation is machine-made until a translator checks it.
    return [_reviewed(msgid, swedish[msgid], target.get(msgid, ""), lang, rows.get(msgid),
                      "machine")
            for msgid in sorted(swedish)]


def summary(strings: list[ReviewedString]) -> Counter[str]:
    return Counter(s.state for s in strings)


def _audit(action: str, scope: str, lang: str, key: str, detail: str | None) -> None:
    """Log and commit, with the decisions made before it."""
    audit.record(action, f"{scope} {lang} {key}"[:255], detail)


def _decide(scope: str, lang: str, key: str, source: str, target: str, *, actor: str,
            state: str | None = None, comment: str | None = None) -> StringReview:
    """Store a decision on the exact texts shown; ``None`` keeps the state or comment."""
    row = db.session.scalar(select(StringReview).where(
        StringReview.scope == scope, StringReview.lang == lang,
        StringReview.key_digest == _key_digest(key)))
    if row is None:
        row = StringReview(scope=scope, lang=lang, key=key, key_digest=_key_digest(key),
                           state="machine")
        db.session.add(row)
    if state is not None:
        row.state = state
    if comment is not None:
        row.comment = comment.strip() or None
    row.source_digest, row.target_digest = text_digest(source), text_digest(target)
    row.updated_by, row.updated_at = actor, utcnow()
    return row


def _find(strings: list[ReviewedString], key: str) -> ReviewedString:
    found = next((s for s in strings if s.key == key), None)
    if found is None:
        raise ReviewError("key")
    return found


def _current(record: SurveyRecord) -> Survey:
    return catalog.definition_of(record.current_version)


def decide(record: SurveyRecord | None, lang: str, key: str, *, actor: str,
           state: str | None = None, comment: str | None = None) -> None:
    """Approve, ask for review or comment one string of a survey (``record``) or, without a
    record, of the interface catalogs. Recorded in the audit log."""
    if state is not None and state not in STATES:
        raise ReviewError("state")
    if record is None:
        scope, found = UI_SCOPE, _find(catalog_review(lang), key)
    else:
        scope, found = survey_scope(record.slug), _find(survey_review(_current(record), lang),
                                                        key)
    _decide(scope, lang, key, found.source, found.target, actor=actor, state=state,
            comment=comment)
    action = f"translation.{state}" if state else "translation.comment"
    _audit(action, scope, lang, key, comment.strip() if comment else None)


def edit_translation(record: SurveyRecord, lang: str, key: str, text: str, *, actor: str,
                     comment: str | None = None) -> int:
    """Replace one survey translation: a new version is published and the string is approved
    (a person wrote it). Returns the version number."""
    survey = _current(record)
    _check_language(survey, lang)
    text = text.strip()
    if not text:
        raise ReviewError("empty")
    found = _find(survey_review(survey, lang), key)
    published = _publish(survey, {key: text}, lang)
    _decide(survey_scope(record.slug), lang, key, found.source, text, actor=actor,
            state="approved", comment=comment)
    _audit("translation.edit", survey_scope(record.slug), lang, key, f"version {published}")
    return published


def _publish(survey: Survey, texts: dict[str, str], lang: str) -> int:
    changed = survey
    try:
        for key, text in texts.items():
            changed = with_translation(changed, key, lang, text)
    except (KeyError, ValueError, DefinitionError):
        raise ReviewError("key") from None
    return catalog.publish(changed).version


def page_is_unreviewed(survey: Survey, lang: str, prefixes: tuple[str, ...]) -> bool:
    """Whether any survey text under one of the key ``prefixes`` is not yet approved in
    ``lang``: residents are then told that the Swedish text applies."""
    if lang == survey.default_language or lang not in survey.languages:
        return False
    rows = _decisions(survey_scope(survey.slug), lang)
    default = default_state(survey, lang)
    for string in _strings_of(survey):
        if string.key.startswith(prefixes) and _state(
                rows.get(string.key), string.text.get(survey.default_language, ""),
                string.text.get(lang, ""), default) != "approved":
            return True
    return False


def page_prefixes(survey: Survey, index: int | None) -> tuple[str, ...]:
    """The keys a resident reads on one page (``None``: the first page with the intro)."""
    if index is None:
        return ("title", "intro.")
    page = survey.pages[index]
    scales = tuple(f"scales.{q.scale.id}." for q in page.questions if q.scale is not None)
    return (f"pages.{page.id}.", *scales)


# --- The agency round trip ----------------------------------------------------------------


def export_xliff(record: SurveyRecord, lang: str) -> bytes:
    """The survey's strings and the interface's strings in ``lang`` as one XLIFF 2.0 file."""
    survey = _current(record)
    _check_language(survey, lang)
    files = [
        XliffFile(survey_scope(record.slug), tuple(
            Unit(s.key, s.source, s.target, s.state, s.comment or "")
            for s in survey_review(survey, lang))),
        XliffFile(UI_SCOPE, tuple(Unit(s.key, s.source, s.target, s.state, s.comment or "")
                                  for s in catalog_review(lang))),
    ]
    return write_xliff(survey.default_language, lang, files)


def import_xliff(record: SurveyRecord, lang: str, data: bytes, *, actor: str) -> ImportResult:
    """Take an agency's XLIFF back: changed survey translations become one new version, the
    states and notes become review decisions. Interface texts are not changed (the catalogs
    are in the repository): they are only counted."""
    survey = _current(record)
    _check_language(survey, lang)
    try:
        source_lang, target_lang, files = read_xliff(data)
    except XliffError:
        raise ReviewError("xliff") from None
    if source_lang != survey.default_language or target_lang != lang:
        raise ReviewError("xliff_language")
    scope = survey_scope(record.slug)
    by_scope = {scope: {s.key: s for s in survey_review(survey, lang)},
                UI_SCOPE: {s.key: s for s in catalog_review(lang)}}
    if any(f.id not in by_scope for f in files):
        raise ReviewError("xliff_survey")
    new_texts: dict[str, str] = {}
    decisions: list[tuple[str, Unit, ReviewedString]] = []
    unknown = interface_texts = 0
    for xfile in files:
        for unit in xfile.units:
            current = by_scope[xfile.id].get(unit.key)
            if current is None:
                unknown += 1
                continue
            if unit.target.strip() and unit.target != current.target:
                if xfile.id == UI_SCOPE:
                    interface_texts += 1
                    continue
                new_texts[unit.key] = unit.target
            decisions.append((xfile.id, unit, current))
    version = _publish(survey, new_texts, lang) if new_texts else None
    states = comments = 0
    for file_id, unit, current in decisions:
        target = new_texts.get(unit.key, current.target) if file_id == scope else current.target
        # Translated against an older Swedish text: the translation needs another look.
        state = unit.state if unit.source == current.source else "needs_review"
        if unit.key in new_texts and state == "machine":
            state = "needs_review"  # a person changed it, but did not say it is final
        changed_state = state != current.state or unit.key in new_texts and file_id == scope
        changed_note = (unit.note or None) != current.comment
        if not (changed_state or changed_note):
            continue
        _decide(file_id, lang, unit.key, current.source, target, actor=actor, state=state,
                comment=unit.note if changed_note else None)
        states += changed_state
        comments += changed_note
    result = ImportResult(texts=len(new_texts), states=states, comments=comments,
                          unknown=unknown, interface_texts=interface_texts, version=version)
    _audit("translation.import", scope, lang, "xliff",
           f"texts {result.texts}, states {states}, comments {comments}, unknown {unknown}, "
           f"interface texts not applied {interface_texts}, version {version}")
    return result
