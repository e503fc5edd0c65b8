"""Numbers as people write them: 2, not 2.0."""

from __future__ import annotations


def plain_number(value: float | None) -> int | float | None:
    """A whole number as an int (2.0 → 2); any other value unchanged."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value
