"""Definitions awaiting publication: uploaded files (our YAML, or LimeSurvey/XLSForm through the
importers) and new rounds made from a built-in template or an earlier round, kept until staff
publish or cancel them, and what they are compared with on the check page."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from surveys import (
    DefinitionError,
    Problem,
    Survey,
    builtin_template_names,
    dump_definition,
    load_builtin_template,
    parse_definition,
    survey_from_dict,
    survey_to_dict,
)
from surveys.compare import Comparison, compare_surveys
from surveys.importers import UnreadableFile, import_file

from ..extensions import db
from ..models import SurveyRecord
from ..services import catalog
from ..services.population import copy_population
from .models import PendingDefinition

YAML_SUFFIXES = (".yaml", ".yml")
IMPORT_SUFFIXES = (".lss", ".xlsx")


@dataclass(frozen=True)
class Loaded:
    survey: Survey
    unsupported: list = field(default_factory=list)  # surveys.importers.Unsupported


class UploadError(ValueError):
    """The upload cannot become a survey. ``message`` is one of "not-utf8", "invalid",
    "incomplete", "unknown-type" (and for a new round "exists", "unknown-source");
    ``problems`` carry locations when known. An import that
    lacks parts our definitions require ("incomplete") comes with ``draft``, its YAML text for
    the staff member to complete and upload again, and what the import left out."""

    def __init__(self, message: str, problems: list[Problem] | None = None, *,
                 draft: str | None = None, unsupported: list | None = None) -> None:
        self.message = message
        self.problems = problems or []
        self.draft = draft
        self.unsupported = unsupported or []
        super().__init__(message)


def read_upload(filename: str, data: bytes) -> Loaded:
    """Parse an uploaded file by its extension; raises :class:`UploadError` with every
    problem found."""
    suffix = Path(filename).suffix.lower()
    if suffix in YAML_SUFFIXES:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UploadError("not-utf8", [Problem("", f"byte {exc.start}")]) from exc
        try:
            return Loaded(parse_definition(text, source=filename))
        except DefinitionError as error:
            raise UploadError("invalid", error.problems) from error
    if suffix in IMPORT_SUFFIXES:
        return _import(suffix, data)
    raise UploadError("unknown-type")


def _import(suffix: str, data: bytes) -> Loaded:
    # The importers read from a path (zip-based .xlsx, XML .lss); the file lives only for
    # the duration of the import.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            result = import_file(path)
        except UnreadableFile as error:
            raise UploadError("invalid", [Problem(error.location, error.problem)]) from error
        except DefinitionError as error:
            raise UploadError("invalid", error.problems) from error
    try:
        # Published versions are stored as dicts and read back with full validation, so an
        # import must survive that round trip (e.g. the intro texts residents must see).
        survey_from_dict(survey_to_dict(result.survey))
    except DefinitionError as error:
        raise UploadError("incomplete", error.problems, draft=dump_definition(result.survey),
                          unsupported=list(result.unsupported)) from error
    return Loaded(result.survey, list(result.unsupported))


# --- Uploads awaiting a decision ------------------------------------------------------------


def keep_pending(loaded: Loaded, filename: str, *, uploaded_by: int,
                 based_on: str | None = None, opens_at: datetime | None = None,
                 closes_at: datetime | None = None) -> PendingDefinition:
    """Keep a valid definition until staff publish or cancel it."""
    pending = PendingDefinition(
        slug=loaded.survey.slug, filename=filename[:255],
        definition=survey_to_dict(loaded.survey),
        unsupported=[{"location": u.location, "element": u.element, "reason": u.reason}
                     for u in loaded.unsupported],
        uploaded_by=uploaded_by, based_on=based_on, opens_at=opens_at, closes_at=closes_at,
    )
    db.session.add(pending)
    db.session.commit()
    return pending


def pending_uploads() -> list[PendingDefinition]:
    return list(db.session.scalars(
        select(PendingDefinition).order_by(PendingDefinition.created_at.desc())))


def find_pending(pending_id: int) -> tuple[PendingDefinition, Survey] | None:
    pending = db.session.get(PendingDefinition, pending_id)
    return None if pending is None else (pending, survey_from_dict(pending.definition))


def publish_pending(pending: PendingDefinition, survey: Survey, *,
                    published_by: str | None = None) -> catalog.Published:
    """Publish the definition and forget it; a first version starts as a draft, which staff
    open on purpose, with the dates chosen when the round was made. A copy of an earlier
    round takes that round's population table along."""
    new_round = catalog.find_survey(survey.slug) is None
    published = catalog.publish(survey, status="draft" if new_round else None)
    if new_round:
        record = catalog.find_survey(survey.slug)
        record.opens_at, record.closes_at = pending.opens_at, pending.closes_at
        source = catalog.find_survey(pending.based_on) if pending.based_on else None
        if source is not None:
            copy_population(source, record, copied_by=published_by)
    db.session.delete(pending)
    db.session.commit()
    return published


