"""From the SQLite database to the ranking: 100,000 complete responses (a measurement).

Builds (or reuses) a SQLite database with the built-in trygghetsundersökning and N complete
demo responses, then times the path the dashboard and ``flask analyse`` take: reading the
kept facts (the analysed fields of each response) into the tidy frame, weighting to the
population and ``rank_items`` (every estimate, rank intervals, group tests). Median of
several runs; the read and the analysis are also timed separately.

    .venv/bin/python benchmarks/analysis_db.py [--n 100000] [--runs 5] [--db PATH]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

# The folder holds a script named like the "analysis" package: keep it off the import path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from dialog import create_app  # noqa: E402
from dialog.demo import DemoGenerator  # noqa: E402
from dialog.extensions import db  # noqa: E402
from dialog.models import Response, utcnow  # noqa: E402
from dialog.services import catalog  # noqa: E402
from dialog.services.population import population_for  # noqa: E402
from dialog.services.results import facts  # noqa: E402
from dialog.services.results.compute import analyse, response_frame  # noqa: E402
from dialog.services.results.store import forget_cached  # noqa: E402
from surveys import analysis_spec, load_definition  # noqa: E402
from surveys.templates import builtin_template_path  # noqa: E402

DEFAULT_DB = Path(tempfile.gettempdir()) / "medborgardialog-bench.db"


def bench_app(path: Path) -> Flask:
    return create_app({"TESTING": True, "SECRET_KEY": "benchmark-only-secret",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})


def _progress(done: int, total: int) -> None:
    sys.stderr.write(f"\rdemo responses {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def build_database(path: Path, n: int, seed: int = 2026) -> Flask:
    """The app on a database holding exactly ``n`` complete responses (reused when it does)."""
    app = bench_app(path)
    with app.app_context():
        upgrade(revision="head")
        catalog.publish(load_definition(builtin_template_path("trygghet")))
        record = catalog.find_survey("trygghet")
        have = db.session.scalar(select(func.count(Response.id)))
        if have == n:
            return app
        if have:
            sys.exit(f"{path} holds {have} responses, not {n}: remove it or choose --db")
        generator = DemoGenerator(catalog.definition_of(record.current_version), seed)
        now = utcnow()
        batch = []
        for i in range(1, n + 1):
            batch.append({"version_id": record.current_version_id, "status": "complete",
                          "token_hash": None, "channel": generator.channel(),
                          "language": generator.language(), "page_index": 0,
                          "answers": generator.response(), "started_at": now,
                          "updated_at": now, "completed_at": now})
            if len(batch) == 5000 or i == n:
                db.session.execute(insert(Response), batch)
                db.session.commit()
                batch.clear()
                _progress(i, n)
        # Written past the services, like ``flask seed-demo``: code the facts in one go.
        spec = analysis_spec(catalog.definition_of(record.current_version))
        facts.refresh(db.session.connection(), record.id, facts.FactLayout(spec))
        db.session.commit()
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    args = parser.parse_args()
    app = build_database(args.db, args.n)
    with app.app_context():
        record = catalog.find_survey("trygghet")
        spec = analysis_spec(catalog.definition_of(record.current_version))
        population = population_for(record)
        reads, totals = [], []
        for run in range(1, args.runs + 1):
            start = time.perf_counter()
            response_frame(record, spec)
            reads.append(time.perf_counter() - start)
            # Cold: no results kept from the previous run.
            forget_cached()
            start = time.perf_counter()
            results = analyse(record, population)
            totals.append(time.perf_counter() - start)
            db.session.expire_all()
            sys.stderr.write(f"\rrun {run}/{args.runs}")
        sys.stderr.write("\n")
    read, total = statistics.median(reads), statistics.median(totals)
    print(f"responses: {results.n_complete:,}  weighted: {results.weighted}  "
          f"items: {len(spec.item_codes)}  groups: {len(results.ranking.groups)}")
    print(f"read answers from SQLite + tidy frame : median {read:.2f} s")
    print(f"database -> ranking (read + analysis) : median {total:.2f} s "
          f"(analysis alone ≈ {total - read:.2f} s; runs: "
          f"{', '.join(f'{t:.2f}' for t in totals)})")


if __name__ == "__main__":
    main()
