"""The command line against R's survey package (a measurement, not a test).

Writes 200,000 synthetic self-selected responses × 10 items and a population table (the
generator of ``benchmarks/analysis.py``) to a temporary folder, then times, as the median of
several runs:

* ``python -m analysis rank … --no-charts`` as a separate process (start-up, imports,
  reading the CSV, post-stratification, every estimate, the files), overall only and by
  age band; wall time and the CPU time the process used, with analysis/ compiled to
  bytecode as after any first run;
* the same by age band with the charts, i.e. the whole command a person runs;
* the three charts (dot plot, heatmap, small multiples, each as PNG and SVG) that
  ``write_report`` adds, in a process that has already ranked;
* when ``Rscript`` and the survey package are installed: the same post-stratified shares and
  standard errors with R (``svymean`` per item, plus ``svyby`` by age band), reading the
  same CSV, and R's time over ours (the target is ≥ 20×). Without R that line says so.

    .venv/bin/python benchmarks/cli.py [--n 200000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(ROOT))

from benchmarks.analysis import synthetic  # noqa: E402

R_SCRIPT = r"""
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
pop <- read.csv(args[2])
items <- strsplit(args[3], ",")[[1]]
by_group <- args[4] == "group"
d$cell <- interaction(d$age_band, d$gender, drop = TRUE)
pop$cell <- interaction(pop$age_band, pop$gender, drop = TRUE)
design <- postStratify(svydesign(ids = ~1, data = d), ~cell,
                       data.frame(cell = pop$cell, Freq = pop$count))
for (item in items) {
  d2 <- subset(design, d[[item]] %in% 1:4)
  f <- as.formula(paste0("~I(", item, " %in% 3:4)"))
  print(svymean(f, d2))
  if (by_group) print(svyby(f, ~age_band, d2, svymean))
}
"""


def _median_run(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of a child process."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def _charts(responses: Path, population: Path, items: list[str], runs: int
            ) -> tuple[float, float]:
    from analysis import rank_items, read_population
    from analysis.cli import read_csv
    from analysis.report import _write_charts

    data = read_csv(responses)
    result = rank_items(data, read_population(population, ["age_band", "gender"]), items,
                        group="age_band")
    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(runs):
            # The first run also loads Pillow's drawing and the fonts; the median does not.
            start, cpu = time.perf_counter(), time.process_time()
            _write_charts(result, Path(out), None, "sv")
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    responses_frame, population_frame, items = synthetic(args.n, args.items, seed=20261121)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        responses, population = tmp / "responses.csv", tmp / "population.csv"
        responses_frame.to_csv(responses, index=False)
        population_frame.to_csv(population, index=False)
        base = [sys.executable, "-m", "analysis", "rank", str(responses), "--population",
                str(population), "--items", ",".join(items), "--no-charts", "--out",
                str(tmp / "out")]
        # A second run of a command finds its modules compiled in analysis/__pycache__; on
        # machines that set PYTHONDONTWRITEBYTECODE (as this one does) no run writes them, and
        # every run would compile analysis/ again (≈0.05 s). Compile once, as any first run
        # elsewhere does, so the figures are those of a command run again.
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "analysis")],
                       check=True)
        print("analysis/ compiled to bytecode first (python -m compileall)", flush=True)
        python = {}
        for label, extra in (("overall", []), ("by age band", ["--group", "age_band"])):
            wall, cpu = python[label] = _median_run(base + extra, args.runs)
            print(f"python -m analysis rank --no-charts, {args.n:,} × {args.items}, {label}: "
                  f"{wall:.2f} s wall, {cpu:.2f} s CPU (median of {args.runs})", flush=True)
        wall, cpu = _median_run([a for a in base if a != "--no-charts"]
                                + ["--group", "age_band"], args.runs)
        print(f"python -m analysis rank with the charts, by age band: {wall:.2f} s wall, "
              f"{cpu:.2f} s CPU (median of {args.runs})", flush=True)
        wall, cpu = _charts(responses, population, items, args.runs)
        print(f"three charts as PNG and SVG, {args.n:,} responses: {wall:.2f} s wall, "
              f"{cpu:.2f} s CPU (median of {args.runs})", flush=True)
        rscript = shutil.which("Rscript")
        if rscript is None:
            print("R: Rscript not installed, no comparison")
            return
        script = tmp / "bench.R"
        script.write_text(R_SCRIPT, encoding="utf-8")
        check = subprocess.run([rscript, "-e", "library(survey)"], capture_output=True)
        if check.returncode != 0:
            print("R: the survey package is not installed, no comparison")
            return
        for label, mode in (("overall", "overall"), ("by age band", "group")):
            wall, cpu = _median_run([rscript, str(script), str(responses), str(population),
                                     ",".join(items), mode], max(1, args.runs // 2))
            print(f"R survey postStratify + svymean, {label}: {wall:.2f} s wall, "
                  f"{cpu:.2f} s CPU (median of {max(1, args.runs // 2)})", flush=True)
            py_wall, py_cpu = python[label]
            print(f"  R ÷ python -m analysis, {label}: {wall / py_wall:.1f}× wall, "
                  f"{cpu / py_cpu:.1f}× CPU (target ≥ 20×)", flush=True)
        print(f"load average {os.getloadavg()[0]:.1f} at the end", flush=True)


if __name__ == "__main__":
    main()
