"""Answers read from the database that a server process may reuse for a few seconds.

Every resident request asks the same things about a round (is it open, which version, is
there a signed löfte to link to), hundreds of times a second under load. Each server process
keeps such answers for ``SURVEY_REF_CACHE_SECONDS``: a change staff make in one process is
seen there at once (the cache is emptied when a watched model is flushed), in the other
processes at the latest that many seconds later.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

T = TypeVar("T")
_caches: list[RecentReads] = []


class RecentReads(Generic[T]):
    """``reads.get(key, compute)``: ``compute()`` at most once per key and period.

    Kept on the app, not the module: each app (tests build many) has its own database.
    """

    def __init__(self, name: str, watched: tuple[type, ...], keep_none: bool = True) -> None:
        self.name = f"recent_reads.{name}"
        self.watched = watched
        # Not keeping None lets made-up addresses (unknown slugs) fill no memory.
        self.keep_none = keep_none
        _caches.append(self)

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        entries = current_app.extensions.setdefault(self.name, {})
        now = time.monotonic()
        hit = entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = compute()
        if value is not None or self.keep_none:
            entries[key] = (now + current_app.config["SURVEY_REF_CACHE_SECONDS"], value)
        return value

    def forget(self) -> None:
        if has_app_context():
            current_app.extensions.pop(self.name, None)


@event.listens_for(Session, "after_flush")
def _forget_changed(session: Session, _context) -> None:
    changed = {type(obj) for obj in (*session.new, *session.dirty, *session.deleted)}
    for cache in _caches:
        if any(issubclass(kind, cache.watched) for kind in changed):
            cache.forget()
