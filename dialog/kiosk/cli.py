"""Operator commands: ``flask --app app kiosk add-device NAME`` and ``kiosk set-idle``."""

from __future__ import annotations

import sys

import click
from flask import current_app, url_for
from flask.cli import AppGroup

from ..services import catalog
from . import devices

kiosk_cli = AppGroup("kiosk", help="Kiosk computers and how long a screen waits.")


@kiosk_cli.command("add-device")
@click.argument("name")
def add_device_command(name: str) -> None:
    """Register a kiosk computer. Prints its one-time code (15 minutes) on standard output."""
    device, code = devices.register_device(name, created_by="cli")
    # The path only: the command does not know under which host name the app is served.
    with current_app.test_request_context():
        page = url_for("kiosk.register")
    click.echo(f"Kiosk '{device.name}' registrerad (registered). Öppna {page} på kiosken och "
               f"skriv koden inom 15 minuter (open on the kiosk and type the code):", err=True)
    click.echo(code)


@kiosk_cli.command("set-idle")
@click.argument("slug")
@click.argument("idle", type=int)
@click.option("--warning", type=int, default=None,
              help="Seconds before the reset that the notice shows (default: a sixth).")
def set_idle_command(slug: str, idle: int, warning: int | None) -> None:
    """Seconds without activity before a kiosk clears the screen for this survey."""
    record = catalog.find_survey(slug)
    if record is None:
        click.echo(f"Enkäten '{slug}' finns inte (survey not found).", err=True)
        sys.exit(1)
    warning = max(1, idle // 6) if warning is None else warning
    try:
        times = devices.set_idle_times(record, idle, warning)
    except ValueError as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    click.echo(f"{slug}: {times.idle} s, varning (warning) {times.warning} s före")
