"""Body size limits hold against gunicorn reached directly, with chunked bodies (no
Content-Length, so nothing but the reading itself can enforce them)."""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path

import pytest

from tests.servers import AppServer

# The answer pages' limit (RESPONSE_MAX_BYTES) and the app-wide one (MAX_CONTENT_LENGTH).
ANSWER_LIMIT, APP_LIMIT = 64 * 1024, 16 * 1024 * 1024


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory) -> AppServer:
    folder: Path = tmp_path_factory.mktemp("size")
    env = {**os.environ, "SECRET_KEY": secrets.token_hex(32),
           "DATABASE_URL": f"sqlite:///{folder / 'size.db'}"}
    with AppServer(folder / "server", env) as server:
        yield server


def chunked_post(server: AppServer, path: str, size: int) -> int:
    """POST ``size`` bytes of form data in chunks; the status line's code."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as sock:
        sock.sendall((f"POST {path} HTTP/1.1\r\nHost: {server.address}\r\n"
                      f"Origin: {server.url}\r\nConnection: close\r\n"
                      "Content-Type: application/x-www-form-urlencoded\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n").encode())
        body = b"a=" + b"x" * (size - 2)
        try:
            for start in range(0, size, 65536):
                part = body[start:start + 65536]
                sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may answer and close before the whole body is sent
        answer = b""
        while not answer.endswith(b"\r\n") or b"\r\n" not in answer:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    return int(answer.split(b" ", 2)[1])


def test_chunked_bodies_over_the_limits_are_refused(gunicorn):
    # Within the limit the body is read and checked as usual (no CSRF token: 400).
    assert chunked_post(gunicorn, "/sv/s/trygghet/p/1", 1000) == 400
    assert chunked_post(gunicorn, "/sv/s/trygghet/p/1", ANSWER_LIMIT + 1000) == 413
    assert chunked_post(gunicorn, "/staff/login", 1000) == 400
    assert chunked_post(gunicorn, "/staff/login", APP_LIMIT + 1000) == 413
