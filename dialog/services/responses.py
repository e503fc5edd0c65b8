"""Starting, saving and completing a resident's response.

A response is created when the resident starts, saved on every Next, and completed once.
The resident holds only a random resume token (in a signed cookie); the database keeps its
sha256, so a leaked database cannot be used to resume someone else's answers.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Column, Table, bindparam, delete, insert, select, update

from surveys import Answers, Survey, prune_hidden

from ..extensions import db
from ..models import Response, utcnow
from .results import facts

_table = Response.__table__


@dataclass(frozen=True)
class OpenResponse:
    """What a resident request needs of a response, read without the ORM: every page view
    and every Next reads one, so loading an ORM object each time was a third of the work."""

    id: int
    version_id: int
    status: str
    channel: str
    language: str
    page_index: int
    answers: Answers
    updated_at: datetime


# Built once: these run on every resident request, and building a statement costs more than
# running it on SQLite. Executed on the connection, past the ORM session's bookkeeping.
_FIND = (select(_table.c.id, _table.c.version_id, _table.c.status, _table.c.channel,
                _table.c.language, _table.c.page_index, _table.c.answers, _table.c.updated_at)
         .where(_table.c.token_hash == bindparam("token_hash")))
_INSERT = insert(_table).returning(_table.c.id)
_SAVE = update(_table).where(_table.c.id == bindparam("response_id"))
_COMPLETE = (update(_table)
             .where(_table.c.id == bindparam("response_id"), _table.c.status == "partial"))


def _execute(statement, params: dict):
    return db.session.connection().execute(statement, params)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_response(version_id: int, *, language: str, channel: str = "web") -> tuple[
    OpenResponse, str
]:
    """Create a partial response; returns it with the plain resume token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    values = {"version_id": version_id, "status": "partial", "channel": channel,
              "language": language, "page_index": 0, "answers": {}, "updated_at": now}
    new_id = _execute(_INSERT, {"token_hash": hash_token(token), "started_at": now,
                                **values}).scalar_one()
    db.session.commit()
    return OpenResponse(id=new_id, **values), token


def find_by_token(token: str | None) -> OpenResponse | None:
    if not token:
        return None
    row = _execute(_FIND, {"token_hash": hash_token(token)}).first()
    return OpenResponse(*row) if row is not None else None


def find_by_signed_token(raw: str | None, serializer: URLSafeSerializer) -> OpenResponse | None:
    """The response whose resume token a signed cookie value carries; None when forged."""
    if not raw:
        return None
    try:
        token = serializer.loads(raw)
    except BadSignature:
        return None
    return find_by_token(token)


def _merged(response: OpenResponse, answers: Answers, page_fields: tuple[str, ...]) -> Answers:
    # Fields of the page that are absent from ``answers`` were emptied by the resident.
    merged = {k: v for k, v in response.answers.items() if k not in page_fields}
    merged.update(answers)
    return merged


def save_page(
    response: OpenResponse, answers: Answers, *, page_fields: tuple[str, ...], page_index: int,
    language: str,
) -> None:
    """Replace one page's answers and remember where the resident is."""
    _execute(_SAVE, {"response_id": response.id, "page_index": page_index,
                     "answers": _merged(response, answers, page_fields), "language": language,
                     "updated_at": utcnow()})
    db.session.commit()


def complete_response(
    response: OpenResponse, survey: Survey, answers: Answers, *, page_fields: tuple[str, ...],
    language: str, client_tag: str | None = None,
) -> bool:
    """Save the last page and mark the response complete, exactly once.

    ``client_tag`` is the short-lived tag of :mod:`dialog.repeats`. Returns False when it was
    already complete (a replay)."""
    final = prune_hidden(survey, _merged(response, answers, page_fields))
    now = utcnow()
    values = {"response_id": response.id, "status": "complete", "answers": final,
              "language": language, "completed_at": now, "updated_at": now,
              "client_tag": client_tag}
    if response.channel == "kiosk":
        values["token_hash"] = None  # the next person at the kiosk must not get back in
    # A conditional UPDATE makes two simultaneous submits complete the response only once.
    result = _execute(_COMPLETE, values)
    completed = result.rowcount == 1
    if completed:
        facts.record_completed(db.session.connection(), response.id, response.version_id,
                               survey, channel=response.channel, language=language,
                               answers=final)
    db.session.commit()
    return completed


def reissue_token(response_id: int) -> str:
    """A new resume token for a partial response (an invitation code typed on another
    device); the old device's cookie stops working."""
    token = secrets.token_urlsafe(32)
    db.session.execute(update(Response).where(Response.id == response_id)
                       .values(token_hash=hash_token(token), updated_at=utcnow()))
    db.session.commit()
    return token


def forget_token(response: OpenResponse) -> None:
    """Nobody can continue this response again; a partial one is kept (how many stop, where)."""
    _execute(_SAVE, {"response_id": response.id, "token_hash": None, "updated_at": utcnow()})
    db.session.commit()


def _tables_linked_to_responses() -> list[tuple[Table, Column]]:
    """(table, column) of every foreign key that points at a response: found from the schema,
    so a table added later (which kiosk took it, its analysed fields, ...) cannot be forgotten
    when responses are deleted."""
    target = _table.c.id
    return [(table, fk.parent) for table in db.metadata.sorted_tables
            for fk in table.foreign_keys if fk.column is target]


def release_linked_rows(response_ids: list[int]) -> None:
    """Before responses are deleted: rows that belong to them (which kiosk took one, its
    analysed fields, ...) are deleted; a row that only may point at one (a sample member's
    answer) stays and loses the link, so the person stays in the sample."""
    connection = db.session.connection()
    for table, column in _tables_linked_to_responses():
        if column.nullable:
            connection.execute(update(table).where(column.in_(response_ids))
                               .values({column.name: None}))
        else:
            connection.execute(delete(table).where(column.in_(response_ids)))


def delete_partial(response: OpenResponse) -> bool:
    """Delete a response the resident stopped and asked to remove, with every row that belongs
    to it. Only while it is partial: a completed response is no longer anyone's to take back
    (nothing ties it to the person). Returns whether it was deleted."""
    if response.status != "partial":
        return False
    release_linked_rows([response.id])
    connection = db.session.connection()
    # Conditional, like completing: if it was completed meanwhile, nothing is deleted at all.
    deleted = connection.execute(delete(_table).where(
        _table.c.id == response.id, _table.c.status == "partial")).rowcount == 1
    if deleted:
        db.session.commit()
    else:
        db.session.rollback()
    return deleted


def add_paper_response(version_id: int, survey: Survey, answers: Answers, *,
                       language: str) -> int:
    """Store a paper questionnaire typed in by staff as one complete response; returns its id.

    It has no token: nobody resumes a paper questionnaire."""
    now = utcnow()
    response = Response(
        version_id=version_id, token_hash=None, status="complete", channel="paper",
        language=language, page_index=len(survey.pages) - 1,
        answers=prune_hidden(survey, answers), started_at=now, updated_at=now, completed_at=now,
    )
    db.session.add(response)
    db.session.flush()
    facts.record_completed(db.session.connection(), response.id, response.version_id, survey,
                           channel="paper", language=language, answers=response.answers)
    db.session.commit()
    return response.id
