"""Benchmark of analysis.rank_items on a large synthetic survey (a measurement, not a test).

1,000,000 responses × 16 items × 6 age bands × 2 genders: weighting, all estimates, rank
intervals and group tests, timed as the median of several runs, next to a plain pandas
groupby of unweighted shares as a baseline. Peak memory is the process's maximum resident
set size.

    .venv/bin/python benchmarks/analysis.py [--n 1000000] [--runs 5] [--method rake]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

# This script shares its name with the package it measures: keep its own folder off the
# import path so that "analysis" is the package at the repository root.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from analysis import DEFAULT_SEED, rank_items  # noqa: E402

BANDS = ["16-24", "25-44", "45-64", "65-79", "80+", "13-15"]
GENDERS = ["kvinna", "man"]


def synthetic(n: int, n_items: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Self-selected responses (older women over-represented) and a population table."""
    rng = np.random.default_rng(seed)
    band_p = np.array([0.12, 0.2, 0.24, 0.26, 0.1, 0.08])
    band = rng.choice(len(BANDS), size=n, p=band_p)
    gender = (rng.random(n) < 0.4 + 0.03 * band).astype(np.int64)
    items = [f"item{i:02d}" for i in range(n_items)]
    data = {"age_band": np.array(BANDS, dtype=object)[band],
            "gender": np.array(GENDERS, dtype=object)[gender]}
    codes = np.array([1.0, 2.0, 3.0, 4.0, 9.0, np.nan])
    for i, item in enumerate(items):
        # Item- and age-specific answer distributions so that ranks differ by group.
        tilt = 0.15 * np.sin(i + band) + 0.02 * i
        p_big = np.clip(0.25 + tilt, 0.02, 0.9)
        u = rng.random(n)
        idx = np.where(u < 0.06, 4, np.where(u < 0.09, 5,
                       np.where(rng.random(n) < p_big, 2 + (rng.random(n) < 0.4),
                                (rng.random(n) < 0.5).astype(np.int64))))
        data[item] = codes[idx]
    population = pd.DataFrame(
        [(b, g, int(20_000 * (1 + k) * (1.1 if g == "man" else 1.0)))
         for k, b in enumerate(BANDS) for g in GENDERS],
        columns=["age_band", "gender", "count"])
    return pd.DataFrame(data), population, items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=16)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--n-boot", type=int, default=200)
    parser.add_argument("--method", default="poststratify", choices=["poststratify", "rake"])
    args = parser.parse_args()

    print(f"generating {args.n:,} responses × {args.items} items ...", file=sys.stderr)
    responses, population, items = synthetic(args.n, args.items, seed=DEFAULT_SEED)
    data_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ours, base = [], []
    for run in range(args.runs):
        print(f"run {run + 1}/{args.runs}", file=sys.stderr, flush=True)
        start = time.perf_counter()
        result = rank_items(responses, population, items, group="age_band",
                            weight_by=("age_band", "gender"), method=args.method,
                            n_boot=args.n_boot, seed=run)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        answers = responses[items]
        valid = answers.isin([1, 2, 3, 4])
        big = answers.isin([3, 4]).where(valid)
        big.groupby(responses["age_band"]).mean()
        base.append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    median, baseline = statistics.median(ours), statistics.median(base)
    print(f"responses={args.n} items={args.items} groups={len(result.groups)} "
          f"method={args.method} n_boot={args.n_boot}")
    print(f"rank_items median of {args.runs}: {median:.2f} s "
          f"(min {min(ours):.2f}, max {max(ours):.2f})")
    print(f"pandas groupby unweighted shares median: {baseline:.2f} s; "
          f"ratio {median / baseline:.1f}x")
    print(f"peak resident memory (whole process, data included): {peak_mb:.0f} MB; "
          f"{data_mb:.0f} MB after generating the data")


if __name__ == "__main__":
    main()
