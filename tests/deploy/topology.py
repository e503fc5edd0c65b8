"""Several app servers on one database, as deployed: each one ``make serve`` (production
settings), Redis for the rate-limit counters they share, and a real nginx in front over https
with the configuration ``flask --app app nginx-config`` gives operators (``tests/servers.py``).
Used by the two-server tests and by ``benchmarks/load.py --servers N``.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.deploy.redis_server import TemporaryRedis
from tests.servers import AppServer, Nginx, self_signed_certificate

# The servers of one site share the key: a session signed by one is valid on every other.
SECRET_KEY = "several-servers-share-this-secret-key"


@dataclass
class Site:
    """The running app servers of one site, the Redis they share and nginx in front."""

    servers: list[AppServer]
    redis_url: str
    nginx_port: int
    tls: ssl.SSLContext  # trusts the site's self-signed certificate

    @property
    def ports(self) -> list[int]:
        return [server.port for server in self.servers]


@contextmanager
def several_servers(database_url: str, folder: Path, count: int = 2, *,
                    settings: Mapping[str, str] | None = None) -> Iterator[Site]:
    """``count`` app servers on one PostgreSQL database, a throwaway Redis for their rate-limit
    counters and nginx in front (files in ``folder``); ``settings`` are extra environment
    variables for the servers. Everything is stopped on leaving."""
    with ExitStack() as stack:
        redis = stack.enter_context(TemporaryRedis())
        # One proxy in front: the client address and https come from nginx's headers.
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY,
               "RATELIMIT_STORAGE_URI": redis.url, "TRUSTED_PROXIES": "1", **(settings or {})}
        # One after the other: the first creates the schema and publishes the built-in survey.
        servers = [stack.enter_context(AppServer(folder / f"server-{number}", env))
                   for number in range(1, count + 1)]
        certificate, key = self_signed_certificate(folder / "tls")
        nginx = stack.enter_context(Nginx(folder / "nginx", [s.address for s in servers],
                                          certificate, key, env))
        yield Site(servers, redis.url, nginx.port, ssl.create_default_context(
            cafile=str(certificate)))
