"""backup/restore while the app serves residents, and purge of closed rounds' raw responses."""

from __future__ import annotations

import sqlite3
import stat
import threading
from contextlib import closing, contextmanager
from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select, text
from werkzeug.serving import make_server

from benchmarks.load import Resident, Tally, random_answers
from dialog.extensions import db
from dialog.models import Response, SurveyRecord
from dialog.operations.models import RetentionSnapshot
from dialog.operations.retention import RESPONSES_FIELD, aggregate, retained_counts
from tests.dialog.helpers import walk

# On PostgreSQL too: backups (pg_dump), restores and purges while the app serves.
pytestmark = pytest.mark.postgres


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@contextmanager
def serving(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join()


def complete_count(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(Response.id)).where(Response.status == "complete"))


def markers(app) -> set[str]:
    with app.app_context():
        return {a.get("tryggare") for a in db.session.scalars(
            select(Response.answers).where(Response.status == "complete"))}


def test_backup_and_restore_round_trip_while_serving(app, survey, tmp_path):
    tally, stop = Tally(), threading.Event()
    with serving(app) as port:
        residents = [Resident(i, port, survey, tally, stop) for i in range(3)]
        for r in residents:
            r.walk()
        threads = [threading.Thread(target=r.run) for r in residents]
        for t in threads:
            t.start()
        backup = tmp_path / "backup.dump"
        result = run(app, "backup", str(backup))
        stop.set()
        for t in threads:
            t.join()
        assert result.exit_code == 0, result.output + result.stderr
        assert backup.stat().st_size > 0
        assert tally.errors == []
        after_backup = markers(app)
        assert len(after_backup) == tally.thanks >= 3

        result = run(app, "restore", "--yes", str(backup))
        assert result.exit_code == 0, result.output + result.stderr
        restored = markers(app)
        # The backup holds a consistent moment: at least the walks finished before it began.
        first = {m for m in tally.acknowledged if m.split("-")[2] == "1"}
        assert first <= restored <= after_backup
        # The server keeps serving the restored database.
        late = Resident(99, port, survey, tally, stop)
        late.walk()
        assert markers(app) == restored | {m for m in tally.acknowledged
                                           if m.startswith("bench-99-")}


def test_backup_refuses_a_missing_target_folder(app, tmp_path):
    result = run(app, "backup", str(tmp_path / "missing" / "b.dump"))
    assert result.exit_code != 0


def test_restore_refuses_a_file_that_is_not_a_backup(app, tmp_path):
    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"not a database at all" * 100)
    before = complete_count(app)
    result = run(app, "restore", "--yes", str(junk))
    assert result.exit_code == 1
    assert complete_count(app) == before


def _close_round(app, closes: datetime | None = None) -> None:
    with app.app_context():
        record = db.session.scalar(select(SurveyRecord))
        record.status = "closed" if closes is None else "open"
        record.closes_at = closes
        db.session.commit()


def _age_responses(app, days: int) -> None:
    with app.app_context():
        for response in db.session.scalars(select(Response)):
            response.completed_at = (response.completed_at or datetime(2020, 1, 1)) \
                - timedelta(days=days)
            response.updated_at = response.updated_at - timedelta(days=days)
        db.session.commit()


def test_purge_is_a_dry_run_by_default_and_keeps_aggregates(app, client, csrf, survey):
    for _ in range(3):
        walk(app.test_client(), csrf, survey)
    walk(client, csrf, survey, stop_after=2)  # one partial response
    _age_responses(app, 800)
    with app.app_context():
        rows = [(r.status, r.answers, r.sample_stratum)
                for r in db.session.scalars(select(Response))]
    expected = aggregate(survey, rows)

    result = run(app, "purge", "--before", "2099-01-01")
    assert "nothing to purge" in result.output  # the round is still open
    _close_round(app)
    result = run(app, "purge", "--before", "2099-01-01")
    assert result.exit_code == 0 and "dry run" in result.output
    assert "3 complete, 1 partial" in result.output
    assert complete_count(app) == 3

    result = run(app, "purge")  # default cut-off: today minus RETENTION_DAYS (730)
    assert result.exit_code == 0 and "3 complete, 1 partial" in result.output
    result = run(app, "purge", "--apply")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 0
        snapshot = db.session.scalar(select(RetentionSnapshot))
        assert (snapshot.complete_count, snapshot.partial_count) == (3, 1)
        kept = retained_counts(snapshot.version_id)
    assert kept == dict(expected)
    assert sum(n for key, n in kept.items() if key[:2] == (RESPONSES_FIELD, "complete")) == 3
    free_text = {q.id for q in survey.questions() if q.type == "free_text"}
    assert not {key[0] for key in kept} & free_text
    assert "nothing to purge" in run(app, "purge", "--apply").output


