"""Load benchmark: N simulated residents answer the trygghetsundersökning over HTTP at once.

Each resident behaves like a browser: GET the page, read the CSRF token, POST the answers,
follow the redirect, until the thank-you page; then starts again as a new resident. The
server is gunicorn exactly as ``make serve`` runs it, started here on a free loopback port
against a fresh SQLite file or a throwaway PostgreSQL 15 cluster. With ``--servers N`` there
are N such servers on one PostgreSQL, sharing a throwaway Redis for their rate limits, behind a
real nginx over https configured as docs/deployment.md says (tests/deploy/topology.py); the
residents talk to nginx, which spreads their requests over the servers.

    .venv/bin/python benchmarks/load.py --database sqlite --residents 50 --seconds 30
    .venv/bin/python benchmarks/load.py --database postgres
    .venv/bin/python benchmarks/load.py --database postgres --servers 2

Prints, for each of ``--runs`` runs and for the median run, completed surveys per second,
request latency percentiles and errors; the ratio to a trivial endpoint (/healthz) on the same
server; and how the CPU was shared between server, database and load generator. Afterwards
it checks the database: complete responses == thank-you pages received, and each acknowledged
answer set stored exactly once.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from surveys import Survey, load_definition, visible_questions  # noqa: E402
from surveys.templates import builtin_template_path  # noqa: E402
from tests.deploy import topology  # noqa: E402
from tests.postgres.cluster import TemporaryCluster, free_port  # noqa: E402

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PAGE_RE = re.compile(r"/s/(?P<slug>[^/]+)/p/(?P<number>\d+)$")
MARKER_FIELD = "tryggare"  # free text on the last page carries a unique marker per resident
# 50 residents share one address here; a real per-client budget would stop the benchmark.
BENCH_ENV = {"RATELIMIT_ANSWERS_PER_CLIENT": "1000000 per minute",
             "RATELIMIT_STARTS_PER_CLIENT": "1000000 per minute"}


def gunicorn_command(port: int, workers: int | None = None, threads: int = 4) -> list[str]:
    """The same server ``make serve`` starts (gthread, one worker per core, 4 threads each)."""
    workers = workers or os.cpu_count() or 1
    return [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers),
            "--worker-class", "gthread", "--threads", str(threads), "--bind",
            f"127.0.0.1:{port}", "--keep-alive", "5", "--log-level", "warning", "app:app"]


@dataclass
class Server:
    """A gunicorn on loopback against ``database_url``; ``kill()`` is a SIGKILL, no goodbye."""

    database_url: str
    port: int = field(default_factory=free_port)
    workers: int | None = None
    threads: int = 4
    process: subprocess.Popen | None = None

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, **BENCH_ENV, "DATABASE_URL": self.database_url,
                "SECRET_KEY": "load-benchmark-secret-key", "MEDBORGARDIALOG_DEV": "1"}

    def prepare(self) -> None:
        """What ``make serve`` does before starting: init-db and load-builtin."""
        from flask_migrate import upgrade

        from dialog import create_app
        from dialog.extensions import db
        from dialog.services import catalog

        app = create_app({"SQLALCHEMY_DATABASE_URI": self.database_url,
                          "SECRET_KEY": self.env["SECRET_KEY"]})
        with app.app_context():
            upgrade(revision="head")
            catalog.publish(load_definition(builtin_template_path("trygghet")))
            # A connection still held by the session would outlive the disposed pool.
            db.session.remove()
            db.engine.dispose()

    def start(self) -> None:
        self.process = subprocess.Popen(gunicorn_command(self.port, self.workers, self.threads),
                                        cwd=REPO,
                                        env=self.env, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.1)
            finally:
                conn.close()
        raise RuntimeError("gunicorn did not start within 30 s")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


class Browser:
    """Just enough of a browser: one keep-alive connection, cookies, no redirect following.

    With ``tls`` it speaks https (to nginx) and says where its form posts come from (Origin),
    as browsers do and as the app's same-origin check on https requires.
    """

    def __init__(self, port: int, timeout: float = 30, tls: ssl.SSLContext | None = None
                 ) -> None:
        self.port = port
        self.timeout = timeout
        self.tls = tls
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, form: list[tuple[str, str]] | None = None
                ) -> tuple[int, str, str]:
        """Returns (status, Location, body)."""
        headers = {"Accept-Language": "sv"}
        if self.tls is not None and method == "POST":
            headers["Origin"] = f"https://127.0.0.1:{self.port}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = (
                    http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                    if self.tls is None else
                    http.client.HTTPSConnection("127.0.0.1", self.port, timeout=self.timeout,
                                                context=self.tls))
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                text = resp.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server closed while idle: reconnect once.
                self.conn.close()
                self.conn = None
                if attempt == 2 or method == "POST":
                    raise
        for header in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return resp.status, resp.headers.get("Location", ""), text

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def random_answers(survey: Survey, page_index: int, answers: dict, rng: np.random.Generator
                   ) -> dict[str, str | list[str]]:
    """Valid answers for the visible questions of a page, chosen at random."""
    page = survey.pages[page_index]
    data: dict[str, str | list[str]] = {}
    for q in visible_questions(page, answers):
        codes = [o.code for o in q.options]
        if q.type == "single_choice":
            data[q.id] = str(rng.choice(codes))
        elif q.type == "multiple_choice":
            data[q.id] = [str(rng.choice(codes))]
        elif q.type == "pick_top":
            k = int(rng.integers(1, (q.max_selections or 1) + 1))
            data[q.id] = [str(c) for c in rng.choice(codes, size=k, replace=False)]
        elif q.type == "likert_matrix":
            scale = [o.code for o in q.scale.options]
            for name in q.field_names():
                data[name] = str(rng.choice(scale))
        elif q.type == "number":
            data[q.id] = str(int(q.min_value or 0))
        elif q.type == "place":
            # One place from the list with its follow-ups, one point as the map would set it.
            named = q.places[int(rng.integers(len(q.places)))]
            data[f"{q.id}.1.place"] = named.code
            for follow_up in q.follow_up:
                if follow_up.options:
                    data[f"{q.id}.1.{follow_up.id}"] = [str(rng.choice(
                        [o.code for o in follow_up.options]))]
            data[f"{q.id}.2.lat"] = f"{named.lat + rng.normal(0, 0.001):.5f}"
            data[f"{q.id}.2.lon"] = f"{named.lon + rng.normal(0, 0.002):.5f}"
        else:
            data[q.id] = ""
    return data


@dataclass
class Tally:
    """What the residents saw. Shared between threads; guarded by ``lock``."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    acknowledged: dict[str, dict] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    thanks: int = 0
    cpu_before: dict[str, float] = field(default_factory=dict)
    cpu_after: dict[str, float] = field(default_factory=dict)


