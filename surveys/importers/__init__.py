"""Bringing questionnaires in from LimeSurvey (.lss) and XLSForm (.xlsx), and out to XLSForm.

Every import returns an :class:`ImportResult`: the survey with everything our model can
represent, and the list of source elements it leaves out, each with its location in the file,
so the staff member can decide to import without them or to cancel.
"""

from __future__ import annotations

from pathlib import Path

from surveys.importers.limesurvey import import_lss
from surveys.importers.result import ImportError_, ImportResult, Unsupported

__all__ = ["ImportError_", "ImportResult", "Unsupported", "import_file", "import_lss"]


def import_file(path: str | Path) -> ImportResult:
    """Import by file extension: ``.lss`` (LimeSurvey) or ``.xlsx`` (XLSForm)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".lss":
        return import_lss(path)
    raise ImportError_(path.name, "", f"unknown file type {suffix or '(none)'}; expected .lss")