def cancel_pending(pending: PendingDefinition) -> None:
    db.session.delete(pending)
    db.session.commit()


# --- New rounds without a file --------------------------------------------------------------


def round_sources() -> list[tuple[str, Survey]]:
    """What a new round can start from: ``template:<name>`` for each built-in template, then
    ``round:<slug>`` for each published round, the newest first."""
    sources = [(f"template:{name}", load_builtin_template(name))
               for name in builtin_template_names()]
    return sources + [(f"round:{record.slug}", survey) for record, survey in _rounds()]


def _rounds() -> list[tuple[SurveyRecord, Survey]]:
    """Published rounds and their current definitions, the newest round first."""
    records = db.session.scalars(select(SurveyRecord).where(
        SurveyRecord.current_version_id.is_not(None))
        .order_by(SurveyRecord.created_at.desc(), SurveyRecord.id.desc()))
    return [(record, catalog.definition_of(record.current_version)) for record in records]


def new_round(source: str, slug: str, title: str, *, made_by: int,
              opens_at: datetime | None = None,
              closes_at: datetime | None = None) -> PendingDefinition:
    """A new round awaiting publication: the definition of a built-in template or of an
    earlier round's current version, with a new address and title in the main language.
    Raises :class:`UploadError` ("exists", "unknown-source" or "invalid")."""
    if catalog.find_survey(slug) is not None:
        raise UploadError("exists")
    kind, _sep, name = source.partition(":")
    origin = next((survey for key, survey in round_sources() if key == source), None)
    if origin is None:
        raise UploadError("unknown-source")
    titled = replace(origin, slug=slug, title={**origin.title, origin.default_language: title})
    try:
        # The same checks as a file: the address and the title must make a valid survey.
        survey = survey_from_dict(survey_to_dict(titled))
    except DefinitionError as error:
        raise UploadError("invalid", error.problems) from error
    based_on = name if kind == "round" else None
    return keep_pending(Loaded(survey), f"{name}.yaml" if kind == "template" else name,
                        uploaded_by=made_by, based_on=based_on, opens_at=opens_at,
                        closes_at=closes_at)


@dataclass(frozen=True)
class Baseline:
    """What a definition awaiting publication is compared with: the current version of the
    same survey (``same_survey``), else the round it copies or the newest round made from
    the same template."""

    slug: str
    survey: Survey
    same_survey: bool
    comparison: Comparison


def baseline(pending: PendingDefinition, survey: Survey) -> Baseline | None:
    rounds = _rounds()
    found = next(((r, s, True) for r, s in rounds if r.slug == survey.slug), None) \
        or next(((r, s, False) for r, s in rounds if r.slug == pending.based_on), None) \
        or next(((r, s, False) for r, s in rounds
                 if survey.template and s.template == survey.template), None)
    if found is None:
        return None
    record, earlier, same = found
    return Baseline(record.slug, earlier, same, compare_surveys(earlier, survey))
