"""Choices shared by :func:`analysis.rank_items` and the command line, importable without
pandas so that ``python -m analysis --help`` starts at once."""

__all__ = ["DEFAULT_SEED", "METHODS"]

METHODS = ("poststratify", "rake", "none")
# The seed of the rank-interval simulation; the web app uses the same one.
DEFAULT_SEED = 20261121