def test_purge_keeps_young_responses_and_open_rounds(app, csrf, survey):
    walk(app.test_client(), csrf, survey)
    _close_round(app, closes=datetime(2099, 1, 1))  # open until 2099
    assert "nothing to purge" in run(app, "purge", "--before", "2099-01-01").output
    _close_round(app)
    assert "nothing to purge" in run(app, "purge", "--before", "2000-01-01", "--apply").output
    assert complete_count(app) == 1


def test_aggregate_counts_cells_and_multiple_choices(survey):
    rng = np.random.default_rng(7)
    rows = []
    for _ in range(20):
        answers: dict = {}
        for index in range(len(survey.pages)):
            answers.update(random_answers(survey, index, answers, rng))
        rows.append(("complete", {k: v for k, v in answers.items() if v != ""}, None))
    counts = aggregate(survey, rows)
    assert sum(n for k, n in counts.items() if k[0] == RESPONSES_FIELD) == 20
    picks = sum(len(a.get("prioritera", [])) for _, a, _stratum in rows)
    # One answer of several codes is kept whole: its codes, joined.
    assert sum(n * len(k[1].split(" ")) for k, n in counts.items()
               if k[0] == "prioritera") == picks
    cell = (rows[0][1]["alder"], rows[0][1]["kon"], rows[0][1]["omrade"], None)
    assert counts[(RESPONSES_FIELD, "complete", *cell)] >= 1


def _refused(app, path, words: str) -> None:
    before = complete_count(app)
    result = run(app, "restore", "--yes", str(path))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "restore failed" in result.output + result.stderr
    assert words in result.output + result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert complete_count(app) == before


def test_restore_refuses_random_truncated_empty_and_newer_files(app, csrf, survey, tmp_path):
    app.config["RESTORE_SAFETY_DIR"] = str(tmp_path / "safety")
    walk(app.test_client(), csrf, survey)
    good = tmp_path / "good.backup"
    assert run(app, "backup", str(good)).exit_code == 0
    random_file = tmp_path / "random.backup"
    random_file.write_bytes(np.random.default_rng(3).bytes(50_000))
    _refused(app, random_file, "not a readable")
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    _refused(app, truncated, "")
    empty = tmp_path / "empty.backup"
    with closing(sqlite3.connect(empty)) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
    _refused(app, empty, "not a ")  # not a Medborgardialog database, or not a pg_dump file
    newer = tmp_path / "newer.backup"
    with app.app_context():
        current = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        db.session.commit()
    assert run(app, "backup", str(newer)).exit_code == 0
    with app.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
        db.session.commit()
    _refused(app, newer, "newer release")


def test_backups_are_private_and_a_restore_keeps_a_safety_copy(app, csrf, survey, tmp_path):
    app.config["RESTORE_SAFETY_DIR"] = str(tmp_path / "safety")
    walk(app.test_client(), csrf, survey)
    backup = tmp_path / "b.backup"
    assert run(app, "backup", str(backup)).exit_code == 0
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    walk(app.test_client(), csrf, survey)  # an answer after the backup
    result = run(app, "restore", "--yes", str(backup))
    assert result.exit_code == 0, result.output + result.stderr
    assert complete_count(app) == 1
    [safety] = (tmp_path / "safety").glob("before-restore-*.backup")
    assert str(safety) in result.output and stat.S_IMODE(safety.stat().st_mode) == 0o600
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):  # a PostgreSQL database has no file to overwrite
        live = url.removeprefix("sqlite:///")
        refused = run(app, "backup", live)
        assert refused.exit_code == 1 and "live database" in refused.output + refused.stderr
        assert complete_count(app) == 1
