"""Tables of retention: what a purge kept of the raw responses it deleted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import utcnow


class RetentionSnapshot(db.Model):
    """One purge of one survey version: when, up to which date, how many responses went."""

    __tablename__ = "retention_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"))
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
    cutoff: Mapped[datetime]
    complete_count: Mapped[int]
    partial_count: Mapped[int]


class RetainedCount(db.Model):
    """How many purged responses in one cell gave ``code`` for ``field``."""

    __tablename__ = "retained_count"
    __table_args__ = (Index("ix_retained_count_snapshot", "snapshot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("retention_snapshot.id"))
    field: Mapped[str] = mapped_column(String(128))
    # A code, or the codes of one multiple-choice answer joined by a space.
    code: Mapped[str] = mapped_column(Text)
    age_band: Mapped[str | None] = mapped_column(String(64))
    gender: Mapped[str | None] = mapped_column(String(64))
    area: Mapped[str | None] = mapped_column(String(64))
    # The sample stratum of a sampled round's answers (None: open channels, open rounds): a
    # sampled round's figures are weighted by stratum.
    stratum: Mapped[str | None] = mapped_column(String(120))
    count: Mapped[int]
