"""Pages about the service itself, such as the accessibility statement."""

from flask import Blueprint

bp = Blueprint("pages", __name__)

from . import routes  # noqa: E402,F401  (views attach themselves to bp)
