"""The councillor dashboard with 100,000 responses: cold, after a new answer and warm (a
measurement, not a test).

Uses the database of ``benchmarks/analysis_db.py`` (built on first use), signs in a
councillor through the Flask test client and times ``GET /dashboard/trygghet/``:

* cold, computed – no results stored anywhere: reads the kept facts, weights, ranks, renders
  (what the first view after a change costs when no server has computed it yet);
* cold, after a restart – a new app object (empty process memory) on the same database: the
  results another process stored are taken over;
* after one new answer – completed through the service the survey pages use: the analysis
  runs again on the facts;
* warm – the results in memory are rendered;
* charts – first and cached request of the heat map (SVG).

Each cold case is the median of ``--cold-runs``, warm the median of ``--runs``.

    .venv/bin/python benchmarks/dashboard.py [--n 100000] [--runs 20] [--cold-runs 3]
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

from flask import Flask  # noqa: E402
from sqlalchemy import delete  # noqa: E402

from benchmarks import analysis_db as builder  # noqa: E402
from dialog import auth  # noqa: E402
from dialog.demo import DemoGenerator  # noqa: E402
from dialog.extensions import db  # noqa: E402
from dialog.models import Response, User  # noqa: E402
from dialog.services import catalog, responses  # noqa: E402
from dialog.services.results import store  # noqa: E402

URL = "/dashboard/trygghet/"


def _timed(client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        sys.exit(f"{url} answered {response.status_code}")
    return elapsed


def _add_answer(app: Flask) -> int:
    with app.app_context():
        record = catalog.find_survey("trygghet")
        survey = catalog.definition_of(record.current_version)
        started, _token = responses.start_response(record.current_version_id, language="sv")
        responses.complete_response(started, survey, DemoGenerator(survey, 7).response(),
                                    page_fields=(), language="sv")
        return started.id


def _remove_answer(app: Flask, response_id: int) -> None:
    # The database is reused by the next run, which expects exactly --n responses.
    with app.app_context():
        db.session.execute(delete(Response).where(Response.id == response_id))
        db.session.commit()


def _signed_in(app: Flask):
    client = app.test_client()
    with app.app_context():
        user = db.session.query(User).filter_by(email="bench@kommun.se").one_or_none()
        if user is None:
            user = User(email="bench@kommun.se", password_hash="!", role="councillor")
            db.session.add(user)
            db.session.commit()
        fields = auth.session_fields(user)
    with client.session_transaction() as session:
        session.update(fields)
    return client


def _median_ms(times: list[float]) -> str:
    return (f"{statistics.median(times) * 1000:8.0f} ms  (runs: "
            f"{', '.join(f'{t * 1000:.0f}' for t in times)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--db", type=Path, default=builder.DEFAULT_DB)
    args = parser.parse_args()
    app = builder.build_database(args.db, args.n)
    computed, restarted = [], []
    for run in range(1, args.cold_runs + 1):
        with app.app_context():
            store.forget_cached()
        computed.append(_timed(_signed_in(app), URL))
        # A new app object has an empty memory, like a restarted or a second server.
        restarted.append(_timed(_signed_in(builder.bench_app(args.db)), URL))
        sys.stderr.write(f"\rcold run {run}/{args.cold_runs}")
    sys.stderr.write("\n")
    client = _signed_in(app)
    _timed(client, URL)
    warm = []
    for run in range(1, args.runs + 1):
        warm.append(_timed(client, URL))
        sys.stderr.write(f"\rwarm request {run}/{args.runs}")
    sys.stderr.write("\n")
    after_answer = []
    for _ in range(args.cold_runs):
        added = _add_answer(app)
        after_answer.append(_timed(client, URL))
        _remove_answer(app, added)
    chart_first = _timed(client, URL + "chart/heatmap.svg")
    chart_cached = statistics.median(_timed(client, URL + "chart/heatmap.svg") for _ in range(5))
    warm_sorted = sorted(warm)
    p95 = warm_sorted[max(0, int(round(0.95 * len(warm_sorted))) - 1)]
    print(f"responses: {args.n:,} (+1 added and removed per 'after one new answer' run)")
    print(f"cold, computed (facts + analyse)   : {_median_ms(computed)}")
    print(f"cold, after a restart (stored)     : {_median_ms(restarted)}")
    print(f"after one new answer               : {_median_ms(after_answer)}")
    print(f"warm, median of {args.runs:<3}              : "
          f"{statistics.median(warm) * 1000:8.1f} ms  (p95 {p95 * 1000:.1f} ms, "
          f"max {max(warm) * 1000:.1f} ms)")
    print(f"heat map SVG first / cached        : {chart_first * 1000:8.0f} ms / "
          f"{chart_cached * 1000:.1f} ms")


if __name__ == "__main__":
    main()
