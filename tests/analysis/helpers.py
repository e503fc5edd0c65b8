"""Shared by the analysis tests: what a piece of code imports, seen from a fresh interpreter."""

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def packages_loaded(code: str, packages: Iterable[str]) -> set[str]:
    """Run ``code`` in a new Python process at the repository's root and return which of
    the top-level ``packages`` it left imported (the test's own process has them all)."""
    wanted = sorted(set(packages))
    probe = (f"{code}\nimport sys\nprint(','.join(sorted({{m.split('.')[0] for m in "
             f"sys.modules}} & {set(wanted)!r})))\n")
    proc = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return {name for name in proc.stdout.strip().split(",") if name}
