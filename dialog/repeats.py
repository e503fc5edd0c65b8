"""Likely repeat answers in open web rounds, found without keeping anyone's address.

An open round cannot stop one person from answering twice, but it can make it visible. When a
response is completed it gets a *client tag*: a keyed hash (BLAKE2b) of the client address
with a random salt of the day. The salts live in the database for two days and are then
deleted, and tags older than ``REPEAT_TAG_HOURS`` are wiped; after that nobody, not even with
the database and the secret key, can tell which address a response came from or whether two
responses came from the same one. While a tag lives, staff see groups of complete responses
with the same tag and exactly the same answers, and may exclude them from the analysis
(status ``excluded``, which every analysis and export leaves out, as they read complete
responses only); each exclusion and re-inclusion is written to the audit log.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app, request
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from . import audit
from .extensions import db
from .models import ClientSalt, Response, SurveyRecord, SurveyVersion, utcnow
from .services.results import facts

EXCLUDED = "excluded"
DEFAULT_TAG_HOURS = 48


@dataclass(frozen=True)
class RepeatGroup:
    """Complete responses from one client with identical answers; the first is kept."""

    response_ids: list[int]
    first_at: datetime
    last_at: datetime
    excluded: int

    @property
    def repeats(self) -> list[int]:
        return self.response_ids[1:]


def _salt(day: date) -> str:
    found = db.session.get(ClientSalt, day)
    if found is not None:
        return found.salt
    # The first completion of a day makes its salt, and clears out what is too old to keep.
    db.session.add(ClientSalt(day=day, salt=secrets.token_hex(32)))
    try:
        db.session.commit()
    except IntegrityError:  # another worker made today's salt first
        db.session.rollback()
    else:
        forget_old_tags()
    return db.session.get(ClientSalt, day, populate_existing=True).salt


def client_tag() -> str:
    """The tag of the requesting client today (see the module docstring)."""
    now = utcnow()
    salt = bytes.fromhex(_salt(now.date()))
    address = (request.remote_addr or "unknown").encode()
    return hashlib.blake2b(address, key=salt, digest_size=16).hexdigest()


def forget_old_tags(now: datetime | None = None) -> None:
    """Delete salts older than yesterday and wipe tags older than the configured hours."""
    now = now or utcnow()
    hours = int(current_app.config.get("REPEAT_TAG_HOURS", DEFAULT_TAG_HOURS))
    db.session.execute(delete(ClientSalt).where(ClientSalt.day < now.date() - timedelta(days=1)))
    db.session.execute(update(Response).where(
        Response.client_tag.is_not(None),
        Response.completed_at < now - timedelta(hours=hours)).values(client_tag=None))
    db.session.commit()


def _digest(answers: dict) -> str:
    return hashlib.sha256(json.dumps(answers, sort_keys=True, ensure_ascii=False)
                          .encode()).hexdigest()


def likely_repeats(record: SurveyRecord) -> list[RepeatGroup]:
    """Groups of two or more responses with one client tag and the same answers."""
    forget_old_tags()
    rows = db.session.execute(
        select(Response.id, Response.client_tag, Response.status, Response.answers,
               Response.completed_at)
        .join(SurveyVersion, Response.version_id == SurveyVersion.id)
        .where(SurveyVersion.survey_id == record.id, Response.client_tag.is_not(None),
               Response.status.in_(("complete", EXCLUDED)))
        .order_by(Response.completed_at, Response.id)).all()
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for row in rows:
        groups[(row.client_tag, _digest(row.answers or {}))].append(row)
    return [RepeatGroup([r.id for r in members], members[0].completed_at,
                        members[-1].completed_at,
                        sum(r.status == EXCLUDED for r in members))
            for members in groups.values() if len(members) > 1]


def set_excluded(record: SurveyRecord, response_ids: list[int], exclude: bool) -> int:
    """Exclude responses from the analysis (or include them again) for the signed-in staff
    member, in the audit log; returns how many changed.

    Only complete (or excluded) responses of ``record`` whose tag still lives can change."""
    version_ids = select(SurveyVersion.id).where(SurveyVersion.survey_id == record.id)
    before, after = ("complete", EXCLUDED) if exclude else (EXCLUDED, "complete")
    changed = db.session.execute(
        update(Response).where(Response.id.in_(response_ids), Response.status == before,
                               Response.version_id.in_(version_ids),
                               Response.client_tag.is_not(None))
        .values(status=after)).rowcount
    # The dashboard reads the kept facts, not the status: they follow in this transaction.
    facts.follow_status(db.session.connection(), response_ids)
    if changed:
        audit.record("responses.exclude" if exclude else "responses.include", record.slug,
                     f"{changed} likely repeat answers: "
                     + ", ".join(map(str, sorted(response_ids))))
    db.session.commit()
    return changed
