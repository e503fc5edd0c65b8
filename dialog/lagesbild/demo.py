"""A synthetic demo of indicator figures for ``make run``: two years up to last month, so
that a lägesbild has its comparisons with the year before at once.

Every series says it is made up: its name ends in "(demo)", its source is "Syntetiska
demodata", and it is marked ``demo``. Nothing here is a real figure for any kommun.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import numpy as np

from analysis.indicators import Period

from .indicators import apply_import, plan_import

DEMO_SOURCE = "Syntetiska demodata – inte verkliga siffror"
AREAS = ("Söderhamn tätort", "Sandarne", "Ljusne", "Mo")
# Share of the kommun's cases in each area; the rest happen elsewhere in the kommun.
AREA_SHARES = (0.55, 0.15, 0.1, 0.04)

# code, Swedish name, English name, category, monthly mean, yearly change, by area
SERIES = (
    ("polis_vald_offentlig", "Misshandel utomhus, anmälda brott",
     "Assault outdoors, reported crimes", "vald_offentlig_miljo", 14, 0.15, True),
    ("polis_narkotika", "Narkotikabrott, anmälda", "Drug offences, reported", "narkotika",
     22, 0.25, True),
    ("polis_inbrott_bostad", "Bostadsinbrott, anmälda", "Burglaries, reported",
     "stold_inbrott", 9, -0.2, True),
    ("polis_vald_nara", "Våld i nära relation, anmälda brott",
     "Domestic violence, reported crimes", "vald_i_nara_relation", 11, 0.05, True),
    ("kommun_skadegorelse", "Skadegörelse och klotter anmält till kommunen",
     "Vandalism and graffiti reported to the municipality", "skadegorelse", 30, 0.1, True),
    ("skola_incidenter", "Incidenter i skolor", "Incidents in schools", "ungdomar", 8, -0.1,
     False),
)


def demo_table(today: date, seed: int = 2026) -> bytes:
    """The demo figures as an import file (CSV): 24 months ending with last month."""
    rng = np.random.default_rng(seed)
    last = Period(12, today.year, today.month).shift(-1)
    months = [last.shift(-i) for i in reversed(range(24))]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["indicator", "period", "area", "value", "label", "label_en", "category",
                     "unit", "source"])
    for code, label, label_en, category, mean, change, by_area in SERIES:
        described = [f"{label} (demo)", f"{label_en} (demo)", category, "antal", DEMO_SOURCE]
        for i, month in enumerate(months):
            level = mean * (1 + change) ** ((i - 12) / 12)
            season = 1 + 0.2 * np.sin(2 * np.pi * (month.number - 4) / 12)
            areas = [int(rng.poisson(level * season * share)) for share in AREA_SHARES]
            rest = int(rng.poisson(level * season * (1 - sum(AREA_SHARES))))
            writer.writerow([code, str(month), "", sum(areas) + rest, *described])
            described = ["", "", "", "", ""]
            if by_area:
                for area, value in zip(AREAS, areas, strict=True):
                    writer.writerow([code, str(month), area, value, "", "", "", "", ""])
    return out.getvalue().encode()


def add_demo_indicators(today: date) -> int:
    """Import the demo figures; returns how many rows were stored."""
    plan = plan_import(demo_table(today), "demo.csv")
    apply_import(plan, "demo", "demo.csv", demo=True)
    return len(plan.rows)
