"""Review state per translated string: one row per (scope, language, key) once a person has
looked at it. A string without a row keeps the state its survey definition gives the
language (``machine`` until a translator has checked it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import utcnow


class StringReview(db.Model):
    """What a reviewer decided about one translation of one Swedish text.

    The decision holds for the exact texts it was made on: the digests of the Swedish source
    and of the translation are kept, and when either differs from the current text the
    string needs review again (a changed Swedish source marks its translations).
    """

    __tablename__ = "string_review"
    __table_args__ = (UniqueConstraint("scope", "lang", "key_digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "survey:<slug>" for a survey's texts (every version), "ui" for the interface catalogs.
    scope: Mapped[str] = mapped_column(String(80))
    lang: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(Text)  # survey string key or catalog msgid
    key_digest: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # machine | needs_review | approved
    source_digest: Mapped[str] = mapped_column(String(64))
    target_digest: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
