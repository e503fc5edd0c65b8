"""Operator commands: ``flask --app app backup PATH``, ``restore PATH``, ``purge`` and
``nginx-config``.

Backups are taken while the app serves: SQLite through its online backup API (a consistent
snapshot even while residents write), PostgreSQL through ``pg_dump``. A backup is written
next to its target and renamed into place only when complete and checked.
"""

from __future__ import annotations

import itertools
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

from ..deployment import render_nginx_config
from ..extensions import db
from ..models import utcnow
from ..progress import show_progress
from .retention import plan_purge, purge_version

# Two years after a round closes, unless the municipality decides otherwise.
RETENTION_DAYS = 730


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message says why."""


# Tables every Medborgardialog database has; a file without them holds nothing to restore.
_CORE_TABLES = ("alembic_version", "survey", "survey_version", "response", "user_account")


def _sqlite_check(connection: sqlite3.Connection, what: str,
                  known_revisions: set[str] | None = None) -> None:
    """Refuse a file that is not a whole Medborgardialog database: unreadable (random or
    truncated), without the tables, or (with ``known_revisions``) from a newer release."""
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"{what}: integrity_check says {result}")
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in _CORE_TABLES if t not in tables]
        if missing:
            raise BackupError(f"{what}: not a Medborgardialog database (no table "
                              f"{', '.join(missing)})")
        revisions = {row[0] for row in connection.execute(
            "SELECT version_num FROM alembic_version")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{what}: not a readable SQLite database ({error})") from error
    if not revisions:
        raise BackupError(f"{what}: the schema version is missing")
    if known_revisions is not None and not revisions <= known_revisions:
        raise BackupError(f"{what}: made by a newer release (schema {', '.join(sorted(revisions))})"
                          "; install that release first")


def _pg_check(command: list[str], env: dict[str, str], path: Path,
              known_revisions: set[str] | None) -> None:
    """The schema version inside a pg_dump file, checked like :func:`_sqlite_check`."""
    listing = subprocess.run([command[0], "--data-only", "--table=alembic_version",
                              "--file=-", str(path)], env=env, capture_output=True, text=True)
    if listing.returncode != 0:
        raise BackupError(f"{path}: not a readable backup ({listing.stderr.strip()})")
    lines = listing.stdout.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("COPY ")), None)
    revisions = set()
    if start is not None:
        revisions = set(itertools.takewhile(lambda line: line != "\\.", lines[start + 1:]))
    if not revisions:
        raise BackupError(f"{path}: not a Medborgardialog database (no schema version)")
    if known_revisions is not None and not revisions <= known_revisions:
        raise BackupError(f"{path}: made by a newer release (schema {', '.join(sorted(revisions))})"
                          "; install that release first")


def _private_file(path: Path) -> None:
    """Create ``path`` empty and readable by the owner only (backups hold every answer)."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))


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
    """Write a consistent copy of the live database at ``url`` to ``path`` (mode 0600)."""
    if url.get_backend_name() == "sqlite" and path.resolve() == Path(url.database).resolve():
        raise BackupError(f"{path} is the live database itself; choose another file")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent}: no such folder")
    part = path.with_name(path.name + ".part")
    _private_file(part)
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


def restore_database(url: URL, path: Path, known_revisions: set[str] | None = None) -> None:
    """Replace the contents of the live database at ``url`` with the backup at ``path``.

    The backup is checked before anything is touched (see :func:`_sqlite_check`)."""
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    if url.get_backend_name() == "sqlite":
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as source:
            _sqlite_check(source, str(path), known_revisions)
            with closing(sqlite3.connect(url.database, timeout=30)) as target:
                # The backup API copies under a write lock: readers see old or new, never half.
                source.backup(target)
                _sqlite_check(target, url.database)
    elif url.get_backend_name() == "postgresql":
        command, env = _pg_command(url, "pg_restore")
        _pg_check(command, env, path, known_revisions)
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
    from alembic.script import ScriptDirectory

    url = db.engine.url
    known = {s.revision for s in ScriptDirectory(
        current_app.extensions["migrate"].directory).walk_revisions()}
    db.session.remove()
    db.engine.dispose()
    # What is there now is kept first: a wrong file restored by mistake can be undone.
    folder = Path(current_app.config.get("RESTORE_SAFETY_DIR") or current_app.instance_path)
    safety = folder / f"before-restore-{utcnow():%Y%m%d-%H%M%S}.backup"
    try:
        if url.get_backend_name() == "sqlite":
            with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as source:
                _sqlite_check(source, str(path), known)
        safety.parent.mkdir(parents=True, exist_ok=True)
        backup_database(url, safety)
        restore_database(url, path, known)
    except BackupError as error:
        click.echo(f"Återställningen misslyckades (restore failed): {error}", err=True)
        sys.exit(1)
    click.echo(f"Kopia av databasen före återställningen (copy taken before the restore): "
               f"{safety}")
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


@click.command("nginx-config")
@click.option("--server-name", default="trygghet.kommun.se", show_default=True,
              help="The public host name.")
@click.option("--upstream", "upstreams", multiple=True, default=["127.0.0.1:8000"],
              show_default=True, help="An app server, HOST:PORT; repeat for several.")
@click.option("--cert", help="TLS certificate chain [default: Let's Encrypt's for the name].")
@click.option("--key", help="TLS private key [default: Let's Encrypt's for the name].")
@click.option("--listen", default="443", show_default=True, help="PORT or ADDRESS:PORT.")
@click.option("--static-root", help="The app's static folder [default: this installation's].")
@click.option("--error-log", default="/var/log/nginx/error.log", show_default=True)
@click.option("--http-redirect/--no-http-redirect", default=True, show_default=True,
              help="Redirect plain http on port 80 to https.")
@with_appcontext
def nginx_config_command(server_name: str, upstreams: tuple[str, ...], cert: str | None,
                         key: str | None, listen: str, static_root: str | None,
                         error_log: str, http_redirect: bool) -> None:
    """Print the nginx site configuration for this installation."""
    letsencrypt = f"/etc/letsencrypt/live/{server_name}"
    try:
        text = render_nginx_config(
            server_name=server_name, upstreams=upstreams,
            certificate=cert or f"{letsencrypt}/fullchain.pem",
            key=key or f"{letsencrypt}/privkey.pem",
            static_root=static_root or current_app.static_folder or "",
            max_body_bytes=int(current_app.config["MAX_CONTENT_LENGTH"]), listen=listen,
            error_log=error_log, http_redirect=http_redirect)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error
    click.echo(text, nl=False)
