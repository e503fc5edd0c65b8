"""Turning respondent rows into integer cell codes, the unit all the arithmetic works on."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .errors import AnalysisError


def natural_key(value: object) -> tuple[float, str]:
    """Sort key that puts "16-24" before "80+" and "9" before "10"."""
    text = str(value)
    digits = ""
    for ch in text.strip():
        if not ch.isdigit():
            break
        digits += ch
    return (float(digits) if digits else np.inf, text)


def factorize_columns(
    data: pd.DataFrame, columns: Sequence[str], what: str = "weighting"
) -> tuple[np.ndarray, pd.DataFrame]:
    """Code each row by its combination of ``columns``.

    Returns the code per row and a frame of the distinct combinations (levels as str), in
    the order the codes refer to. Empty values are refused because a respondent without,
    say, an age band cannot be placed in any cell.
    """
    if not columns:
        return np.zeros(len(data), dtype=np.int64), pd.DataFrame(index=[0])
    codes = np.zeros(len(data), dtype=np.int64)
    levels: list[np.ndarray] = []
    for col in columns:
        col_codes, uniques = pd.factorize(data[col], use_na_sentinel=True)
        if (col_codes < 0).any():
            raise AnalysisError(
                f"{what} column {col!r} is empty in {int((col_codes < 0).sum())} row(s)"
            )
        labels = np.array([_label(u) for u in uniques], dtype=object)
        codes = codes * len(labels) + col_codes
        levels.append(labels)
    size = int(np.prod([len(lv) for lv in levels]))
    # A lookup over the full cross product avoids sorting a million codes.
    present = np.bincount(codes, minlength=size) > 0
    used = np.flatnonzero(present)
    remap = np.cumsum(present) - 1
    codes = remap[codes]
    keys = {}
    rest = used.copy()
    for col, labels in zip(reversed(columns), reversed(levels), strict=True):
        keys[col] = labels[rest % len(labels)]
        rest = rest // len(labels)
    frame = pd.DataFrame({col: keys[col] for col in columns})
    return codes.astype(np.int64), frame


def _label(value: object) -> str:
    # Numeric codes read from CSV arrive as floats; "2.0" must match a population "2".
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
