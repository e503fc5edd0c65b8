"""Kiosk devices, idle times and the end of a kiosk response."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from ..extensions import db
from ..models import SurveyRecord, utcnow
from ..services import responses
from .models import KioskDevice, KioskResponse, KioskSetting

MIN_IDLE_SECONDS = 5
MAX_IDLE_SECONDS = 60 * 60
CODE_LIFETIME = timedelta(minutes=15)
# Typed by hand on the kiosk: no letters that look like digits (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


@dataclass(frozen=True)
class IdleTimes:
    idle: int  # seconds without activity before the screen is cleared
    warning: int  # seconds before that when "Are you still there?" appears


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_code(device: KioskDevice) -> str:
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    device.code_hash = _hash(code)
    device.code_expires_at = utcnow() + CODE_LIFETIME
    return code


def normalise_code(typed: str) -> str:
    """What people type: any case, with spaces or dashes between the groups."""
    return "".join(typed.split()).replace("-", "").upper()


def register_device(name: str, *, created_by: str | None = None) -> tuple[KioskDevice, str]:
    """A new device and its one-time registration code (returned once, stored only hashed).

    The device has no usable key until the code is exchanged on the kiosk computer.
    """
    device = KioskDevice(name=name.strip(), key_hash=_hash(secrets.token_urlsafe(24)),
                         created_by=created_by)
    code = _new_code(device)
    db.session.add(device)
    db.session.commit()
    return device, code


def redeem_code(code: str) -> str | None:
    """The device key for a valid code, which is used up; None if wrong, used or expired."""
    code_hash = _hash(normalise_code(code))
    device = db.session.scalar(select(KioskDevice).where(KioskDevice.code_hash == code_hash))
    if device is None or not device.active or device.code_expires_at < utcnow():
        return None
    key = secrets.token_urlsafe(24)
    # One UPDATE that matches only while the code is unused: two kiosks racing with the same
    # code cannot both get a key.
    used = db.session.execute(
        update(KioskDevice).where(KioskDevice.id == device.id,
                                  KioskDevice.code_hash == code_hash)
        .values(key_hash=_hash(key), code_hash=None, code_expires_at=None))
    db.session.commit()
    return key if used.rowcount == 1 else None


def find_device(key: str | None) -> KioskDevice | None:
    if not key:
        return None
    device = db.session.scalar(select(KioskDevice).where(KioskDevice.key_hash == _hash(key)))
    return device if device is not None and device.active else None


def all_devices() -> list[KioskDevice]:
    return list(db.session.scalars(select(KioskDevice).order_by(KioskDevice.name)))


def deactivate_device(device: KioskDevice) -> None:
    device.active = False
    db.session.commit()


def check_idle_times(idle: int, warning: int) -> None:
    """Raise ValueError unless the times make sense for a person at a screen."""
    if not MIN_IDLE_SECONDS <= idle <= MAX_IDLE_SECONDS:
        raise ValueError(f"idle time must be {MIN_IDLE_SECONDS}–{MAX_IDLE_SECONDS} seconds")
    if not 0 <= warning < idle:
        raise ValueError("the warning must come before the screen is cleared")


def idle_times(record: SurveyRecord) -> IdleTimes:
    setting = db.session.get(KioskSetting, record.id)
    if setting is not None:
        return IdleTimes(setting.idle_seconds, setting.warning_seconds)
    config = current_app.config
    return IdleTimes(int(config["KIOSK_IDLE_SECONDS"]), int(config["KIOSK_WARNING_SECONDS"]))


def set_idle_times(record: SurveyRecord, idle: int, warning: int) -> IdleTimes:
    check_idle_times(idle, warning)
    setting = db.session.get(KioskSetting, record.id)
    if setting is None:
        setting = KioskSetting(survey_id=record.id, idle_seconds=idle, warning_seconds=warning)
        db.session.add(setting)
    else:
        setting.idle_seconds, setting.warning_seconds = idle, warning
    db.session.commit()
    return IdleTimes(idle, warning)


def start_kiosk_response(record: SurveyRecord, device: KioskDevice, language: str) -> tuple[
    responses.OpenResponse, str
]:
    """A new response for the next person at ``device``; returns it with its token."""
    response, token = responses.start_response(record.current_version_id, language=language,
                                               channel="kiosk")
    db.session.add(KioskResponse(response_id=response.id, device_id=device.id))
    db.session.commit()
    return response, token


def is_stale(response: responses.OpenResponse) -> bool:
    limit = int(current_app.config["KIOSK_MAX_PAGE_SECONDS"])
    return (utcnow() - response.updated_at).total_seconds() > limit


def end_response(response: responses.OpenResponse) -> None:
    """Nobody can continue this response again: a partial one is kept as partial."""
    responses.forget_token(response)
