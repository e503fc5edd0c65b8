"""Browser tests: the real app as a server on a free loopback port with a throwaway SQLite
database, driven by Debian's Chromium through Playwright (never a browser Playwright fetches).

``server`` is the development server over plain http. ``tls_server`` and ``nginx_server`` are
the app as deployed, on the same database: ``make serve`` with its own TLS, and ``make serve``
behind a real nginx configured by ``flask nginx-config`` (tests/servers.py), both with
production settings and a self-signed certificate the browser is told to accept.

Screenshots of every step go to ``test-artifacts/e2e/`` (git-ignored).
"""

from __future__ import annotations

import csv
import functools
import json
import os
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Locator, Page, sync_playwright

from dialog import create_app
from dialog.extensions import db
from tests.postgres.cluster import free_port
from tests.servers import AppServer, Nginx, self_signed_certificate, wait_until_up

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "e2e"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "e2e-test-password-1"
STAFF_EMAIL = "samordnare@kommun.example"
COUNCILLOR_EMAIL = "ordforande@kommun.example"
# The kiosk idle test waits this out, so it is short; the other kiosk survey keeps the default.
KIOSK_IDLE, KIOSK_WARNING = 6, 3


@dataclass(frozen=True)
class Server:
    url: str
    database: Path
    env: dict[str, str]

    def query(self, sql: str, *params: object) -> list[tuple]:
        with sqlite3.connect(self.database) as connection:
            return connection.execute(sql, params).fetchall()

    def kiosk_code(self) -> str:
        """A one-time registration code for a new kiosk, as staff get it from the command (run
        in this process: a new interpreter for every code cost seconds of CPU)."""
        app = _command_app(self.database, self.env["SECRET_KEY"])
        result = app.test_cli_runner().invoke(args=["kiosk", "add-device", "Kundtjänst (e2e)"])
        with app.app_context():
            db.engine.dispose()  # no connection left open between tests
        assert result.exit_code == 0, result.output
        return result.stdout.strip().splitlines()[-1]


@functools.cache
def _command_app(database: Path, secret_key: str) -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                       "SECRET_KEY": secret_key})


def _flask(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    sys.stderr.write(f"e2e setup: flask {' '.join(args)}\n")
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=REPO_ROOT,
                            env=env, input=stdin, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"flask {args}: {result.stderr}"
    return result.stdout


# Runs flask commands one after the other in one process, each as `flask --app app ...` would:
# every start costs seconds of CPU to import the app, and the seeding runs nine commands.
_COMMANDS = """
import json, sys
from app import app
runner = app.test_cli_runner()
for args, stdin in json.load(sys.stdin):
    result = runner.invoke(args=args, input=stdin)
    if result.exit_code != 0:
        sys.exit(f"flask {' '.join(args)}: {result.output}{result.stderr}{result.exception!r}")
"""


def _flask_commands(env: dict[str, str], *commands: tuple[list[str], str | None]) -> None:
    """``(arguments, stdin)`` of each command, run in order in one process."""
    sys.stderr.write("e2e setup: " + "; ".join(f"flask {' '.join(args)}"
                                               for args, _stdin in commands) + "\n")
    result = subprocess.run([sys.executable, "-c", _COMMANDS], cwd=REPO_ROOT, env=env,
                            input=json.dumps(commands), capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr


@dataclass(frozen=True)
class Seeded:
    """One database with the surveys, demo answers, a kiosk and staff, for every server."""

    folder: Path
    env: dict[str, str]
    database: Path

    def serving(self, url: str) -> Server:
        return Server(url, self.database, self.env)


@pytest.fixture(scope="session")
def seeded(tmp_path_factory) -> Seeded:
    folder = tmp_path_factory.mktemp("e2e")
    database = folder / "e2e.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}",
           "SECRET_KEY": secrets.token_hex(32), "MEDBORGARDIALOG_DEV": "1", "FLASK_DEBUG": "0"}
    _flask_commands(
        env,
        (["init-db", "--load-builtin"], None),
        # Test rounds: open through their own addresses, not offered on the residents' start
        # page.
        (["load-survey", "--open", "--unlisted", str(HERE / "data" / "grannskap.yaml")], None),
        (["load-survey", "--open", "--unlisted", str(HERE / "data" / "handelser.yaml")], None),
        (["seed-demo", "--responses", "300"], None),
        (["kiosk", "set-idle", "trygghet", str(KIOSK_IDLE), "--warning", str(KIOSK_WARNING)],
         None),
        (["create-user", STAFF_EMAIL, "--role", "staff", "--password-stdin"], PASSWORD + "\n"),
        (["create-user", COUNCILLOR_EMAIL, "--role", "councillor", "--password-stdin"],
         PASSWORD + "\n"))
    return Seeded(folder, env, database)


@contextmanager
def development_server(seeded: Seeded, name: str = "server", **settings: str
                       ) -> Iterator[Server]:
    """``flask run`` over plain http on the seeded database, with extra ``settings`` in its
    environment (a module that needs, say, a map tile source starts its own)."""
    port = free_port()
    log = seeded.folder / f"{name}.log"
    env = {**seeded.env, **settings}
    with log.open("w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "run", "--host", "127.0.0.1",
             "--port", str(port), "--no-reload", "--no-debugger"],
            cwd=REPO_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, log)
        yield Server(url, seeded.database, env)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def server(seeded: Seeded) -> Iterator[Server]:
    """The development server (``flask run``) over plain http."""
    with development_server(seeded) as running:
        yield running


