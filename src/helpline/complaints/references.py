"""Complaint reference numbers: short, SMS-friendly, with a check character.

The alphabet has 31 symbols (digits 2-9 and letters without I, L and O, so no 0/O or 1/I/L look-alikes). 31 is
prime, so a weighted sum mod 31 with weights 1..7 (all distinct and non-zero mod 31) catches every single-symbol
substitution (``w·(a-b) ≢ 0``) and every swap of two adjacent symbols (``(w_i - w_{i+1})·(a-b) = ±(a-b) ≢ 0``),
including the check symbol itself. A reference is 6 random symbols plus the check: ``K7M-4XQY``-like, shown
as ``XXX-XXXX``; 31⁶ ≈ 887 million references.
"""

from __future__ import annotations

import re
import secrets
from typing import Callable

from helpline.text import ascii_digits

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BASE = len(ALPHABET)  # 31, prime
PAYLOAD = 6
LENGTH = PAYLOAD + 1
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_SEPARATORS = re.compile(r"[\s\-_./#:]+")
assert BASE == 31 and len(set(ALPHABET)) == BASE


def _weighted(symbols: str) -> int:
    return sum((i + 1) * _VALUE[ch] for i, ch in enumerate(symbols)) % BASE


def check_char(payload: str) -> str:
    """The check symbol that makes the weighted sum of ``payload`` + check zero mod 31."""
    weight = len(payload) + 1  # ≤ 30, so invertible mod 31
    need = (-_weighted(payload)) % BASE
    return ALPHABET[(need * pow(weight, -1, BASE)) % BASE]


def is_valid(reference: str) -> bool:
    """True when ``reference`` (canonical form) has the right length, alphabet and check symbol."""
    return (len(reference) == LENGTH and all(ch in _VALUE for ch in reference)
            and _weighted(reference) == 0)


def new_reference(randbelow: Callable[[int], int] | None = None) -> str:
    """A fresh random reference in canonical form (no dash)."""
    pick = randbelow or secrets.randbelow
    payload = "".join(ALPHABET[pick(BASE)] for _ in range(PAYLOAD))
    return payload + check_char(payload)


def canonical(text: str) -> str:
    """Upper-case, separators removed, Urdu/Arabic digits folded; look-alikes are NOT mapped (see :func:`parse`)."""
    return _SEPARATORS.sub("", ascii_digits(text or "")).upper()


def parse(text: str) -> tuple[str | None, bool]:
    """``(canonical reference, looks_like_one)``: a valid reference, or None plus whether it had the shape of one.

    The shape is seven ASCII letters or digits; a look-alike (0, O, 1, I, L) or a wrong check symbol makes it
    invalid, and ``looks_like_one`` lets a caller answer "check the reference" instead of guessing.
    """
    raw = canonical(text)
    if len(raw) != LENGTH or not raw.isalnum() or not raw.isascii():
        return None, False
    if is_valid(raw):
        return raw, True
    return None, True


def display(reference: str) -> str:
    """``K7M4XQY`` → ``K7M-4XQY``."""
    return f"{reference[:3]}-{reference[3:]}" if len(reference) == LENGTH else reference
