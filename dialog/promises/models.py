"""The medborgarlöfte table: one löfte per survey round.

Focus problems, their åtgärder and the follow-ups of each åtgärd form one JSON document
(``focus``): they are always read and written together, and staff texts are per language
(``{"sv": ..., "en": ...}``), like the survey definitions.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import SurveyRecord, utcnow


class Promise(db.Model):
    """A medborgarlöfte: draft → signed (signatories, date) → followed up."""

    __tablename__ = "promise"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), unique=True)
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    period_start: Mapped[int]
    period_end: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="draft")  # signed | followed_up
    focus: Mapped[list] = mapped_column(JSON, default=list)
    signatories: Mapped[list] = mapped_column(JSON, default=list)
    signed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    survey: Mapped[SurveyRecord] = relationship()
