"""Uploaded definition files: reading our YAML, or LimeSurvey/XLSForm through the importers,
and keeping a valid upload until staff publish or cancel it."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from surveys import (
    DefinitionError,
    Problem,
    Survey,
    dump_definition,
    parse_definition,
    survey_from_dict,
    survey_to_dict,
)
from surveys.importers import UnreadableFile, import_file

from ..extensions import db
from ..services import catalog
from .models import PendingDefinition

YAML_SUFFIXES = (".yaml", ".yml")
IMPORT_SUFFIXES = (".lss", ".xlsx")


@dataclass(frozen=True)
class Loaded:
    survey: Survey
    unsupported: list = field(default_factory=list)  # surveys.importers.Unsupported


class UploadError(ValueError):
    """The upload cannot become a survey. ``message`` is one of "not-utf8", "invalid",
    "incomplete", "unknown-type"; ``problems`` carry locations when known. An import that
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


def keep_pending(loaded: Loaded, filename: str, *, uploaded_by: int) -> PendingDefinition:
    """Keep a valid upload until staff publish or cancel it."""
    pending = PendingDefinition(
        slug=loaded.survey.slug, filename=filename[:255],
        definition=survey_to_dict(loaded.survey),
        unsupported=[{"location": u.location, "element": u.element, "reason": u.reason}
                     for u in loaded.unsupported],
        uploaded_by=uploaded_by,
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


def publish_pending(pending: PendingDefinition, survey: Survey) -> catalog.Published:
    """Publish the upload and forget it; a first version starts as a draft, which staff
    open on purpose, with dates."""
    new_round = catalog.find_survey(survey.slug) is None
    published = catalog.publish(survey, status="draft" if new_round else None)
    db.session.delete(pending)
    db.session.commit()
    return published


def cancel_pending(pending: PendingDefinition) -> None:
    db.session.delete(pending)
    db.session.commit()
