"""Shared test settings: where the repository and the shared fixtures are, and how `make test`
(-n 2) shares the tests between its two processes."""

from pathlib import Path

import pytest
from xdist.scheduler import LoadScopeScheduling

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"

# Modules whose tests all run in one test process: each starts servers once per process (the
# deployed https servers with nginx, the two-server site, the map and walk servers), which
# the default distribution would start in both. Every other test goes to whichever process is
# free. (pytest-xdist's own xdist_group marks are ignored with pytest 9.2.)
ONE_PROCESS = frozenset({
    "tests/e2e/test_https_browser.py",
    "tests/deploy/test_two_servers.py",
    "tests/e2e/test_places_browser.py",
    "tests/e2e/test_walks_browser.py",
})


class _Scheduling(LoadScopeScheduling):
    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        return module if module in ONE_PROCESS else nodeid


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> LoadScopeScheduling | None:
    if config.getvalue("dist") == "load":
        return _Scheduling(config, log)
    return None
