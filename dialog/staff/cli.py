"""``flask --app app create-user EMAIL --role ROLE``: there are no default accounts."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from ..auth import ORGANISATIONS, ROLES, create_user


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--language", type=click.Choice(["sv", "en"]), default="sv",
              help="Interface language of the account.")
@click.option("--organisation", type=click.Choice(ORGANISATIONS), default=None,
              help="Whom the account approves a lägesbild for.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input (for scripts).")
@with_appcontext
def create_user_command(email: str, role: str, language: str, organisation: str | None,
                        password_stdin: bool) -> None:
    """Create a staff, councillor or admin account; the password is never an argument."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Lösenord (password)", hide_input=True,
                                confirmation_prompt="Igen (again)")
    try:
        user = create_user(email, password, role, language, organisation)
    except ValueError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    click.echo(f"Kontot {user.email} ({user.role}) är skapat (account created).")
