"""Browser tests: the real app as a server on a free loopback port with a throwaway SQLite
database, driven by Debian's Chromium through Playwright (never a browser Playwright fetches).

Screenshots of every step go to ``test-artifacts/e2e/`` (git-ignored).
"""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

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
    device_key: str

    def query(self, sql: str, *params: object) -> list[tuple]:
        with sqlite3.connect(self.database) as connection:
            return connection.execute(sql, params).fetchall()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _flask(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    sys.stderr.write(f"e2e setup: flask {' '.join(args)}\n")
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=REPO_ROOT,
                            env=env, input=stdin, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"flask {args}: {result.stderr}"
    return result.stdout


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer in 30 s: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("e2e")
    database = folder / "e2e.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}",
           "SECRET_KEY": secrets.token_hex(32), "MEDBORGARDIALOG_DEV": "1", "FLASK_DEBUG": "0"}
    _flask(env, "init-db")
    _flask(env, "load-builtin")
    _flask(env, "load-survey", str(HERE / "data" / "grannskap.yaml"))
    _flask(env, "seed-demo", "--responses", "300")
    device_key = _flask(env, "kiosk", "add-device", "Kundtjänst (e2e)").strip().splitlines()[-1]
    _flask(env, "kiosk", "set-idle", "trygghet", str(KIOSK_IDLE), "--warning", str(KIOSK_WARNING))
    _flask(env, "create-user", STAFF_EMAIL, "--role", "staff", "--password-stdin",
           stdin=PASSWORD + "\n")
    _flask(env, "create-user", COUNCILLOR_EMAIL, "--role", "councillor", "--password-stdin",
           stdin=PASSWORD + "\n")
    port = _free_port()
    log = folder / "server.log"
    with log.open("w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "run", "--host", "127.0.0.1",
             "--port", str(port), "--no-reload", "--no-debugger"],
            cwd=REPO_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield Server(url, database, device_key)
    finally:
        process.terminate()
        process.wait(timeout=10)


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
        page.set_default_timeout(15_000)
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


def answer_like_a_person(page: Page) -> None:
    """Tap the first alternative of every question and write in every text box."""
    for kind in ("radio", "checkbox"):
        names = page.eval_on_selector_all(
            f"form#answers input[type={kind}]", "els => [...new Set(els.map(e => e.name))]")
        for name in names:
            page.locator(f'form#answers input[type={kind}][name="{name}"]').first.check()
    for box in page.locator("form#answers textarea").all():
        box.fill("Bättre belysning vid busstationen")
    for box in page.locator("form#answers input[type=text]").all():
        box.fill("12")
