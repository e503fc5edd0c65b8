"""The staff upload's check of an imported file, and the command line's start-up.

Times ``dialog.rounds.definitions.read_upload`` – what ``/staff/upload`` does with the bytes
before it shows the check page: import (LimeSurvey or XLSForm), drop what cannot be
represented, validate, and write the YAML draft when intro texts are missing – on the
largest file of the import corpus (LimeSurvey 2's 1.25 MB sample survey) unless a path is
given. Then times ``flask --app app load-survey --help`` in fresh processes: the start-up
every ``load-survey FILE`` pays. Prints every run and the median, wall and CPU time (the
machine may be shared: CPU time is the steadier figure).

    .venv/bin/python benchmarks/import_check.py
    .venv/bin/python benchmarks/import_check.py FILE --runs 9 --startup-runs 3
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dialog.rounds.definitions import UploadError, read_upload  # noqa: E402

LARGEST = (ROOT.parent / "shared" / "fixtures" / "import-corpus" / "lss"
           / "limesurvey2_sample_survey_english.lss")


def _check(path: Path, runs: int) -> None:
    data = path.read_bytes()
    walls, cpus = [], []
    for run in range(1, runs + 1):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            loaded = read_upload(path.name, data)
            outcome = f"ready to publish, {len(loaded.unsupported)} parts left out"
        except UploadError as error:
            outcome = f"{error.message}, {len(error.unsupported)} parts left out"
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        print(f"  check {run}: {walls[-1]:.3f} s wall, {cpus[-1]:.3f} s CPU ({outcome})")
    print(f"upload check of {path.name} ({len(data) / 1e6:.2f} MB): median "
          f"{statistics.median(walls):.3f} s wall, {statistics.median(cpus):.3f} s CPU")


def _startup(runs: int) -> None:
    env = {**os.environ, "MEDBORGARDIALOG_DEV": "1"}
    command = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app", "load-survey", "--help"]
    walls, cpus = [], []
    for run in range(1, runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
        walls.append(time.perf_counter() - wall)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        print(f"  start-up {run}: {walls[-1]:.2f} s wall, {cpus[-1]:.2f} s CPU")
    print(f"load-survey start-up: median {statistics.median(walls):.2f} s wall, "
          f"{statistics.median(cpus):.2f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=LARGEST)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--startup-runs", type=int, default=3)
    args = parser.parse_args()
    _check(args.path, args.runs)
    if args.startup_runs:
        _startup(args.startup_runs)


if __name__ == "__main__":
    main()
