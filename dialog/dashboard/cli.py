"""``flask --app app analyse SLUG``: the ranking of a survey in the database, as files;
``flask --app app rebuild-facts``: the analysed fields of every response coded again."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import delete

from analysis import AnalysisError
from analysis.report import write_report

from ..extensions import db
from ..models import StoredResults
from ..services import catalog
from ..services.population import PopulationInfo, parse_population, population_for
from ..services.results import facts
from ..services.results.compute import analyse
from ..services.results.outputs import item_labels


def _step(text: str) -> None:
    sys.stderr.write(f"{text}\n")
    sys.stderr.flush()


@click.command("analyse")
@click.argument("slug")
@click.option("--population", "population_file", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Population CSV (tidy age_band,gender,count or SCB export). Default: the "
                   "table stored for the survey, else the demo estimate.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for ranking.csv, ranking.xlsx, summary.json and charts "
                   "(default: analys-<slug>).")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv",
              help="Language of labels and chart texts.")
@click.option("--min-n", type=click.IntRange(min=1), default=None,
              help="Smallest number of answers behind a shown estimate (default from config).")
@click.option("--no-charts", is_flag=True, help="Only the tables (CSV, Excel, JSON).")
@with_appcontext
def analyse_command(slug: str, population_file: Path | None, out: Path | None, lang: str,
                    min_n: int | None, no_charts: bool) -> None:
    """Weighted ranking of the survey's problems, overall and per age group."""
    record = catalog.find_survey(slug)
    if record is None or record.current_version is None:
        click.echo(f"Enkäten '{slug}' finns inte (survey not found).", err=True)
        sys.exit(1)
    survey = catalog.definition_of(record.current_version)
    if population_file is not None:
        try:
            table = parse_population(survey, population_file.read_text(encoding="utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as error:
            click.echo(f"{population_file}: {error}", err=True)
            sys.exit(1)
        population = PopulationInfo(table, str(population_file), is_estimate=False)
    else:
        population = population_for(record)
    _step(f"[1/2] Läser svar och analyserar {slug} (reading answers and analysing) …")
    results = analyse(record, population, min_n=min_n)
    if results.ranking is None:
        click.echo(f"{slug}: ingen rangordning ({results.problem}); "
                   f"{results.n_complete} kompletta svar.", err=True)
        sys.exit(1)
    out = out or Path(f"analys-{slug}")
    labels = item_labels(results, lang)
    _step(f"[2/2] Skriver filer till {out} (writing files) …")
    try:
        written = write_report(results.ranking, out, labels=labels, lang=lang,
                               charts=not no_charts)
    except AnalysisError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    weighting = "viktad (weighted)" if results.weighted else "ovägd (unweighted)"
    source = population.source if population is not None and results.weighted else "–"
    click.echo(f"{slug}: {results.n_complete} svar, {weighting}; befolkning: {source}")
    for note in results.notes:
        click.echo(f"  - {note.text(lang)}")
    for path in written:
        click.echo(str(path))


@click.command("rebuild-facts")
@with_appcontext
def rebuild_facts_command() -> None:
    """Code the analysed fields of every complete response again (the dashboard reads
    them); the stored results are recomputed on the next view."""
    written = facts.rebuild(db.session.connection())
    db.session.execute(delete(StoredResults))
    db.session.commit()
    click.echo(f"{written} svar kodade på nytt (responses coded again).")
