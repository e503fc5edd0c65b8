"""Every Excel workbook the project writes is opened here, with one set of options.

A cell is written as what it is: a text stays a text, never read as a formula or a link,
so a label or an answer beginning with "=" (``=HYPERLINK(...)``) cannot run anything when the
workbook is opened (formula injection). No apostrophe is put in front, so the text reads as
it was written. CSV has no cell types: there ``dialog.services.export.neutralise`` is used.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

import xlsxwriter

SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                "strings_to_numbers": False}


def open_workbook(target: str | Path | IO[bytes], *, constant_memory: bool = False
                  ) -> xlsxwriter.Workbook:
    """An XlsxWriter workbook that writes every string as a string.

    A workbook is assembled in memory (a temporary file per part costs more than writing a
    small workbook); ``constant_memory`` writes row by row through temporary files instead,
    for exports too large to hold.
    """
    return xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target,
                               {**SAFE_OPTIONS, "constant_memory": constant_memory,
                                "in_memory": not constant_memory})