class Resident:
    """Walks the survey again and again until ``stop`` is set."""

    def __init__(self, number: int, port: int, survey: Survey, tally: Tally,
                 stop: threading.Event, seed: int = 2026, lang: str = "sv",
                 tls: ssl.SSLContext | None = None) -> None:
        self.number = number
        self.port = port
        self.tls = tls
        self.survey = survey
        self.fields = {name for q in survey.questions() for name in q.field_names()}
        self.tally = tally
        self.stop = stop
        self.rng = np.random.default_rng([seed, number])
        self.lang = lang
        self.walks = 0

    def _timed(self, browser: Browser, method: str, path: str, form=None, expect=(200,)):
        start = time.perf_counter()
        status, location, body = browser.request(method, path, form)
        elapsed = time.perf_counter() - start
        with self.tally.lock:
            self.tally.latencies.append(elapsed)
        if status not in expect:
            raise RuntimeError(f"{method} {path}: HTTP {status}")
        return status, location, body

    def walk(self) -> None:
        """One resident from the intro to the thank-you page, with a fresh browser."""
        self.walks += 1
        marker = f"bench-{self.number}-{self.walks}-{self.rng.integers(1 << 62)}"
        browser = Browser(self.port, tls=self.tls)
        base = f"/{self.lang}/s/{self.survey.slug}/"
        try:
            _, _, body = self._timed(browser, "GET", base)
            _, location, _ = self._timed(browser, "POST", base,
                                         [("csrf_token", csrf_token(body))], expect=(302,))
            answers: dict = {}
            while (match := PAGE_RE.search(location)) is not None:
                index = int(match["number"]) - 1
                _, _, body = self._timed(browser, "GET", location)
                data = random_answers(self.survey, index, answers, self.rng)
                if MARKER_FIELD in data:
                    data[MARKER_FIELD] = marker
                answers.update(data)
                form = [("csrf_token", csrf_token(body)), ("action", "next")]
                form += [(k, v) for k, vs in data.items()
                         for v in (vs if isinstance(vs, list) else [vs]) if v != ""]
                _, location, _ = self._timed(browser, "POST", location, form, expect=(302,))
            _, _, body = self._timed(browser, "GET", location)
            if "klart" not in location:
                raise RuntimeError(f"walk ended at {location}")
            with self.tally.lock:
                self.tally.thanks += 1
                # A place question's form fields are stored as one list of marks: only the
                # answers stored under their own field name are compared.
                self.tally.acknowledged[marker] = {k: v for k, v in answers.items()
                                                   if v != "" and k in self.fields}
        finally:
            browser.close()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.walk()
            except (RuntimeError, OSError, http.client.HTTPException) as error:
                if self.stop.is_set():
                    return
                with self.tally.lock:
                    self.tally.errors.append(f"resident {self.number}: {error}")


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    if match is None:
        raise RuntimeError("page without a CSRF token")
    return match.group(1)


