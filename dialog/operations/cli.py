"""Operator commands: ``flask --app app backup PATH``, ``restore PATH`` and ``purge``.

Backups are taken while the app serves: SQLite through its online backup API (a consistent
snapshot even while residents write), PostgreSQL through ``pg_dump``. A backup is written
next to its target and renamed into place only when complete and checked.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL

from ..extensions import db
from ..models import utcnow
from ..progress import show_progress
from .retention import plan_purge, purge_version

# Two years after a round closes, unless the municipality decides otherwise.
RETENTION_DAYS = 730


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message says why."""


def _sqlite_check(connection: sqlite3.Connection, what: str) -> None:
    result = connection.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{what}: integrity_check says {result}")
    has_schema = connection.execute(
        "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'").fetchone()[0]
    if not has_schema:
        raise BackupError(f"{what}: not a Medborgardialog database (no alembic_version table)")


def _pg_command(url: URL, tool: str) -> tuple[list[str], dict[str, str]]:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(f"{tool} is not installed (PostgreSQL client tools are needed)")
    env = dict(os.environ)
    if url.password:
        # On the command line the password would show in the process list.
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return [executable, "--dbname", plain.render_as_string(hide_password=False)], env


def backup_database(url: URL, path: Path) -> None:
    """Write a consistent copy of the live database at ``url`` to ``path``."""
    part = path.with_name(path.name + ".part")
    part.unlink(missing_ok=True)
    if url.get_backend_name() == "sqlite":
        with closing(sqlite3.connect(url.database, timeout=30)) as source, \
                closing(sqlite3.connect(part)) as target:
            # One step (pages=-1) reads one snapshot; in WAL mode writers go on meanwhile.
            source.backup(target)
            _sqlite_check(target, str(path))
    elif url.get_backend_name() == "postgresql":
        command, env = _pg_command(url, "pg_dump")
        run = subprocess.run([*command, "--format=custom", "--no-owner", "--file", str(part)],
                             env=env, capture_output=True, text=True)
        if run.returncode != 0:
            part.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {run.stderr.strip()}")
    else:
        raise BackupError(f"backups of {url.get_backend_name()} databases are not supported")
    os.replace(part, path)


def restore_database(url: URL, path: Path) -> None:
    """Replace the contents of the live database at ``url`` with the backup at ``path``."""
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    if url.get_backend_name() == "sqlite":
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as source:
            _sqlite_check(source, str(path))
            with closing(sqlite3.connect(url.database, timeout=30)) as target:
                # The backup API copies under a write lock: readers see old or new, never half.
                source.backup(target)
                _sqlite_check(target, url.database)
    elif url.get_backend_name() == "postgresql":
        command, env = _pg_command(url, "pg_restore")
        run = subprocess.run([*command, "--clean", "--if-exists", "--no-owner",
                              "--single-transaction", str(path)],
                             env=env, capture_output=True, text=True)
        if run.returncode != 0:
            raise BackupError(f"pg_restore failed: {run.stderr.strip()}")
    else:
        raise BackupError(f"restoring {url.get_backend_name()} databases is not supported")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Back up the database to PATH while the app keeps serving."""
    try:
        backup_database(db.engine.url, path)
    except BackupError as error:
        click.echo(f"Säkerhetskopian misslyckades (backup failed): {error}", err=True)
        sys.exit(1)
    click.echo(f"Säkerhetskopia (backup): {path} ({path.stat().st_size} bytes)")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask: replace the database contents.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database contents with the backup at PATH, then upgrade the schema."""
    from flask_migrate import upgrade

    if not yes:
        click.confirm("Allt i databasen ersätts med säkerhetskopian (everything in the database "
                      "is replaced by the backup). Continue?", abort=True)
    url = db.engine.url
    db.session.remove()
    db.engine.dispose()
    try:
        restore_database(url, path)
    except BackupError as error:
        click.echo(f"Återställningen misslyckades (restore failed): {error}", err=True)
        sys.exit(1)
    db.engine.dispose()
    # A backup from an older release gets the tables the current code needs.
    upgrade(revision="head")
    click.echo(f"Återställd från (restored from) {path}")


@click.command("purge")
@click.option("--before", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Delete raw responses from before this date (default: today minus the "
                   "retention period, RETENTION_DAYS).")
@click.option("--apply", "apply_", is_flag=True,
              help="Really delete. Without it nothing is changed (dry run).")
@with_appcontext
def purge_command(before: datetime | None, apply_: bool) -> None:
    """Delete raw responses of closed rounds, keeping aggregated counts. Dry run by default."""
    days = int(current_app.config.get("RETENTION_DAYS", RETENTION_DAYS))
    cutoff = before or (utcnow() - timedelta(days=days)).replace(
        hour=0, minute=0, second=0, microsecond=0)
    plans = plan_purge(cutoff)
    if not plans:
        click.echo(f"Inga svar att gallra före {cutoff:%Y-%m-%d} "
                   "(nothing to purge: no closed round has older responses).")
        return
    for plan in plans:
        click.echo(f"{plan.slug} version {plan.version}: {plan.complete} complete, "
                   f"{plan.partial} partial responses before {cutoff:%Y-%m-%d}")
    if not apply_:
        click.echo("Torrkörning: inget raderat (dry run: nothing deleted). "
                   "Run again with --apply to delete.")
        return
    for plan in plans:
        label = f"{plan.slug} v{plan.version}"
        snapshot = purge_version(plan, cutoff, progress=lambda done, total, label=label:
                                 show_progress(done, total, label))
        click.echo(f"{label}: {snapshot.complete_count + snapshot.partial_count} responses "
                   f"deleted, aggregated counts kept (snapshot {snapshot.id})")
