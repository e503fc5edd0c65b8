"""``flask --app app sample import|codes|letters-done``: the sample from the command line.

Messages are in Swedish, the language of the people who run them."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from ..progress import show_progress
from ..table_files import UnreadableTable, read_table
from . import service
from .messages import describe_error, describe_problem

CLI_ACTOR = "kommandorad"

sample_cli = AppGroup("sample", help="Sampled rounds: the sample, codes and letters.")


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@sample_cli.command("import")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--strata", "strata_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV/XLSX with stratum,population (people in the register).")
def import_command(slug: str, path: Path, strata_path: Path) -> None:
    """Import the sample (id, stratum, optional age_band, gender, area, address1-4)."""
    with force_locale("sv"):
        try:
            plan = service.plan_sample(read_table(path.read_bytes(), path.name),
                                       read_table(strata_path.read_bytes(), strata_path.name))
        except UnreadableTable as error:
            _fail(f"Filen kan inte läsas ({error.code}). Spara den som CSV (UTF-8) eller XLSX.")
        if plan.problems:
            for problem in plan.problems:
                click.echo(describe_problem(problem), err=True)
            _fail(f"Inget importerades ({len(plan.problems)} fel) – nothing imported.")
        try:
            count = service.import_sample(
                slug, plan, CLI_ACTOR,
                progress=lambda done, total: show_progress(done, total, "Personer"))
        except service.SampleError as error:
            _fail(describe_error(error))
    click.echo(f"{count} personer i {len(plan.strata)} strata importerades, var och en med "
               "en egen kod.")


@sample_cli.command("codes")
@click.argument("slug")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def codes_command(slug: str, out: Path) -> None:
    """Write the sample ids and their codes (for a mailing house) to a CSV file."""
    with force_locale("sv"):
        try:
            rows = service.code_list(slug, CLI_ACTOR)
        except service.SampleError as error:
            _fail(describe_error(error))
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "kod"])
        writer.writerows(rows)
    out.chmod(0o600)
    click.echo(f"{len(rows)} koder skrivna till {out} (bara läsbar för dig).")


@sample_cli.command("letters-done")
@click.argument("slug")
def letters_done_command(slug: str) -> None:
    """Delete the address lines and printable codes once every letter is sent."""
    with force_locale("sv"):
        try:
            count = service.letters_done(slug, CLI_ACTOR)
        except service.SampleError as error:
            _fail(describe_error(error))
    click.echo(f"Adresser och utskrivbara koder raderade för {count} personer.")


@sample_cli.command("close-finished")
def close_finished_command() -> None:
    """Delete the code links of every sampled round whose closing date has passed (run it
    nightly beside the retention purge; closing a round in the staff area does it at once)."""
    count = service.close_finished_rounds()
    click.echo(f"Kopplingen mellan kod och svar raderad i {count} omgångar.")
