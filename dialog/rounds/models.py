"""Tables of the survey rounds: definitions awaiting a decision (preview, publish, or cancel),
uploaded or made from a template or an earlier round."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import utcnow


class PendingDefinition(db.Model):
    """An uploaded, valid definition that is not published yet.

    Imports from LimeSurvey or XLSForm may leave elements out; ``unsupported`` lists them
    (location, element, reason) so the staff member can import without them or cancel.
    A new round made without a file keeps the earlier round it copies (``based_on``: its
    population table goes with it) and the dates it opens and closes.
    """

    __tablename__ = "staff_pending_definition"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    definition: Mapped[dict] = mapped_column(JSON)
    unsupported: Mapped[list] = mapped_column(JSON, default=list)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    based_on: Mapped[str | None] = mapped_column(String(64))
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
