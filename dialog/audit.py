"""The audit log: who did what and when in the staff area, never what a resident wrote.

Every feature records its staff actions through ``record``; the staff area lists them.
"""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import func, select

from .extensions import db
from .models import AuditEvent


def record(action: str, target: str | None, detail: str | None = None, *,
           actor: str | None = None) -> None:
    """Log an action of the signed-in staff member (or of ``actor``, e.g. the command line)
    and commit it."""
    db.session.add(AuditEvent(actor=actor or current_user.email, action=action, target=target,
                              detail=detail))
    db.session.commit()


def latest(limit: int) -> tuple[list[AuditEvent], int]:
    """The newest ``limit`` events, newest first, and how many there are in all."""
    events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())
                                     .limit(limit)))
    return events, db.session.scalar(select(func.count(AuditEvent.id)))
