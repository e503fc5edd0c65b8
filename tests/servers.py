"""The app as deployed, started and stopped by the tests themselves on free loopback ports.

``AppServer`` runs ``make serve`` (gunicorn, with its own TLS or plain behind a proxy), ``Nginx``
puts a real nginx in front, configured by ``flask --app app nginx-config`` – the command
operators are given – and ``self_signed_certificate`` makes the certificate both use. Every
file (logs, pid, nginx's temporary folders) lives in the folder the caller gives.

    cert, key = self_signed_certificate(folder)
    with AppServer(folder / "a", env) as app, Nginx(folder / "n", [app.address], cert, key,
                                                     env) as nginx:
        ...  nginx.url is https://127.0.0.1:PORT
"""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType

from tests.conftest import REPO_ROOT
from tests.postgres.cluster import free_port

NGINX = Path("/usr/sbin/nginx")
MIME_TYPES = Path("/etc/nginx/mime.types")
# A slow, shared machine: starting takes a few seconds, never this long unless it is broken.
START_SECONDS = 180


def self_signed_certificate(folder: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A certificate for ``host`` (and localhost) and its key, valid for two days."""
    folder.mkdir(parents=True, exist_ok=True)
    certificate, key = folder / "certificate.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", f"/CN={host}", "-addext", f"subjectAltName=IP:{host},DNS:localhost",
         "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True, timeout=60)
    return certificate, key


def _unverified() -> ssl.SSLContext:
    # Only for polling /healthz of our own self-signed servers on loopback.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    """Until ``url``/healthz answers 200; fails with the end of ``log`` if the process ends."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} stopped: {log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5,
                                        context=_unverified()) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {START_SECONDS} s: "
                       f"{log.read_text(errors='replace')[-3000:]}")


class _Process:
    """A process group started by a test, stopped by signalling that group only."""

    process: subprocess.Popen | None = None

    def _spawn(self, command: list[str], env: dict[str, str], log: Path) -> None:
        with log.open("w") as handle:
            self.process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=handle,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


class AppServer(_Process):
    """``make serve`` on a free port with ``env`` (SECRET_KEY, DATABASE_URL, TRUSTED_PROXIES…);
    with ``tls=(certificate, key)`` it serves https itself (SERVE_CERTFILE/SERVE_KEYFILE)."""

    def __init__(self, folder: Path, env: dict[str, str], *,
                 tls: tuple[Path, Path] | None = None) -> None:
        self.folder, self.env, self.tls = folder, env, tls
        self.port = free_port()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.address}"

    def __enter__(self) -> AppServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        env = {key: value for key, value in self.env.items()
               # an outer `make test` would hand its jobserver and flags down
               if key not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        env.update(SERVE_BIND=self.address, MEDBORGARDIALOG_DEV="0")
        if self.tls:
            env.update(SERVE_CERTFILE=str(self.tls[0]), SERVE_KEYFILE=str(self.tls[1]))
        log = self.folder / "serve.log"
        sys.stderr.write(f"starting make serve on {self.url}\n")
        self._spawn(["make", "--no-print-directory", "serve"], env, log)
        try:
            wait_until_up(self.url, self.process, log)
        except BaseException:
            self.stop()
            raise
        return self


_MAIN_CONFIG = """\
{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 512; }}
http {{
    include {mime_types};
    default_type application/octet-stream;
    client_body_temp_path {folder}/temp/body;
    proxy_temp_path {folder}/temp/proxy;
    fastcgi_temp_path {folder}/temp/fastcgi;
    uwsgi_temp_path {folder}/temp/uwsgi;
    scgi_temp_path {folder}/temp/scgi;
    include {folder}/site.conf;
}}
"""


class Nginx(_Process):
    """A real nginx on a free port in front of ``upstreams`` (``HOST:PORT`` each), with the site
    configuration that ``flask --app app nginx-config`` prints for them (run with ``env``)."""

    def __init__(self, folder: Path, upstreams: list[str], certificate: Path, key: Path,
                 env: dict[str, str]) -> None:
        self.folder, self.upstreams, self.env = folder, upstreams, env
        self.certificate, self.key = certificate, key
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def site_config(self) -> str:
        arguments = ["--server-name", "localhost", "--cert", str(self.certificate),
                     "--key", str(self.key), "--listen", f"127.0.0.1:{self.port}",
                     "--error-log", str(self.folder / "error.log"), "--no-http-redirect"]
        for upstream in self.upstreams:
            arguments += ["--upstream", upstream]
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", "nginx-config", *arguments],
            cwd=REPO_ROOT, env=self.env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def __enter__(self) -> Nginx:
        assert NGINX.exists(), "nginx is missing: run `make nginx`"
        (self.folder / "temp").mkdir(parents=True, exist_ok=True)
        (self.folder / "site.conf").write_text(self.site_config())
        # As root (CI), the workers would run as nobody, who cannot enter pytest's private
        # temporary folders; the master stays root either way.
        user = "user root root;\n" if os.geteuid() == 0 else ""
        (self.folder / "nginx.conf").write_text(_MAIN_CONFIG.format(
            user=user, folder=self.folder, mime_types=MIME_TYPES))
        log = self.folder / "error.log"
        sys.stderr.write(f"starting nginx on {self.url} for {', '.join(self.upstreams)}\n")
        self._spawn([str(NGINX), "-p", str(self.folder), "-c", str(self.folder / "nginx.conf"),
                     "-e", str(log), "-g", "daemon off;"], self.env, log)
        try:
            wait_until_up(self.url, self.process, log)
        except BaseException:
            self.stop()
            raise
        return self
