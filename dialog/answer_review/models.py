"""The reviewed mark of free-text answers: who read an answer for personal data, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import utcnow


class FreeTextReview(db.Model):
    """One free-text answer (response and field) a staff member has read and marked
    reviewed. Deleted with its response (retention purge)."""

    __tablename__ = "free_text_review"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), primary_key=True)
    # A question id, or <question>.<n>.<key> for a text inside a place mark.
    field: Mapped[str] = mapped_column(String(100), primary_key=True)
    reviewed_by: Mapped[str] = mapped_column(String(255))
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)
