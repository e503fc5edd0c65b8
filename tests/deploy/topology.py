"""Several app servers on one database, as deployed: gunicorn started exactly as ``make serve``
starts it (production settings), Redis for the counters every server shares, and a real nginx
in front with the configuration ``flask --app app nginx-config`` gives operators (over https,
with a self-signed certificate). Used by the two-server tests and by
``benchmarks/load.py --servers N``.
"""

from __future__ import annotations

import http.client
import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.deploy.redis_server import TemporaryRedis
from tests.postgres.cluster import free_port
from tests.servers import Nginx, self_signed_certificate

REPO = Path(__file__).resolve().parents[2]
SECRET_KEY = "several-servers-share-this-secret-key"


def gunicorn_command(port: int, workers: int | None = None, threads: int = 4) -> list[str]:
    """The same server ``make serve`` starts (gthread, one worker per core, 4 threads each)."""
    workers = workers or os.cpu_count() or 1
    return [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers),
            "--worker-class", "gthread", "--threads", str(threads), "--bind",
            f"127.0.0.1:{port}", "--keep-alive", "5", "--no-control-socket", "--log-level",
            "warning", "app:app"]


@dataclass
class Server:
    """A gunicorn on loopback against ``database_url``; ``kill()`` is a SIGKILL, no goodbye.

    ``settings`` are extra environment variables (Redis, proxies, limits). The servers of one
    site share the ``SECRET_KEY``: a session cookie signed by one is valid on every other.
    """

    database_url: str
    port: int = field(default_factory=free_port)
    workers: int | None = None
    threads: int = 4
    settings: Mapping[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "DATABASE_URL": self.database_url, "SECRET_KEY": SECRET_KEY,
                "MEDBORGARDIALOG_DEV": "0", **self.settings}

    def prepare(self) -> None:
        """What ``make serve`` does before starting: init-db and load-builtin."""
        from flask_migrate import upgrade

        from dialog import create_app
        from dialog.extensions import db
        from dialog.services import catalog
        from surveys import load_definition
        from surveys.templates import builtin_template_path

        app = create_app({"SQLALCHEMY_DATABASE_URI": self.database_url,
                          "SECRET_KEY": SECRET_KEY})
        with app.app_context():
            upgrade(revision="head")
            catalog.publish(load_definition(builtin_template_path("trygghet")))
            # A connection still held by the session would outlive the disposed pool.
            db.session.remove()
            db.engine.dispose()

    def start(self) -> None:
        self.process = subprocess.Popen(gunicorn_command(self.port, self.workers, self.threads),
                                        cwd=REPO, env=self.env, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.1)
            finally:
                conn.close()
        self.kill()
        raise RuntimeError("gunicorn did not start within 60 s")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


@dataclass
class Site:
    """The running app servers of one site, the Redis they share and nginx in front."""

    servers: list[Server]
    redis_url: str
    nginx_port: int
    tls: ssl.SSLContext  # trusts the site's self-signed certificate

    @property
    def ports(self) -> list[int]:
        return [server.port for server in self.servers]


@contextmanager
def several_servers(database_url: str, folder: Path, count: int = 2, *,
                    workers: int | None = None, threads: int = 4,
                    settings: Mapping[str, str] | None = None) -> Iterator[Site]:
    """``count`` app servers on one (prepared) database, a throwaway Redis for their rate-limit
    counters and nginx in front (files in ``folder``); everything is stopped on leaving."""
    with ExitStack() as stack:
        redis = stack.enter_context(TemporaryRedis())
        # One proxy in front: the client address and https come from nginx's headers.
        shared = {"RATELIMIT_STORAGE_URI": redis.url, "TRUSTED_PROXIES": "1",
                  **(settings or {})}
        servers = [Server(database_url, workers=workers, threads=threads, settings=shared)
                   for _ in range(count)]
        for server in servers:
            stack.callback(server.stop)
            server.start()
        certificate, key = self_signed_certificate(folder / "tls")
        upstreams = [f"127.0.0.1:{server.port}" for server in servers]
        nginx = stack.enter_context(Nginx(folder / "nginx", upstreams, certificate, key,
                                          servers[0].env))
        tls = ssl.create_default_context(cafile=str(certificate))
        yield Site(servers, redis.url, nginx.port, tls)
