"""The nginx configuration: docs/deployment.md shows exactly what the command prints."""

from __future__ import annotations

import os
import re
import shlex
import subprocess

import pytest

from dialog import create_app
from dialog.deployment import render_nginx_config
from tests.conftest import REPO_ROOT

DOCS = REPO_ROOT / "docs" / "deployment.md"
SETTINGS = {"server_name": "dialog.example", "upstreams": ["127.0.0.1:8000"],
            "certificate": "/tls/cert.pem", "key": "/tls/key.pem", "static_root": "/srv/static",
            "max_body_bytes": 16 * 1024 * 1024}


@pytest.fixture
def cli(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'cli.db'}"})
    return app.test_cli_runner()


def _documented() -> tuple[list[str], str]:
    """The documented command's arguments and the nginx block that follows it."""
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(r"```sh\n(flask --app app nginx-config.*?)\n```\s.*?```nginx\n(.*?)```",
                      text, re.S)
    assert match, "docs/deployment.md shows no nginx-config command with its output"
    words = shlex.split(match.group(1).replace("\\\n", " "))
    return words[4:words.index(">")], match.group(2)


def test_the_documented_configuration_is_what_the_command_prints(cli):
    arguments, shown = _documented()
    assert "--upstream" in arguments
    result = cli.invoke(args=["nginx-config", *arguments])
    assert result.exit_code == 0, result.output
    assert result.output == shown


def test_upstreams_and_the_apps_body_limit_are_rendered(cli):
    result = cli.invoke(args=["nginx-config", "--upstream", "10.1.2.3:8000",
                              "--upstream", "[::1]:8001", "--upstream", "unix:/run/app.sock",
                              "--listen", "127.0.0.1:8443", "--no-http-redirect"])
    assert result.exit_code == 0, result.output
    servers = re.findall(r"^    server (\S+);$", result.output, re.M)
    assert servers == ["10.1.2.3:8000", "[::1]:8001", "unix:/run/app.sock"]
    assert "listen 127.0.0.1:8443 ssl http2;" in result.output
    assert "client_max_body_size 16m;" in result.output
    assert "listen 80;" not in result.output
    assert "/etc/letsencrypt/live/trygghet.kommun.se/privkey.pem;" in result.output
    assert re.search(r"alias /\S+/dialog/static/;", result.output)


def test_the_body_limit_follows_the_app(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "MAX_CONTENT_LENGTH": 2 * 1024,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'cli.db'}"})
    result = app.test_cli_runner().invoke(args=["nginx-config"])
    assert "client_max_body_size 2k;" in result.output


def test_no_client_address_is_logged():
    text = render_nginx_config(**SETTINGS)
    assert text.count("access_log off;") == 2  # the https server and the redirect
    assert "error_log /var/log/nginx/error.log crit;" in text
    assert "$remote_addr" not in text


@pytest.mark.parametrize(("name", "value"), [
    ("server_name", "a.example; include /etc/passwd"), ("upstreams", ["127.0.0.1"]),
    ("upstreams", ["127.0.0.1:80 backup"]), ("upstreams", []), ("certificate", "/a b.pem"),
    ("listen", "443 ssl"), ("static_root", "/srv/{x}"),
])
def test_values_that_would_break_the_configuration_are_refused(name, value):
    with pytest.raises(ValueError):
        render_nginx_config(**{**SETTINGS, name: value})


def test_the_command_explains_a_refused_value(cli):
    result = cli.invoke(args=["nginx-config", "--upstream", "app;"])
    assert result.exit_code == 2
    assert "cannot go into an nginx configuration" in result.output


def test_make_serve_refuses_half_a_tls_setting(tmp_path):
    """A certificate without its key (or a missing file) stops `make serve` before it starts
    a server that would silently speak plain http."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env.update(SECRET_KEY="x" * 32, DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}",
               SERVE_CERTFILE=str(DOCS))
    result = subprocess.run(["make", "--no-print-directory", "serve"], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "SERVE_CERTFILE and SERVE_KEYFILE must both name readable files" in result.stderr
    assert not (tmp_path / "serve.db").exists()  # stopped before touching the database
