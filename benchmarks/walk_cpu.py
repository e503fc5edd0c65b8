"""CPU our own code spends on one resident's whole survey, without HTTP or other processes.

Walks the built-in trygghetsundersökning with the Flask test client (CSRF on, same requests
as ``benchmarks/load.py``: intro GET/POST, each page GET/POST, thank-you) and prints the
process CPU time per completed survey, median of several runs; first the weight of each page
(HTML and static files, gzip), with what opening a place question's map adds. It is the quick
way to see whether a change to the answer path costs or saves CPU; the load benchmark shows
what that means under concurrency.

    .venv/bin/python benchmarks/walk_cpu.py --database sqlite   [--walks 40] [--runs 5]
    .venv/bin/python benchmarks/walk_cpu.py --database postgres [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from werkzeug.datastructures import MultiDict

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from benchmarks import load  # noqa: E402
from surveys import load_definition  # noqa: E402
from surveys.templates import builtin_template_path  # noqa: E402


def walk(client, survey, rng) -> None:
    """One resident from the intro to the thank-you page, like ``load.Resident.walk``."""
    client.delete_cookie("resume_" + survey.slug)
    base = f"/sv/s/{survey.slug}/"
    body = client.get(base).get_data(as_text=True)
    location = client.post(base, data={"csrf_token": load.csrf_token(body)}).location
    answers: dict = {}
    while (match := load.PAGE_RE.search(location)) is not None:
        index = int(match["number"]) - 1
        body = client.get(location).get_data(as_text=True)
        data = load.random_answers(survey, index, answers, rng)
        answers.update(data)
        form = [("csrf_token", load.csrf_token(body)), ("action", "next")]
        form += [(k, v) for k, vs in data.items()
                 for v in (vs if isinstance(vs, list) else [vs]) if v != ""]
        reply = client.post(location, data=MultiDict(form))
        if reply.status_code != 302:
            sys.exit(f"POST {location} answered {reply.status_code}")
        location = reply.location
    if client.get(location).status_code != 200 or "klart" not in location:
        sys.exit(f"walk ended at {location}")


_ASSET = re.compile(r'(?:src|href|data-leaflet(?:-css)?)="(/static/[^"]+)"')


def page_weights(client, survey, rng) -> None:
    """Bytes of each page of one walk (HTML and the static files it names), gzip-compressed
    as nginx sends them; the map's files (Leaflet) load only when a resident opens the map."""
    client.delete_cookie("resume_" + survey.slug)
    base = f"/sv/s/{survey.slug}/"
    body = client.get(base).get_data(as_text=True)
    location = client.post(base, data={"csrf_token": load.csrf_token(body)}).location
    answers: dict = {}
    seen: set[str] = set()
    while (match := load.PAGE_RE.search(location)) is not None:
        index = int(match["number"]) - 1
        body = client.get(location).get_data(as_text=True)
        assets = {path: client.get(path).get_data() for path in _ASSET.findall(body)}
        on_open = {p: b for p, b in assets.items() if "/vendor/" in p}
        first = {p: b for p, b in assets.items() if p not in on_open and p not in seen}
        seen |= set(first)
        kinds = ", ".join(sorted({q.type for q in survey.pages[index].questions}))
        line = (f"page {index + 1} ({kinds}): HTML {len(body.encode()) / 1024:.1f} kB, "
                f"gzip {len(gzip.compress(body.encode())) / 1024:.1f} kB; new static files "
                f"{sum(len(gzip.compress(b)) for b in first.values()) / 1024:.1f} kB gzip")
        if on_open:
            line += (f"; opening the map loads {len(on_open)} more files, "
                     f"{sum(len(gzip.compress(b)) for b in on_open.values()) / 1024:.1f} kB gzip")
        print(line)
        data = load.random_answers(survey, index, answers, rng)
        answers.update(data)
        form = [("csrf_token", load.csrf_token(body)), ("action", "next")]
        form += [(k, v) for k, vs in data.items()
                 for v in (vs if isinstance(vs, list) else [vs]) if v != ""]
        location = client.post(location, data=MultiDict(form)).location


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--walks", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sort", default="tottime", help="cProfile order, e.g. cumulative")
    parser.add_argument("--profile", action="store_true",
                        help="print the 40 functions with most time (cProfile)")
    args = parser.parse_args(argv)
    survey = load_definition(builtin_template_path("trygghet"))
    with tempfile.TemporaryDirectory() as folder, load.database(args.database,
                                                                 Path(folder)) as url:
        server = load.Server(url)
        server.prepare()
        from dialog import create_app

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "walk-cpu",
                          "RATELIMIT_ENABLED": False})
        client = app.test_client()
        rng = np.random.default_rng(2026)
        page_weights(client, survey, rng)
        walk(client, survey, rng)  # warm caches and connections
        per_survey = []
        profiler = cProfile.Profile() if args.profile else None
        for _ in range(args.runs):
            if profiler:
                profiler.enable()
            start = time.process_time()
            for _ in range(args.walks):
                walk(client, survey, rng)
            per_survey.append((time.process_time() - start) / args.walks)
            if profiler:
                profiler.disable()
        with app.app_context():
            from dialog.extensions import db

            db.engine.dispose()
    print(f"{args.database}: {1000 * statistics.median(per_survey):.1f} ms CPU per survey "
          f"(median of {args.runs} runs × {args.walks} walks; runs: "
          + ", ".join(f"{1000 * v:.1f}" for v in per_survey) + ")")
    if profiler:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(40)
        profiler.dump_stats("/tmp/walk.prof")
    return 0


if __name__ == "__main__":
    sys.exit(main())
