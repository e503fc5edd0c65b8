"""Shared test settings: where the repository and the shared fixtures are."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"
