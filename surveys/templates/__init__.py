"""Built-in survey definitions shipped with the package."""

from __future__ import annotations

from pathlib import Path

from surveys.definition import Survey
from surveys.loader import load_definition

TEMPLATE_DIR = Path(__file__).parent


def builtin_template_names() -> list[str]:
    """Names of the shipped templates (file stems), sorted."""
    return sorted(p.stem for p in TEMPLATE_DIR.glob("*.yaml"))


def builtin_template_path(name: str = "trygghet") -> Path:
    """Path of a shipped template; ``KeyError`` for an unknown name."""
    path = TEMPLATE_DIR / f"{name}.yaml"
    if name not in builtin_template_names():
        raise KeyError(name)
    return path


def load_builtin_template(name: str = "trygghet") -> Survey:
    """The shipped template ``name``, loaded and validated."""
    return load_definition(builtin_template_path(name))
