"""Starting, saving and completing a resident's response.

A response is created when the resident starts, saved on every Next, and completed once.
The resident holds only a random resume token (in a signed cookie); the database keeps its
sha256, so a leaked database cannot be used to resume someone else's answers.
"""

from __future__ import annotations

import hashlib
import secrets

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

from surveys import Answers, Survey, prune_hidden

from ..extensions import db
from ..models import Response, utcnow


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_response(version_id: int, *, language: str, channel: str = "web") -> tuple[
    Response, str
]:
    """Create a partial response; returns it with the plain resume token for the cookie."""
    token = secrets.token_urlsafe(32)
    response = Response(
        version_id=version_id, token_hash=hash_token(token), status="partial",
        channel=channel, language=language, page_index=0, answers={},
    )
    db.session.add(response)
    db.session.commit()
    return response, token


def find_by_token(token: str | None) -> Response | None:
    if not token:
        return None
    return db.session.scalar(select(Response).where(Response.token_hash == hash_token(token)))


def find_by_signed_token(raw: str | None, serializer: URLSafeSerializer) -> Response | None:
    """The response whose resume token a signed cookie value carries; None when forged."""
    if not raw:
        return None
    try:
        token = serializer.loads(raw)
    except BadSignature:
        return None
    return find_by_token(token)


def save_page(
    response: Response, answers: Answers, *, page_fields: tuple[str, ...], page_index: int,
    language: str,
) -> None:
    """Replace one page's answers and remember where the resident is.

    Fields of the page that are absent from ``answers`` were emptied by the resident.
    """
    merged = {k: v for k, v in (response.answers or {}).items() if k not in page_fields}
    merged.update(answers)
    response.answers = merged
    response.page_index = page_index
    response.language = language
    response.updated_at = utcnow()
    db.session.commit()


def complete_response(response: Response, survey: Survey, *, language: str) -> bool:
    """Mark complete exactly once. Returns False when it was already complete (a replay)."""
    final = prune_hidden(survey, dict(response.answers or {}))
    now = utcnow()
    # A conditional UPDATE makes two simultaneous submits complete the response only once.
    result = db.session.execute(
        update(Response)
        .where(Response.id == response.id, Response.status == "partial")
        .values(status="complete", answers=final, language=language, completed_at=now,
                updated_at=now)
    )
    db.session.commit()
    return result.rowcount == 1


def close_partial(response: Response) -> None:
    """End a response without completing it: kept for statistics, never resumable again."""
    response.token_hash = None
    response.updated_at = utcnow()
    db.session.commit()
