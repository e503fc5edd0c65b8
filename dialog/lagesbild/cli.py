"""``flask --app app indicators import FILE`` and the lägesbild commands.

Messages are in Swedish, the language of the people who run them (with a short English
gloss where a command's outcome is stated, like the other commands)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from .. import audit
from ..progress import show_progress
from ..table_files import UnreadableTable
from . import indicators, service
from .demo import add_demo_indicators
from .messages import describe_lagesbild_error, describe_problem, describe_unreadable

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
                            progress=lambda done, total: show_progress(done, total, "Värden"))
    echo_changes(plan)


@indicators_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when there are no indicators yet.")
def demo_command(if_empty: bool) -> None:
    """Add two years of synthetic demo figures (labelled as demo) up to last month."""
    if if_empty and indicators.has_indicators():
        click.echo("Det finns redan indikatorer, inga demodata tillagda.")
        return
    rows = add_demo_indicators(date.today())
    click.echo(f"{rows} rader syntetiska demodata tillagda (synthetic demo figures added).")


lagesbild_cli = AppGroup("lagesbild", help="The monthly lägesbild.")


def _fail(error: service.LagesbildError | service.LagesbildStateError) -> None:
    with force_locale("sv"):
        click.echo(describe_lagesbild_error(str(error)), err=True)
    sys.exit(1)


@lagesbild_cli.command("draft")
@click.argument("month")
def draft_command(month: str) -> None:
    """Draft MONTH (YYYY-MM), or rebuild the figures of its draft."""
    try:
        lagesbild = service.draft(month, CLI_ACTOR)
    except (service.LagesbildError, service.LagesbildStateError) as error:
        _fail(error)
        return
    audit.record("lagesbild.draft", f"{lagesbild.period} v{lagesbild.version}", actor=CLI_ACTOR)
    count = len(lagesbild.figures["indicators"])
    click.echo(f"Lägesbild {lagesbild.period} version {lagesbild.version}: utkast med "
               f"{count} indikatorer (draft built). Skriv texterna och godkänn i "
               "personalområdet.")


@lagesbild_cli.command("publish")
@click.argument("month")
def publish_command(month: str) -> None:
    """Publish MONTH once the municipality and the police have approved it."""
    try:
        period = str(service.parse_month(month))
        lagesbild = service.latest(period)
        if lagesbild is None:
            click.echo(f"Det finns ingen lägesbild för {period} (none drafted).", err=True)
            sys.exit(1)
        service.publish(lagesbild, CLI_ACTOR)
    except (service.LagesbildError, service.LagesbildStateError) as error:
        _fail(error)
        return
    audit.record("lagesbild.publish", f"{lagesbild.period} v{lagesbild.version}",
                 actor=CLI_ACTOR)
    click.echo(f"Lägesbild {lagesbild.period} version {lagesbild.version} är publicerad "
               "(published).")
