"""What the views of several features share: finding the survey round an address names."""

from __future__ import annotations

from flask import abort

from surveys import Survey

from .models import SurveyRecord
from .services import catalog


def published_or_404(slug: str) -> tuple[SurveyRecord, Survey]:
    """The survey round and its current definition; 404 when unknown or never published."""
    record = catalog.find_survey(slug)
    if record is None or record.current_version is None:
        abort(404)
    return record, catalog.definition_of(record.current_version)
