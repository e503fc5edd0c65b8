"""A progress bar on standard error for long command-line work."""

from __future__ import annotations

import sys


def show_progress(done: int, total: int, label: str) -> None:
    """Redraw ``label [####....] done/total``; ends the line when the work is done."""
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()
