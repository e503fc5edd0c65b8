"""A trygghetsvandring, the places it stopped at, what was seen there and the photos.

Participants are roles and organisations, never residents' names; the stops come from what
councillors are shown (named places, shown grid squares) or are added on the spot – never from
a resident's mark (docs/trygghetsvandring.md).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import utcnow

# What Swedish trygghetsvandringar check, in the order the form lists them.
CATEGORIES = ("belysning", "sikt", "nedskrapning", "trafik", "folkliv", "skyltning", "annat")
# Where a stop came from: the round's named places or shown squares, or the walk itself.
STOP_KINDS = ("named", "square", "point", "text")


class Walk(db.Model):
    __tablename__ = "walk"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date]
    area: Mapped[str] = mapped_column(String(200))
    participants: Mapped[str] = mapped_column(Text, default="")
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("survey.id"))
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    stops: Mapped[list[WalkStop]] = relationship(
        back_populates="walk", cascade="all, delete-orphan",
        order_by="(WalkStop.position, WalkStop.id)")


class WalkStop(db.Model):
    __tablename__ = "walk_stop"

    id: Mapped[int] = mapped_column(primary_key=True)
    walk_id: Mapped[int] = mapped_column(ForeignKey("walk.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(8))
    # The named place's code or the square's "250:<north>:<east>"; empty on the spot.
    code: Mapped[str] = mapped_column(String(64), default="")
    label: Mapped[str] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    walk: Mapped[Walk] = relationship(back_populates="stops")
    observations: Mapped[list[WalkObservation]] = relationship(
        back_populates="stop", cascade="all, delete-orphan", order_by="WalkObservation.id")
    photos: Mapped[list[WalkPhoto]] = relationship(
        back_populates="stop", cascade="all, delete-orphan", order_by="WalkPhoto.id")


class WalkObservation(db.Model):
    __tablename__ = "walk_observation"

    id: Mapped[int] = mapped_column(primary_key=True)
    stop_id: Mapped[int] = mapped_column(ForeignKey("walk_stop.id", ondelete="CASCADE"),
                                         index=True)
    category: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    # The measure of the åtgärdsplan it became ("Gör till åtgärd").
    measure_id: Mapped[int | None] = mapped_column(
        ForeignKey("measure.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    stop: Mapped[WalkStop] = relationship(back_populates="observations")


class WalkPhoto(db.Model):
    __tablename__ = "walk_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    stop_id: Mapped[int] = mapped_column(ForeignKey("walk_stop.id", ondelete="CASCADE"),
                                         index=True)
    # A random name in WALK_PHOTO_DIR: nothing of the upload's own name is kept.
    filename: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    stop: Mapped[WalkStop] = relationship(back_populates="photos")
