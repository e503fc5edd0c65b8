"""``flask --app app translate extract|update|compile``: the interface catalogs, via Babel.

The same steps as ``make translations``; run in-process so that no ``pybabel`` script has to be
on the PATH. Questionnaire wording is not here: it lives in each survey definition.
"""

from __future__ import annotations

import sys
from contextlib import chdir
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from flask import current_app
from flask.cli import with_appcontext

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
# The keywords Babel knows by default (_, gettext, ngettext …) plus the lazy forms used for
# strings evaluated at import time; kept identical to the Makefile's ``translations`` target.
EXTRA_KEYWORDS = ("_l", "lazy_ngettext:1,2")


def extract_arguments(output: Path = TEMPLATE) -> list[str]:
    """The ``pybabel extract`` arguments that write the message template to ``output``."""
    keywords = [arg for keyword in EXTRA_KEYWORDS for arg in ("-k", keyword)]
    # Sorted, with file names but no line numbers: moving code does not rewrite every catalog,
    # so changes made side by side merge without conflicts in translations/.
    return ["extract", "-F", "babel.cfg", *keywords, "--project", "Medborgardialog",
            "--sort-output", "--add-location=file", "-o", str(output), "."]


def pybabel(arguments: list[str]) -> int:
    """Run one pybabel command in-process and return its exit status."""
    # From the repository root, so the catalogs name source files by relative path.
    with chdir(ROOT):
        return CommandLineInterface().run(["pybabel", *arguments]) or 0


def extract_template(output: Path) -> None:
    """Extract the interface strings of the current code into a message template."""
    if pybabel(extract_arguments(output)):
        raise RuntimeError(f"pybabel extract failed for {output}")


def run_pybabel(arguments: list[str]) -> None:
    """Run one pybabel command for the CLI; a failure stops it with the command's status."""
    click.echo("pybabel " + arguments[0] + " …", err=True)
    status = pybabel(arguments)
    if status:
        sys.exit(status)


@click.group("translate")
def translate_command() -> None:
    """Interface translations: extract the strings, update the catalogs, compile them."""


@translate_command.command("extract")
def extract_command() -> None:
    """Write translations/messages.pot from the code and the templates."""
    TRANSLATIONS.mkdir(exist_ok=True)
    run_pybabel(extract_arguments())
    click.echo(f"Mall: {TEMPLATE}", err=True)


@translate_command.command("update")
@with_appcontext
def update_command() -> None:
    """Extract, then merge new strings into every catalog (creating missing ones)."""
    TRANSLATIONS.mkdir(exist_ok=True)
    run_pybabel(extract_arguments())
    languages = list(current_app.config["LANGUAGES"])
    for done, lang in enumerate(languages, start=1):
        catalog = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
        verb = "update" if catalog.exists() else "init"
        arguments = [verb, "-i", str(TEMPLATE), "-d", str(TRANSLATIONS), "-l", lang]
        if verb == "update":
            # Fuzzy guesses would ship a wrong sentence; a new string is left for a translator.
            arguments.append("--no-fuzzy-matching")
        run_pybabel(arguments)
        click.echo(f"  {lang}: {verb} ({done}/{len(languages)})", err=True)


@translate_command.command("compile")
def compile_command() -> None:
    """Compile every catalog to .mo (build output, never committed). Fuzzy entries are left out."""
    run_pybabel(["compile", "--statistics", "-d", str(TRANSLATIONS)])
