"""Command-line work for staff and operators: ``flask --app app <command>``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, insert, select

from surveys import (
    DefinitionError,
    analysis_spec,
    builtin_template_path,
    load_definition,
    survey_from_dict,
    survey_to_dict,
)
from surveys.importers import UnreadableFile, import_file
from surveys.templates import with_template_intro

from .extensions import db
from .models import Response, SurveyVersion, utcnow
from .progress import show_progress
from .services import catalog
from .services.export import codebook_table, iter_csv, iter_responses_csv
from .services.results import facts


@click.command("init-db")
@click.option("--load-builtin", "builtin", is_flag=True,
              help="Then publish the built-in survey, as load-builtin does (one start-up "
                   "instead of two: `make serve` runs both before every start).")
@with_appcontext
def init_db_command(builtin: bool) -> None:
    """Create or upgrade the database schema to the newest migration."""
    from flask_migrate import upgrade

    os.makedirs(current_app.instance_path, exist_ok=True)
    upgrade(revision="head")
    click.echo("Databasen är uppdaterad (database schema is up to date).")
    if builtin:
        _publish_builtin()


@click.command("load-survey")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--status", type=click.Choice(["draft", "open", "closed"]), default=None,
              help="Status of the survey round (a new survey starts as a draft).")
@click.option("--open", "open_", is_flag=True,
              help="Open the round to residents at once (the same as --status open).")
@click.option("--unlisted", is_flag=True,
              help="Not on the residents' start page: answered through its own address only "
                   "(a test round, one school's round).")
@click.option("--skip-unsupported", is_flag=True,
              help="Import a LimeSurvey/XLSForm file without the elements we cannot represent.")
@with_appcontext
def load_survey_command(path: Path, status: str | None, open_: bool, unlisted: bool,
                        skip_unsupported: bool) -> None:
    """Validate a definition (.yaml, .lss, .xlsx) and publish it.

    A changed definition becomes a new version; an unchanged one is kept as it is. A new
    survey starts as a draft, as after a staff upload, so that a test or an import never
    appears to residents by mistake: staff open it, or ``--open`` does.
    """
    if open_:
        status = "open"
    try:
        result = import_file(path)
    except (DefinitionError, UnreadableFile) as error:
        click.echo(f"{path}: definitionen har fel (the definition has errors):", err=True)
        problems = getattr(error, "problems", None) or str(error).splitlines()
        for problem in problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(1)
    if result.unsupported:
        click.echo(f"{path}: {len(result.unsupported)} delar kan inte föras över "
                   "(elements that cannot be imported):", err=True)
        for element in result.unsupported:
            click.echo(f"  - {element}", err=True)
        click.echo(f"{path}: {result.kept_questions} av {result.source_questions} frågor kan "
                   f"föras över, {result.share:.0%} (of the questions in the file, "
                   f"{result.kept_questions} can be imported).", err=True)
        if not skip_unsupported:
            click.echo("Inget importerades. Kör igen med --skip-unsupported för att importera "
                       "resten (nothing imported; use --skip-unsupported).", err=True)
            sys.exit(1)
    survey = with_template_intro(result.survey)
    try:
        survey_from_dict(survey_to_dict(survey))
    except DefinitionError as error:
        click.echo(f"{path}: den importerade enkäten är inte giltig (imported survey is not "
                   "valid):", err=True)
        for problem in error.problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(1)
    new = catalog.find_survey(survey.slug) is None
    published = catalog.publish(survey, status=status or ("draft" if new else None),
                                listed=False if unlisted else None)
    state = "ny version" if published.created else "oförändrad"
    click.echo(f"{published.slug} version {published.version} ({state})")
    if new and status is None:
        click.echo("Enkäten är ett utkast: öppna den i personalområdet eller kör med --open "
                   "(a draft: open it in the staff area, or load it with --open).")


@click.command("load-builtin")
@with_appcontext
def load_builtin_command() -> None:
    """Publish the built-in trygghetsundersökning (kept as is when unchanged)."""
    _publish_builtin()


def _publish_builtin() -> None:
    published = catalog.publish(load_definition(builtin_template_path("trygghet")))
    click.echo(f"{published.slug} version {published.version}")


@click.command("seed-demo")
@click.option("--responses", "count", type=click.IntRange(min=0), default=None,
              help="Number of complete responses (default from config).")
@click.option("--seed", type=int, default=2026)
@click.option("--slug", default="trygghet")
@click.option("--if-empty", is_flag=True, help="Only add responses when the survey has none.")
@with_appcontext
def seed_demo_command(count: int | None, seed: int, slug: str, if_empty: bool) -> None:
    """Add synthetic demo responses (skewed like a self-selected sample)."""
    from .demo import DemoGenerator

    record = catalog.find_survey(slug)
    if record is None or record.current_version is None:
        click.echo(f"Enkäten '{slug}' finns inte (survey not found). Kör load-survey först.",
                   err=True)
        sys.exit(1)
    existing = db.session.scalar(
        select(func.count(Response.id)).join(SurveyVersion)
        .where(SurveyVersion.survey_id == record.id))
    if if_empty and existing:
        click.echo(f"{slug}: har redan {existing} svar, inga demosvar tillagda.")
        return
    count = current_app.config["DEMO_RESPONSES"] if count is None else count
    survey = catalog.definition_of(record.current_version)
    generator = DemoGenerator(survey, seed)
    now = utcnow()
    batch: list[dict] = []
    for i in range(1, count + 1):
        completed = generator.completed_at(now)
        batch.append({
            "version_id": record.current_version_id, "status": "complete", "token_hash": None,
            "channel": generator.channel(), "language": generator.language(),
            "page_index": len(survey.pages) - 1, "answers": generator.response(),
            "started_at": completed, "updated_at": completed, "completed_at": completed,
        })
        if len(batch) == 5000 or i == count:
            db.session.execute(insert(Response), batch)
            db.session.commit()
            batch.clear()
            show_progress(i, count, "Demosvar")
    # Written past the services in bulk: the analysed fields are coded in one go.
    facts.refresh(db.session.connection(), record.id, facts.FactLayout(analysis_spec(survey)))
    db.session.commit()
    click.echo(f"{slug}: {count} demosvar tillagda (seed {seed}).")


@click.command("export")
@click.argument("slug")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write; without it the CSV goes to standard output.")
@click.option("--codebook", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Codebook file (default: next to --out, named <out>-codebook.csv).")
@click.option("--excel", is_flag=True, help="Semicolons and a UTF-8 BOM for Swedish Excel.")
@with_appcontext
def export_command(slug: str, out: Path | None, codebook: Path | None, excel: bool) -> None:
    """Export complete responses as CSV (codes, one column per question/item) and the
    codebook."""
    record = catalog.find_survey(slug)
    if record is None or record.current_version is None:
        click.echo(f"Enkäten '{slug}' finns inte (survey not found).", err=True)
        sys.exit(1)
    survey = catalog.definition_of(record.current_version)
    delimiter = ";" if excel else ","
    if codebook is None and out is not None:
        codebook = out.with_name(out.stem + "-codebook.csv")
    chunks = iter_responses_csv(record, survey, delimiter=delimiter, bom=excel)
    if out is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
    else:
        with out.open("w", encoding="utf-8", newline="") as handle:
            for chunk in chunks:
                handle.write(chunk)
        click.echo(f"Svar: {out}", err=True)
    if codebook is not None:
        with codebook.open("w", encoding="utf-8", newline="") as handle:
            for chunk in iter_csv(iter(codebook_table(survey)), delimiter=delimiter, bom=excel):
                handle.write(chunk)
        click.echo(f"Kodbok: {codebook}", err=True)


def init_app(app: Flask) -> None:
    """Every command of the app, the features' included, is registered here and only here."""
    from .dashboard.cli import analyse_command, rebuild_facts_command
    from .i18n.cli import translate_command
    from .kiosk.cli import kiosk_cli
    from .lagesbild.cli import indicators_cli, lagesbild_cli
    from .operations.cli import (
        backup_command,
        nginx_config_command,
        purge_command,
        restore_command,
    )
    from .sampling.cli import sample_cli
    from .staff.cli import create_user_command

    for command in (init_db_command, load_survey_command, load_builtin_command,
                    seed_demo_command, export_command, nginx_config_command, translate_command,
                    analyse_command, rebuild_facts_command, create_user_command, kiosk_cli,
                    indicators_cli, lagesbild_cli, sample_cli, backup_command,
                    restore_command, purge_command):
        app.cli.add_command(command)
