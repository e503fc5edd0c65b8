"""Rounding for people: half up, as taught in school and as SCB publishes.

Python's ``round`` rounds half to even and works on the binary value, so 0.125 became 12 %
and 0.285 (stored as 0.28499…) became 28 %. Here the decimal the number prints as is rounded
half away from zero: 0.125 → 13 %, 0.285 → 29 %, a change of −0.5 points → −1.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["percent", "round_half_up", "whole_percent"]


def round_half_up(value: float, digits: int = 0) -> float:
    """``value`` rounded to ``digits`` decimals, halves away from zero."""
    exponent = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(float(value))).quantize(exponent, rounding=ROUND_HALF_UP))


def whole_percent(share: float) -> int:
    """A share (0.125) as whole per cent (13), halves up."""
    return int(percent(share, 0))


def percent(share: float, digits: int = 1) -> float:
    """A share (0.00125) in per cent or percentage points to ``digits`` decimals (0.1),
    halves up, from the decimal the share prints as."""
    return float((Decimal(repr(float(share))) * 100).quantize(Decimal(1).scaleb(-digits),
                                                               rounding=ROUND_HALF_UP))
