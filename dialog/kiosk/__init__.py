"""Kiosk mode: a shared computer at the service desk where one resident after another answers.

Nothing of one person may be seen by the next: every start is a new response, and the screen
is cleared after the survey or after inactivity.
"""

from flask import Blueprint

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")

from . import commands, routes  # noqa: E402,F401  (views and commands attach themselves to bp)
