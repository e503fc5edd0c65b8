"""Invitation codes that are easy to type from a letter and hard to guess.

Seven random characters and a check character from an alphabet without the look-alikes
0/O and 1/I/L. 31 is prime, so weighting positions 1…7 catches every single wrong character
and every swap of two neighbours before the database is asked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8


def _check_char(body: str) -> str:
    total = sum((i + 1) * ALPHABET.index(ch) for i, ch in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def new_code() -> str:
    """A fresh random code (without the dash)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH - 1))
    return body + _check_char(body)


def normalise(text: str) -> str | None:
    """The code typed by a resident, or None when it cannot be one of ours.

    Case, spaces and dashes do not matter; a character outside the alphabet or a wrong check
    character gives None.
    """
    code = "".join(ch for ch in text.upper() if ch not in " -\t")
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code if _check_char(code[:-1]) == code[-1] else None


def shown(code: str) -> str:
    """``ABCD-EFGH``, as printed on letters."""
    return f"{code[:4]}-{code[4:]}"


def code_hash(code: str, secret: str) -> str:
    """Keyed hash stored to find a code without storing the code itself."""
    return hmac.new(secret.encode(), code.encode(), hashlib.sha256).hexdigest()
