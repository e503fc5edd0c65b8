"""Paper questionnaires of a round: the latest ones entered, and voiding a mis-keyed one.

A voided questionnaire is not deleted: it gets the status every analysis and export leaves
out (``repeats.EXCLUDED``, the same exclusion as a likely repeat answer, with the kept facts
following in the same transaction) and keeps the reason staff gave. The reason and who voided
are in the audit log too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from .. import audit
from ..extensions import db
from ..models import Response, SurveyRecord, SurveyVersion, utcnow
from ..repeats import EXCLUDED
from ..services.results import facts

RECENT = 20
REASON_MAX = 500


class UnknownPaperResponse(LookupError):
    """No paper questionnaire of this round with that id."""


@dataclass(frozen=True)
class PaperRow:
    """One entered paper questionnaire as the list on the entry page shows it."""

    id: int
    entered_at: datetime
    language: str
    void_reason: str | None

    @property
    def voided(self) -> bool:
        return self.void_reason is not None


def _of_round(record: SurveyRecord):
    return (select(Response)
            .join(SurveyVersion, Response.version_id == SurveyVersion.id)
            .where(SurveyVersion.survey_id == record.id, Response.channel == "paper"))


def recent(record: SurveyRecord, limit: int = RECENT) -> list[PaperRow]:
    """The round's latest paper questionnaires, newest first, voided ones included."""
    rows = db.session.scalars(_of_round(record).order_by(Response.id.desc()).limit(limit))
    return [PaperRow(r.id, r.completed_at or r.started_at, r.language, r.void_reason)
            for r in rows]


def find(record: SurveyRecord, response_id: int) -> Response:
    """One paper questionnaire of the round; raises ``UnknownPaperResponse``."""
    response = db.session.scalar(_of_round(record).where(Response.id == response_id))
    if response is None:
        raise UnknownPaperResponse(response_id)
    return response


def void(record: SurveyRecord, response_id: int, reason: str) -> bool:
    """Leave a complete paper questionnaire out of every analysis and export, for the
    signed-in staff member, with ``reason`` in the audit log. Returns whether it changed
    (False when it was voided already)."""
    find(record, response_id)
    changed = db.session.execute(
        update(Response).where(Response.id == response_id, Response.status == "complete")
        .values(status=EXCLUDED, void_reason=reason, updated_at=utcnow())).rowcount
    if not changed:
        db.session.rollback()
        return False
    facts.follow_status(db.session.connection(), [response_id])
    audit.record("paper_void", str(response_id), f"{record.slug}: {reason}")
    return True
