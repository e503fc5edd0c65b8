"""Crash safety: SIGKILL the server in the middle of a load; nothing acknowledged is lost."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest

from benchmarks.load import MARKER_FIELD, Resident, Server, Tally, stored_responses
from surveys import load_definition
from surveys.templates import builtin_template_path

# On PostgreSQL too: a server killed under load on each database.
pytestmark = pytest.mark.postgres


def _load(server: Server, survey, tally: Tally, first: int, until: Callable[[], bool]
          ) -> tuple[threading.Event, list[threading.Thread]]:
    """Residents walk until ``until()`` holds. It waits for answers, not for a number of
    seconds, so a slow or busy machine changes how long it takes, never the outcome."""
    stop = threading.Event()
    residents = [Resident(first + i, server.port, survey, tally, stop) for i in range(8)]
    threads = [threading.Thread(target=r.run, daemon=True) for r in residents]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 300
    while not until() and time.monotonic() < deadline:
        time.sleep(0.05)
    return stop, threads


def test_sigkill_during_load_loses_no_acknowledged_answer(database_url):
    survey = load_definition(builtin_template_path("trygghet"))
    server = Server(database_url, workers=2)
    server.prepare()
    server.start()
    tally = Tally()
    try:
        stop, threads = _load(server, survey, tally, first=0,
                              until=lambda: len(tally.acknowledged) >= 5)
        server.kill()  # mid-request: residents see broken connections
        stop.set()
        for t in threads:
            t.join(timeout=30)
        acknowledged_before = dict(tally.acknowledged)
        assert len(acknowledged_before) >= 5
        server.start()
        stop, threads = _load(server, survey, tally, first=100,
                              until=lambda: any(int(m.split("-")[1]) >= 100
                                                for m in list(tally.acknowledged)))
        stop.set()
        for t in threads:
            t.join(timeout=30)
    finally:
        server.stop()

    rows = stored_responses(database_url)
    complete = Counter(a.get(MARKER_FIELD) for status, a in rows if status == "complete")
    assert all(n == 1 for n in complete.values()), "a completed response was stored twice"
    for marker, sent in tally.acknowledged.items():
        assert complete[marker] == 1, marker
        stored = next(a for s, a in rows if s == "complete" and a.get(MARKER_FIELD) == marker)
        for key, value in sent.items():
            assert stored[key] == value or sorted(stored[key]) == sorted(value), key
    # Walks after the restart work: the server came back with its data.
    assert any(int(m.split("-")[1]) >= 100 for m in tally.acknowledged)
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_sqlite_syncs_every_commit_to_disk(tmp_path):
    """A SIGKILL cannot show it, a power cut would: with WAL, only synchronous=FULL makes a
    commit durable before the resident sees the next page."""
    from dialog import create_app
    from dialog.extensions import db

    app = create_app({"TESTING": True, "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'sync.db'}"})
    with app.app_context():
        connection = db.session.connection()
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        db.session.close()
        db.engine.dispose()
