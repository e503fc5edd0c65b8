"""Tables of sampled rounds (see docs/sampling.md for what is deleted when)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import utcnow

# Final dispositions (AAPOR, simplified): not_reached is "unknown" until the round closes.
DISPOSITIONS = ("not_reached", "partial", "complete", "refused", "not_eligible")
WAVES = ("invitation", "reminder1", "reminder2")


class SampleStratum(db.Model):
    """People in the register per stratum of a sampled round (``N_h``)."""

    __tablename__ = "sample_stratum"
    __table_args__ = (UniqueConstraint("survey_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    population: Mapped[int]


class SampleMember(db.Model):
    """One person drawn: the sample file's row, its code and what became of the letter."""

    __tablename__ = "sample_member"
    __table_args__ = (UniqueConstraint("survey_id", "sample_ref"),
                      Index("ix_sample_member_survey_disposition", "survey_id", "disposition"))

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"))
    sample_ref: Mapped[str] = mapped_column(String(64))
    stratum: Mapped[str] = mapped_column(String(120))
    age_band: Mapped[str | None] = mapped_column(String(32))
    gender: Mapped[str | None] = mapped_column(String(32))
    area: Mapped[str | None] = mapped_column(String(120))
    # Deleted when staff mark the letters done.
    address: Mapped[list | None] = mapped_column(JSON)
    code: Mapped[str | None] = mapped_column(String(8))
    # Deleted when the round closes, with the link to the response.
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    response_id: Mapped[int | None] = mapped_column(ForeignKey("response.id"))
    disposition: Mapped[str] = mapped_column(String(16), default="not_reached")
    letters: Mapped[int] = mapped_column(default=0)
    last_wave: Mapped[str | None] = mapped_column(String(16))


class SampleWave(db.Model):
    """One mailing: the invitation or a reminder, with how many letters it had."""

    __tablename__ = "sample_wave"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(255))
    letters: Mapped[int]
