"""Residents answer surveys here: no account, no personal data, resumable."""

from flask import Blueprint

bp = Blueprint("respond", __name__)

from . import routes  # noqa: E402,F401  (routes attach themselves to bp)