@pytest.fixture(scope="session")
def certificate(seeded: Seeded) -> tuple[Path, Path]:
    return self_signed_certificate(seeded.folder / "tls")


def _production(seeded: Seeded, trusted_proxies: int) -> dict[str, str]:
    # Walk photos uploaded through the deployed servers go to the test's folder, not instance/.
    return {**seeded.env, "MEDBORGARDIALOG_DEV": "0", "TRUSTED_PROXIES": str(trusted_proxies),
            "WALK_PHOTO_DIR": str(seeded.folder / f"walk-photos-{trusted_proxies}")}


@pytest.fixture(scope="session")
def tls_server(seeded: Seeded, certificate) -> Iterator[Server]:
    """``make serve`` with SERVE_CERTFILE/SERVE_KEYFILE: gunicorn serves https itself."""
    with AppServer(seeded.folder / "tls-server", _production(seeded, 0),
                   tls=certificate) as app:
        yield seeded.serving(app.url)


@pytest.fixture(scope="session")
def nginx_server(seeded: Seeded, certificate) -> Iterator[Server]:
    """``make serve`` over http behind a real nginx that terminates TLS (TRUSTED_PROXIES=1)."""
    env = _production(seeded, 1)
    with AppServer(seeded.folder / "behind-nginx", env) as app, \
            Nginx(seeded.folder / "nginx", [app.address], *certificate, env) as nginx:
        yield seeded.serving(nginx.url)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "Debian's chromium is missing: run `make chromium`"
    with sync_playwright() as playwright:
        # launch() gives every run a fresh, temporary user data directory.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Pages in fresh contexts (no cookies shared). ``axe=True`` lets the test inject axe-core,
    which the Content-Security-Policy would block; kiosk timing tests keep the real policy."""
    contexts = []

    def make(width: int = 375, height: int = 667, *, axe: bool = True, **options) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height},
                                      bypass_csp=axe, **options)
        contexts.append(context)
        page = context.new_page()
        # Generous: the tests check what a page shows, not how fast a busy machine (CI shares
        # two cores with the app server, PostgreSQL and nginx) renders a cold dashboard.
        page.set_default_timeout(60_000)
        return page

    yield make
    for context in contexts:
        context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def assert_accessible(page: Page, label: str) -> None:
    """Zero axe-core violations of WCAG 2.0/2.1 A and AA on the page as it is now."""
    assert AXE.exists(), "axe-core is missing: run `make chromium`"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    problems = [f"{v['id']} ({v['impact']}): {v['help']} at "
                f"{[node['target'] for node in v['nodes']][:4]}" for v in result["violations"]]
    assert not problems, f"{label} ({page.url}):\n" + "\n".join(problems)


def print_staff_page(page: Page, filename: str) -> None:
    """The page as the browser's print command makes it: A4 without the staff menu, the PDF
    kept in test-artifacts/e2e/ to look at."""
    page.emulate_media(media="print")
    assert not page.locator(".staff-nav").is_visible()
    pdf = page.pdf(format="A4", path=str(ARTIFACTS / filename))
    assert pdf.startswith(b"%PDF")


def answer_like_a_person(page: Page) -> None:
    """Tap the first alternative of every question and write in every text box a person
    sees (a place question's further marks stay folded until opened)."""
    for kind in ("radio", "checkbox"):
        names = page.eval_on_selector_all(
            f"form#answers input[type={kind}]", "els => [...new Set(els.map(e => e.name))]")
        for name in names:
            first = page.locator(f'form#answers input[type={kind}][name="{name}"]').first
            if first.is_visible():
                first.check()
    for box in page.locator("form#answers textarea").all():
        if box.is_visible():
            box.fill("Bättre belysning vid busstationen")
    for box in page.locator("form#answers input[type=text]").all():
        if box.is_visible():
            box.fill("12")


def open_place_map(page: Page, server: Server) -> Locator:
    """Start the built-in survey, answer like a person up to the place question and open its
    map; the map's canvas, once Leaflet has drawn it."""
    page.goto(f"{server.url}/sv/s/trygghet/")
    with page.expect_navigation():
        page.locator("main form button.primary").click()
    while not page.locator(".place-map").count():
        answer_like_a_person(page)
        with page.expect_navigation():
            page.locator("#answers button[name=action][value=next]").click()
    page.get_by_role("button", name="Markera på en karta").click()
    canvas = page.locator(".map-canvas")
    canvas.wait_for()
    return canvas


def open_kiosk(new_page: Callable[..., Page], server: Server, slug: str = "trygghet",
               **options) -> tuple[Page, list[str]]:
    """The kiosk's start screen on a touch screen with the real Content-Security-Policy, and
    the list that collects the policy violations the page reports."""
    page = new_page(1280, 800, axe=False, has_touch=True, **options)
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    register_kiosk(page, server)
    page.goto(f"{server.url}/kiosk/{slug}/")
    return page, violations


def register_kiosk(page: Page, server: Server) -> None:
    """Set the browser up as a kiosk the way staff do: type a one-time code. The device key
    it receives lives in a cookie and never in an address the browser asks for."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(f"{server.url}/kiosk/register")
    page.fill("input[name=code]", server.kiosk_code())
    with page.expect_navigation():
        page.locator("form:has(input[name=code]) button").click()
    assert page.url.endswith("/kiosk/")
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "kiosk_device")
    assert urls and not [url for url in urls if key in url]


def count_complete(server, slug: str, lang: str) -> int:
    return server.query(
        "SELECT count(*) FROM response r JOIN survey_version v ON r.version_id = v.id "
        "JOIN survey s ON v.survey_id = s.id WHERE s.slug = ? AND r.status = 'complete' "
        "AND r.channel = 'web' AND r.language = ?", slug, lang)[0][0]


def walk_survey(page, server, slug: str, lang: str, label: str, *, check=None) -> int:
    """Start at the intro, answer every page, end on the thank-you page; returns page count."""
    page.goto(f"{server.url}/{lang}/s/{slug}/")
    assert_accessible(page, f"{label} intro")
    shot(page, f"{label}-0-intro")
    page.locator("main form button.primary").click()
    number = 0
    while "/klart" not in page.url:
        number += 1
        page.wait_for_selector("form#answers")
        if number == 1:
            # Next with nothing answered: the error summary is announced and passes axe too.
            with page.expect_navigation():
                page.locator("#answers button[name=action][value=next]").click()
            summary = page.locator(".error-summary[role=alert]")
            assert summary.is_visible()
            assert_accessible(page, f"{label} errors")
            shot(page, f"{label}-1-errors")
        answer_like_a_person(page)
        if check is not None:
            check(page, number)
        assert_accessible(page, f"{label} page {number}")
        shot(page, f"{label}-{number}-page")
        with page.expect_navigation():
            page.locator("#answers button[name=action][value=next]").click()
    assert_accessible(page, f"{label} thanks")
    shot(page, f"{label}-{number + 1}-thanks")
    return number


def sign_in(page, server, email: str, lang: str) -> None:
    page.goto(f"{server.url}/staff/login?lang={lang}")
    assert_accessible(page, f"login {lang}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/staff/login" not in page.url, page.content()[:500]


def export_csv(page, label: str, lang: str) -> list[list[str]]:
    """On a survey's staff page: download the CSV export and check it holds every answer."""
    page.locator("input[name=format][value=csv]").check()
    with page.expect_download() as download_info:
        page.locator("form[action$='/export'] button[type=submit]").click()
    target = ARTIFACTS / f"{label}-export.csv"
    download_info.value.save_as(target)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";" if lang == "sv" else ","))
    assert len(rows) >= 301, len(rows)  # header + the 300 demo responses (and any e2e ones)
    assert rows[0][0] == "response_id" or "response_id" in ";".join(rows[0])
    return rows
