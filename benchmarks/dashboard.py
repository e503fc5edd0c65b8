"""The councillor dashboard with 100,000 responses: cold and warm response times (a
measurement, not a test).

Uses the database of ``benchmarks/analysis_db.py`` (built on first use), signs in a
councillor through the Flask test client and times ``GET /dashboard/trygghet/``:

* cold – first request after start: reads every response, weights, ranks, renders;
* after one new answer – the cache is invalidated; only the new response is read, the
  analysis runs again;
* warm – the cached results are rendered (target: under 300 ms);
* charts – first and cached request of the heat map (SVG).

    .venv/bin/python benchmarks/dashboard.py [--n 100000] [--runs 20] [--db PATH]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from sqlalchemy import delete, insert  # noqa: E402

from benchmarks import analysis_db as builder  # noqa: E402
from dialog import auth  # noqa: E402
from dialog.demo import DemoGenerator  # noqa: E402
from dialog.extensions import db  # noqa: E402
from dialog.models import Response, User, utcnow  # noqa: E402
from dialog.services import catalog  # noqa: E402


def _timed(client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        sys.exit(f"{url} answered {response.status_code}")
    return elapsed


def _add_answer(app) -> int:
    with app.app_context():
        record = catalog.find_survey("trygghet")
        generator = DemoGenerator(catalog.definition_of(record.current_version), 7)
        now = utcnow()
        added = db.session.execute(insert(Response).returning(Response.id), [{
            "version_id": record.current_version_id, "status": "complete", "token_hash": None,
            "channel": "web", "language": "sv", "page_index": 0,
            "answers": generator.response(), "started_at": now, "updated_at": now,
            "completed_at": now}]).scalar_one()
        db.session.commit()
        return added


def _remove_answer(app, response_id: int) -> None:
    # The database is reused by the next run, which expects exactly --n responses.
    with app.app_context():
        db.session.execute(delete(Response).where(Response.id == response_id))
        db.session.commit()


def _sign_in(app, client) -> None:
    with app.app_context():
        user = db.session.query(User).filter_by(email="bench@kommun.se").one_or_none()
        if user is None:
            user = User(email="bench@kommun.se", password_hash="!", role="councillor")
            db.session.add(user)
            db.session.commit()
        fields = auth.session_fields(user)
    with client.session_transaction() as session:
        session.update(fields)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", type=Path, default=builder.DEFAULT_DB)
    args = parser.parse_args()
    app = builder.build_database(args.db, args.n)
    client = app.test_client()
    _sign_in(app, client)
    url = "/dashboard/trygghet/"
    cold = _timed(client, url)
    warm = []
    for run in range(1, args.runs + 1):
        warm.append(_timed(client, url))
        sys.stderr.write(f"\rwarm request {run}/{args.runs}")
    sys.stderr.write("\n")
    added = _add_answer(app)
    after_answer = _timed(client, url)
    chart_first = _timed(client, url + "chart/heatmap.svg")
    chart_cached = statistics.median(_timed(client, url + "chart/heatmap.svg") for _ in range(5))
    _remove_answer(app, added)
    warm_sorted = sorted(warm)
    p95 = warm_sorted[max(0, int(round(0.95 * len(warm_sorted))) - 1)]
    print(f"responses: {args.n:,} (+1 added during the run)")
    print(f"cold (read all + analyse + render) : {cold * 1000:8.0f} ms")
    print(f"after one new answer               : {after_answer * 1000:8.0f} ms")
    print(f"warm, median of {args.runs:<3}              : "
          f"{statistics.median(warm) * 1000:8.1f} ms  (p95 {p95 * 1000:.1f} ms, "
          f"max {max(warm) * 1000:.1f} ms)")
    print(f"heat map SVG first / cached        : {chart_first * 1000:8.0f} ms / "
          f"{chart_cached * 1000:.1f} ms")


if __name__ == "__main__":
    main()
