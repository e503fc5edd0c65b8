"""Statistics and charts for Medborgardialog: weighting, estimates, ranks, reports.

Framework-free (numpy; pandas only at the edge, Pillow for charts): usable from the web
app, the command line and notebooks. The main entry point is :func:`rank_items`::

    from analysis import rank_items, write_report
    result = rank_items(responses, population, items=["klotter", "inbrott"],
                        group="age_band", weight_by=("age_band", "gender"), method="rake")
    result.table            # one row per group and item, ranked, small cells withheld
    result.rows             # the same as numpy columns (analysis.columns.Columns)
    write_report(result, "out/", labels={"klotter": "Klotter"}, lang="sv")

From the shell: ``python -m analysis rank RESPONSES.csv --population POP.csv ...``.

``rank_items`` takes a pandas ``DataFrame`` or :class:`~analysis.columns.Columns`; the
command line reads its CSV into ``Columns`` and never imports pandas. The names below are
imported on first use, so a program that needs one function loads only what it needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .errors import AnalysisError

if TYPE_CHECKING:
    from ._cells import OVERALL
    from .notes import Note
    from .options import DEFAULT_SEED
    from .population import read_population, read_scb_population
    from .ranking import RANKING_COLUMNS, RankingResult, rank_items
    from .report import write_report
    from .rounds import compare_rounds
    from .sampling import StratifiedSample, response_rates
    from .weighting import (
        WeightingResult,
        kish_effective_n,
        poststratify_weights,
        rake_weights,
        trim_weights,
    )

_LAZY = {
    "DEFAULT_SEED": "options",
    "OVERALL": "_cells",
    "Note": "notes",
    "RANKING_COLUMNS": "ranking",
    "RankingResult": "ranking",
    "StratifiedSample": "sampling",
    "WeightingResult": "weighting",
    "compare_rounds": "rounds",
    "kish_effective_n": "weighting",
    "poststratify_weights": "weighting",
    "rake_weights": "weighting",
    "rank_items": "ranking",
    "read_population": "population",
    "read_scb_population": "population",
    "response_rates": "sampling",
    "trim_weights": "weighting",
    "write_report": "report",
}

__all__ = [
    "DEFAULT_SEED",
    "OVERALL",
    "RANKING_COLUMNS",
    "AnalysisError",
    "Note",
    "RankingResult",
    "StratifiedSample",
    "WeightingResult",
    "compare_rounds",
    "kish_effective_n",
    "poststratify_weights",
    "rake_weights",
    "rank_items",
    "read_population",
    "read_scb_population",
    "response_rates",
    "trim_weights",
    "write_report",
]


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
