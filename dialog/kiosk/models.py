"""Kiosk tables: registered devices, per-survey idle times, and which device took a response."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import utcnow


class KioskDevice(db.Model):
    """A computer staff set up as a kiosk. Only the sha256 of its key is stored.

    Staff get a short-lived one-time code (``code_hash``, also stored as sha256); the kiosk
    computer exchanges it for the key, which only ever travels in a cookie.
    """

    __tablename__ = "kiosk_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(255))
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    code_expires_at: Mapped[datetime | None]


class KioskSetting(db.Model):
    """How long a kiosk waits before it clears the screen, per survey."""

    __tablename__ = "kiosk_setting"

    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), primary_key=True)
    idle_seconds: Mapped[int]
    warning_seconds: Mapped[int]


class KioskResponse(db.Model):
    """The device a kiosk response was given on, so that answers can be told apart by place."""

    __tablename__ = "kiosk_response"

    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"), primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("kiosk_device.id"), index=True)