def hammer(port: int, path: str, clients: int, seconds: float,
           tls: ssl.SSLContext | None = None) -> tuple[int, list[float]]:
    """Requests per client in a loop; returns (count, latencies) of 200 answers."""
    stop = threading.Event()
    latencies: list[float] = []
    lock = threading.Lock()

    def loop() -> None:
        browser = Browser(port, tls=tls)
        while not stop.is_set():
            start = time.perf_counter()
            status, _, _ = browser.request("GET", path)
            if status == 200:
                with lock:
                    latencies.append(time.perf_counter() - start)
        browser.close()

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return len(latencies), latencies


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'load.db'}"
        return
    with TemporaryCluster(durable=True) as cluster:
        yield cluster.create_database("load")


def cpu_by_program() -> dict[str, float]:
    """CPU seconds used so far by the servers, the database, nginx, Redis and this load
    generator (every such process on the machine: on a shared machine, others' count too).

    Read from /proc so that the figures show where the two cores go during the load."""
    tick = os.sysconf("SC_CLK_TCK")
    totals = {"gunicorn": 0.0, "postgres": 0.0, "nginx": 0.0, "redis": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended meanwhile
        command = cmdline.split(b"\0", 1)[0]
        program = ("gunicorn" if b"gunicorn" in cmdline
                   else "postgres" if b"postgres" in command
                   else "nginx" if b"nginx" in command
                   else "redis" if b"redis-server" in command else None)
        if program:
            fields = stat.rsplit(")", 1)[1].split()
            totals[program] += (int(fields[11]) + int(fields[12])) / tick
    own = os.times()
    totals["load generator"] = own.user + own.system
    return totals


def run_load(port: int, survey: Survey, residents: int, seconds: float, tally: Tally,
             first: int = 0, tls: ssl.SSLContext | None = None) -> float:
    """``first`` numbers the residents, so that every run's answer markers are its own."""
    stop = threading.Event()
    people = [Resident(first + i, port, survey, tally, stop, tls=tls)
              for i in range(residents)]
    threads = [threading.Thread(target=p.run, daemon=True) for p in people]
    start = time.perf_counter()
    tally.cpu_before = cpu_by_program()
    for t in threads:
        t.start()
    while (elapsed := time.perf_counter() - start) < seconds:
        time.sleep(1)
        sys.stderr.write(f"\r{elapsed:5.0f}/{seconds:.0f} s  {tally.thanks} surveys completed")
        sys.stderr.flush()
    stop.set()
    for t in threads:
        t.join(timeout=60)
    tally.cpu_after = cpu_by_program()
    sys.stderr.write("\n")
    return time.perf_counter() - start


def stored_responses(database_url: str) -> list[tuple[str, dict]]:
    """(status, answers) of every response, read straight from the database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT status, answers FROM response")).all()
    engine.dispose()
    return [(s, a if isinstance(a, dict) else json.loads(a)) for s, a in rows]


def _same(sent: object, stored: object) -> bool:
    # Several choices are a set: the server keeps them in the survey's option order.
    if isinstance(sent, list) and isinstance(stored, list):
        return sorted(sent) == sorted(stored)
    return sent == stored


def check_stored(acknowledged: dict[str, dict], thanks: int, rows: list[tuple[str, dict]]
                 ) -> list[str]:
    """Problems found: complete count differs, an acknowledged answer missing or doubled."""
    problems = []
    complete = [a for s, a in rows if s == "complete"]
    if len(complete) != thanks:
        problems.append(f"{len(complete)} complete responses stored, {thanks} thank-you pages")
    by_marker: dict[str, list[dict]] = {}
    for answers in complete:
        by_marker.setdefault(str(answers.get(MARKER_FIELD)), []).append(answers)
    for marker, sent in acknowledged.items():
        found = by_marker.get(marker, [])
        if len(found) != 1:
            problems.append(f"{marker}: stored {len(found)} times")
        elif differing := sorted(k for k, v in sent.items() if not _same(v, found[0].get(k))):
            problems.append(f"{marker}: stored answers differ from those sent in {differing}"
                            f" {[(sent[k], found[0].get(k)) for k in differing]}")
    return problems


def percentiles(latencies: list[float]) -> str:
    p50, p95, p99 = (np.percentile(latencies, q) * 1000 for q in (50, 95, 99))
    return f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms"


@dataclass
class RunFigures:
    seconds: float
    surveys: int
    requests: int
    latencies: list[float]
    errors: list[str]
    cpu: dict[str, float]

    @property
    def surveys_per_s(self) -> float:
        return self.surveys / self.seconds

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.seconds


def one_run(port: int, survey: Survey, residents: int, seconds: float, first: int,
            tls: ssl.SSLContext | None = None) -> tuple[RunFigures, Tally]:
    tally = Tally()
    elapsed = run_load(port, survey, residents, seconds, tally, first, tls)
    cpu = {k: tally.cpu_after[k] - tally.cpu_before[k] for k in tally.cpu_after}
    return RunFigures(elapsed, tally.thanks, len(tally.latencies), tally.latencies,
                      tally.errors, cpu), tally


def describe(run: RunFigures) -> str:
    p50, p95, p99 = (np.percentile(run.latencies, q) * 1000 for q in (50, 95, 99))
    return (f"{run.surveys_per_s:5.1f} surveys/s, {run.requests_per_s:4.0f} requests/s, "
            f"p50 {p50:5.1f} ms, p95 {p95:5.1f} ms, p99 {p99:5.1f} ms, "
            f"{len(run.errors)} errors")


@contextmanager
def serving(args: argparse.Namespace, url: str, folder: Path
            ) -> Iterator[tuple[int, ssl.SSLContext | None]]:
    """The port the residents use and its TLS: one gunicorn, or nginx before several."""
    if args.servers > 1:
        with topology.several_servers(url, folder, args.servers, settings=BENCH_ENV) as site:
            yield site.nginx_port, site.tls
        return
    server = Server(url, workers=args.workers, threads=args.threads)
    server.prepare()
    server.start()
    try:
        yield server.port, None
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30, help="length of one run")
    parser.add_argument("--runs", type=int, default=3, help="runs against the same server")
    parser.add_argument("--workers", type=int, default=None, help="default: as make serve")
    parser.add_argument("--threads", type=int, default=4, help="default: as make serve")
    parser.add_argument("--servers", type=int, default=1,
                        help="app servers behind nginx, with Redis (PostgreSQL only)")
    args = parser.parse_args(argv)
    if args.servers > 1 and args.database != "postgres":
        parser.error("several servers share one PostgreSQL: add --database postgres")
    survey = load_definition(builtin_template_path("trygghet"))
    runs: list[RunFigures] = []
    acknowledged: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as folder, database(args.database, Path(folder)) as url:
        with serving(args, url, Path(folder)) as (port, tls):
            before = cpu_by_program()
            count, health = hammer(port, "/healthz", args.residents, 5, tls)
            health_cpu = cpu_by_program()["gunicorn"] - before["gunicorn"]
            for number in range(args.runs):
                run, tally = one_run(port, survey, args.residents, args.seconds,
                                     first=number * args.residents, tls=tls)
                runs.append(run)
                acknowledged.update(tally.acknowledged)
                print(f"run {number + 1}: {describe(run)}", flush=True)
        rows = stored_responses(url)
    health_per_s = count / 5
    median = sorted(runs, key=lambda r: r.surveys_per_s)[len(runs) // 2]
    servers = (f"{args.servers} servers behind nginx (https), Redis, each"
               if args.servers > 1 else "one server,")
    print(f"database {args.database}, {args.residents} residents, {args.runs} runs of "
          f"{args.seconds:.0f} s, {servers} gunicorn {gunicorn_command(0, args.workers)[2]} "
          f"workers × gthread {args.threads}")
    print(f"median run: {describe(median)}")
    if errors := [e for r in runs for e in r.errors]:
        print(f"first error: {errors[0]}")
    print(f"/healthz: {health_per_s:.0f} per s, {percentiles(health)}; survey requests/s ÷ "
          f"healthz requests/s = {median.requests_per_s / health_per_s:.2f}")
    # The load generator is one Python process and can be the limit for /healthz, so the
    # steadier measure of what our code costs is server CPU per request.
    empty_ms = 1000 * health_cpu / max(count, 1)
    survey_ms = 1000 * median.cpu["gunicorn"] / max(median.requests, 1)
    print(f"server CPU per request: /healthz {empty_ms:.2f} ms, survey request "
          f"{survey_ms:.2f} ms (× {survey_ms / empty_ms:.1f})")
    print("CPU during the median run: " + ", ".join(
        f"{k} {v / median.seconds:.2f} cores ({1000 * v / max(median.surveys, 1):.1f} ms per "
        "survey)" for k, v in median.cpu.items()))
    thanks = sum(r.surveys for r in runs)
    problems = check_stored(acknowledged, thanks, rows)
    print(f"stored answers ({thanks} thank-you pages in all runs): "
          + ("every acknowledged answer stored exactly once"
             if not problems else f"{len(problems)} problems: {problems[:3]}"))
    return 1 if problems or errors else 0


if __name__ == "__main__":
    sys.exit(main())
