"""Statistics and charts for Medborgardialog: weighting, estimates, ranks, reports.

Framework-free (pandas, numpy, scipy, seaborn): usable from the web app, the command line
and notebooks. The main entry point is :func:`rank_items`::

    from analysis import rank_items, write_report
    result = rank_items(responses, population, items=["klotter", "inbrott"],
                        group="age_band", weight_by=("age_band", "gender"), method="rake")
    result.table            # one row per group and item, ranked, small cells withheld
    write_report(result, "out/", labels={"klotter": "Klotter"}, lang="sv")

From the shell: ``python -m analysis rank RESPONSES.csv --population POP.csv ...``.
"""

from .errors import AnalysisError
from .population import read_population, read_scb_population
from .ranking import RANKING_COLUMNS, RankingResult, compare_rounds, rank_items
from .report import write_report
from .weighting import (
    WeightingResult,
    kish_effective_n,
    poststratify_weights,
    rake_weights,
    trim_weights,
)

__all__ = [
    "RANKING_COLUMNS",
    "AnalysisError",
    "RankingResult",
    "WeightingResult",
    "compare_rounds",
    "kish_effective_n",
    "poststratify_weights",
    "rake_weights",
    "rank_items",
    "read_population",
    "read_scb_population",
    "trim_weights",
    "write_report",
]
