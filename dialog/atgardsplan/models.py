"""The register of measures and their dated follow-ups.

A löfte's åtgärd is a measure with ``promise_id``: one register, not two lists. Staff texts
are per language (``{"sv": ..., "en": ...}``) like the löfte's and the survey definitions.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import utcnow

STATUSES = ("planned", "ongoing", "done", "cancelled")
PROBLEM_KINDS = ("item", "key_figure", "indicator")
RESPONSIBLE = ("kommun", "polis", "annan")


class Measure(db.Model):
    """One measure: the problem it addresses, who does what and when, its status and the
    indicator that should show its effect (baseline and target)."""

    __tablename__ = "measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int | None] = mapped_column(ForeignKey("promise.id"), index=True)
    # The order of a löfte's åtgärder within a focus problem, as residents read them.
    position: Mapped[int] = mapped_column(default=0)
    what: Mapped[dict] = mapped_column(JSON, default=dict)
    how: Mapped[dict] = mapped_column(JSON, default=dict)
    problem_kind: Mapped[str] = mapped_column(String(16))
    problem_code: Mapped[str] = mapped_column(String(64))
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("survey.id"))
    responsible: Mapped[str] = mapped_column(String(16))
    responsible_name: Mapped[str] = mapped_column(String(255), default="")
    starts: Mapped[date]
    ends: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default="planned")
    indicator_code: Mapped[str | None] = mapped_column(String(64))
    baseline_period: Mapped[str | None] = mapped_column(String(7))
    baseline_value: Mapped[float | None] = mapped_column(Float)
    target_value: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    followups: Mapped[list[MeasureFollowup]] = relationship(
        back_populates="measure", cascade="all, delete-orphan",
        order_by="(MeasureFollowup.on, MeasureFollowup.id)")

    @property
    def latest_followup(self) -> MeasureFollowup | None:
        return self.followups[-1] if self.followups else None


class MeasureFollowup(db.Model):
    """A dated entry on how a measure is going; ``status`` is what it changed to, if any."""

    __tablename__ = "measure_followup"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"),
                                            index=True)
    on: Mapped[date]
    text: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str | None] = mapped_column(String(16))
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    measure: Mapped[Measure] = relationship(back_populates="followups")
