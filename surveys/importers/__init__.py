"""Bringing questionnaires in from LimeSurvey (.lss) and XLSForm (.xlsx), and out to XLSForm.

Every import returns an :class:`ImportResult`: the survey with everything our model can
represent, and the list of source elements it leaves out, each with its location in the file,
so the staff member can decide to import without them or to cancel.
"""

from __future__ import annotations

from pathlib import Path

from surveys.importers.limesurvey import import_lss
from surveys.importers.result import ImportError_, ImportResult, Unsupported
from surveys.importers.xlsform import import_xlsform
from surveys.importers.xlsform_export import export_xlsform
from surveys.loader import load_definition
from surveys.validation import DefinitionError

__all__ = ["ImportError_", "ImportResult", "Unsupported", "export_xlsform", "import_file",
           "import_lss", "import_xlsform"]


def import_file(path: str | Path) -> ImportResult:
    """Import by file extension: ``.lss`` (LimeSurvey), ``.xlsx`` (XLSForm) or ``.yaml``/``.yml``
    (our own definition files, which have nothing unsupported by construction)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".lss":
        return import_lss(path)
    if suffix == ".xlsx":
        return import_xlsform(path)
    if suffix in (".yaml", ".yml"):
        try:
            return ImportResult(load_definition(path))
        except DefinitionError as exc:
            raise ImportError_(path.name, "", str(exc)) from exc
    raise ImportError_(path.name, "", f"unknown file type '{suffix or '(none)'}'; "
                                      "expected .lss, .xlsx, .yaml or .yml")
