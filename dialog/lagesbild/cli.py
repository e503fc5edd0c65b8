"""``flask --app app indicators import FILE`` and the lägesbild commands.

Messages are in Swedish, the language of the people who run them (with a short English
gloss where a command's outcome is stated, like the other commands)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from ..progress import show_progress
from ..table_files import UnreadableTable
from . import indicators
from .messages import describe_problem, describe_unreadable

CLI_ACTOR = "kommandorad"

indicators_cli = AppGroup("indicators", help="Indicator figures from other sources.")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}".replace(".", ",")


def _area(area: str) -> str:
    return area or "hela kommunen"


def echo_changes(plan: indicators.ImportPlan) -> None:
    """What an import changed, period by period (unchanged periods in one line)."""
    for change in plan.changes:
        if not (change.added or change.changed or change.removed):
            continue
        if change.is_new:
            click.echo(f"{change.indicator} {change.period}: ny, "
                       f"{len(change.added)} värden")
            continue
        parts = [f"{_area(a)} {_number(old)} → {_number(new)}" for a, old, new in change.changed]
        parts += [f"{_area(a)} ny {_number(v)}" for a, v in change.added]
        parts += [f"{_area(a)} borttagen (var {_number(v)})" for a, v in change.removed]
        click.echo(f"{change.indicator} {change.period}: ersatt – " + "; ".join(parts))
    s = plan.summary()
    click.echo(f"{s['rows']} rader, {s['periods']} perioder: {s['added']} nya, "
               f"{s['changed']} ändrade, {s['removed']} borttagna, {s['unchanged']} oförändrade "
               f"värden. Nya indikatorer: {', '.join(plan.new_series) or 'inga'}.")


@indicators_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(path: Path) -> None:
    """Import a CSV or XLSX file with the columns indicator, period, area, value (and
    optionally label, label_en, category, unit, source, rise_is_bad, sensitive)."""
    with force_locale("sv"):
        try:
            plan = indicators.plan_import(path.read_bytes(), path.name)
        except UnreadableTable as error:
            click.echo(f"{path.name}: {describe_unreadable(error)}", err=True)
            sys.exit(1)
        if plan.problems:
            for problem in plan.problems:
                click.echo(f"{path.name}: {describe_problem(problem, plan.table.header)}",
                           err=True)
            click.echo(f"Inget importerades ({len(plan.problems)} fel) – nothing imported.",
                       err=True)
            sys.exit(1)
    indicators.apply_import(plan, CLI_ACTOR, path.name,
                            progress=lambda done, total: show_progress(done, total, "Perioder"))
    echo_changes(plan)
