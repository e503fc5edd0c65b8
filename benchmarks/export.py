"""CSV export of many complete responses: rows per second and peak memory.

Seeds a temporary SQLite database with ``--rows`` complete responses of the built-in survey
(bulk inserts of a pool of demo answers), then runs the staff CSV download's export
(``iter_responses_csv``; ``--generic``: the general ``iter_csv(iter_response_rows(...))``),
``;`` and BOM as Swedish Excel wants it, ``--runs`` times, each in a fresh process so that its
peak RSS is its own. Prints every run and the median, with CPU time next to wall time (the
machine may be shared) and a baseline that only fetches and decodes the answers.

    .venv/bin/python benchmarks/export.py                 # 1,000,000 rows, 3 runs
    .venv/bin/python benchmarks/export.py --rows 100000 --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

POOL = 5000
BATCH = 20000


def _progress(done: int, total: int, label: str) -> None:
    sys.stderr.write(f"\r{label}: {done:,}/{total:,}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _app(db_path: Path):
    from dialog import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "benchmark",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}"})


def seed(db_path: Path, rows: int, seed_value: int) -> None:
    """Schema by migration, the built-in survey, then ``rows`` responses by executemany."""
    from flask_migrate import upgrade

    from dialog.demo import DemoGenerator
    from dialog.services import catalog
    from surveys import builtin_template_path, load_definition

    app = _app(db_path)
    with app.app_context():
        upgrade(revision="head")
        catalog.publish(load_definition(builtin_template_path("trygghet")))
        record = catalog.find_survey("trygghet")
        version_id = record.current_version_id
        survey = catalog.definition_of(record.current_version)
        generator = DemoGenerator(survey, seed_value)
        pool = [json.dumps(generator.response(), ensure_ascii=False) for _ in range(POOL)]
        channels = [generator.channel() for _ in range(POOL)]
        pages = len(survey.pages) - 1
    # The ORM would spend minutes on a million objects; plain executemany takes seconds.
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    stamp = "2026-10-01 12:00:00.000000"
    sql = ("INSERT INTO response (version_id, token_hash, status, channel, language, "
           "page_index, answers, started_at, updated_at, completed_at) "
           "VALUES (?, NULL, 'complete', ?, 'sv', ?, ?, ?, ?, ?)")
    for start in range(0, rows, BATCH):
        stop = min(start + BATCH, rows)
        connection.executemany(sql, ((version_id, channels[i % POOL], pages, pool[i % POOL],
                                      stamp, stamp, stamp) for i in range(start, stop)))
        connection.commit()
        _progress(stop, rows, "seeding")
    connection.close()


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_once(db_path: Path, generic: bool) -> dict:
    """One export into /dev/null; returns rows, seconds, peak and sampled RSS."""
    from sqlalchemy import func, select

    from dialog.extensions import db
    from dialog.models import Response
    from dialog.services import catalog
    from dialog.services.export import iter_csv, iter_response_rows, iter_responses_csv

    app = _app(db_path)
    with app.app_context():
        record = catalog.find_survey("trygghet")
        survey = catalog.definition_of(record.current_version)
        rss_before = _rss_mb()
        samples: list[float] = []
        start, cpu = time.perf_counter(), time.process_time()
        if generic:
            chunks = iter_csv(iter_response_rows(record, survey), delimiter=";", bom=True)
        else:
            chunks = iter_responses_csv(record, survey, delimiter=";", bom=True)
        size = 0
        with open(os.devnull, "w", encoding="utf-8") as sink:
            for i, chunk in enumerate(chunks):
                sink.write(chunk)
                size += len(chunk)
                if i % 100 == 0:
                    samples.append(_rss_mb())
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        rows = db.session.scalar(select(func.count(Response.id))
                                 .where(Response.status == "complete"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    floor_wall, floor_cpu = _floor(db_path)
    return {"rows": rows, "seconds": elapsed, "cpu_seconds": cpu, "mb_written": size / 2**20,
            "floor_seconds": floor_wall, "floor_cpu_seconds": floor_cpu,
            "peak_rss_mb": peak, "rss_before_mb": rss_before,
            "rss_samples_mb": [round(mb) for mb in samples[:: max(len(samples) // 8, 1)]]}


def _floor(db_path: Path) -> tuple[float, float]:
    """Baseline: only fetch and decode every answers document (sqlite3 + json, no output).
    No Python export can be faster than this."""
    connection = sqlite3.connect(db_path)
    start, cpu = time.perf_counter(), time.process_time()
    cursor = connection.execute("SELECT answers FROM response WHERE status = 'complete'")
    while batch := cursor.fetchmany(5000):
        for (text,) in batch:
            json.loads(text)
    result = time.perf_counter() - start, time.process_time() - cpu
    connection.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--db", type=Path, default=None,
                        help="Reuse (or create) this database instead of a temporary one.")
    parser.add_argument("--generic", action="store_true",
                        help="Measure iter_csv(iter_response_rows(...)) (the CLI's path) "
                             "instead of iter_responses_csv (the staff download's path).")
    parser.add_argument("--run-once", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_once is not None:
        print(json.dumps(run_once(args.run_once, args.generic)))
        return
    with tempfile.TemporaryDirectory() as folder:
        db_path = args.db or Path(folder) / "export-benchmark.db"
        if not db_path.exists():
            started = time.perf_counter()
            seed(db_path, args.rows, args.seed)
            print(f"seeded {args.rows:,} responses in {time.perf_counter() - started:.1f} s")
        results = []
        for i in range(1, args.runs + 1):
            sys.stderr.write(f"export run {i}/{args.runs} …\n")
            command = [sys.executable, __file__, "--run-once", str(db_path)]
            out = subprocess.run(command + (["--generic"] if args.generic else []),
                                 check=True, capture_output=True, text=True)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            results.append(result)
            print(f"run {i}: {result['rows']:,} rows in {result['seconds']:.2f} s "
                  f"(CPU {result['cpu_seconds']:.2f} s) = "
                  f"{result['rows'] / result['seconds']:,.0f} rows/s; fetch+decode baseline "
                  f"{result['floor_seconds']:.2f} s (CPU {result['floor_cpu_seconds']:.2f} s); "
                  f"{result['mb_written']:.0f} MB of CSV; peak RSS {result['peak_rss_mb']:.0f} MB "
                  f"(before export {result['rss_before_mb']:.0f} MB; during: "
                  f"{result['rss_samples_mb']})")
        median = statistics.median
        print(f"median of {len(results)}: "
              f"{median(r['rows'] / r['seconds'] for r in results):,.0f} rows/s wall, "
              f"{median(r['rows'] / r['cpu_seconds'] for r in results):,.0f} rows per CPU "
              f"second; {median(r['seconds'] for r in results):.2f} s; "
              f"{median(r['seconds'] / r['floor_seconds'] for r in results):.1f}× the "
              f"fetch+decode baseline; peak RSS {median(r['peak_rss_mb'] for r in results):.0f}"
              f" MB (target > 100,000 rows/s, < 300 MB)")


if __name__ == "__main__":
    main()
