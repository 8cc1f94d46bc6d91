"""Tracking numbers and verification factors: tolerant parsing, and hashing with a secret pepper.

A factor is never stored or logged in plain text. The stored form is HMAC-SHA256 over the factor's type, the
record's tracking number and the value, keyed with the pepper (``HELPLINE_PEPPER``): without the pepper
a stolen table cannot be brute-forced (a birth date has only ~36,500 values), and binding the tracking number
means two records with the same birth date do not share a hash.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import date

from helpline.text import ascii_digits

MIN_NUMBER, MAX_NUMBER = 5, 32
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")
# A tracking-number-like run inside a message: up to 3 letters (and a dash), then digits possibly grouped by
# spaces, dashes, dots or slashes ("NSP-2026-00077", "1234-5678 901").
_NUMBER_RUN = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z]{1,3}-?)?\d(?:[\d\s\-./]*\d)?(?![A-Za-z0-9])")
# A Pakistani passport number (two letters, seven digits), as typed: "AB1234567", "AB 1234567", "ab-1234567".
_PASSPORT = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z]{2}\s|[A-Za-z]{2}-?)\d{7}(?![A-Za-z0-9])")
MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_SEP = r"[\s\-./,]+"
_YMD = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}})$")
_DMY = re.compile(rf"^(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{4}})$")
_D_MON_Y = re.compile(rf"^(\d{{1,2}}){_SEP}([a-z]{{3}})[a-z]*{_SEP}(\d{{4}})$")
_MON_D_Y = re.compile(rf"^([a-z]{{3}})[a-z]*{_SEP}(\d{{1,2}}){_SEP}(\d{{4}})$")


def normalize_number(text: str) -> str:
    """A tracking number's canonical form: Urdu/Arabic digits folded, upper case, only letters and digits."""
    return _NOT_ALNUM.sub("", ascii_digits(text or "").upper())


def mask_number(number: str) -> str:
    """A tracking number as shown back to a worker: only its last 4 characters."""
    return "*" * max(len(number) - 4, 0) + number[-4:]


def is_number(value: str) -> bool:
    """True for a canonical tracking number of plausible length with at least four digits."""
    return MIN_NUMBER <= len(value) <= MAX_NUMBER and sum(ch.isdigit() for ch in value) >= 4


def find_number(text: str) -> str | None:
    """The tracking number in a worker's message (the run with the most digits), canonical; None if none."""
    text = ascii_digits(text or "")
    if m := _PASSPORT.search(text):
        return normalize_number(m.group(0))
    runs = [normalize_number(m.group(0)) for m in _NUMBER_RUN.finditer(text)]
    runs = [r for r in runs if is_number(r)]
    return max(runs, key=lambda r: sum(ch.isdigit() for ch in r)) if runs else None


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_worker_date(text: str) -> date | None:
    """A birth date as a worker types it: 14-05-1990, 14/5/1990, 1990-05-14, 14 May 1990, 14051990, Urdu digits.

    Day-month-year is the Pakistani order; a four-digit first group means year-month-day.
    """
    value = ascii_digits(text or "").strip().casefold()
    if m := _YMD.match(value):
        return _date(int(m[1]), int(m[2]), int(m[3]))
    if m := _DMY.match(value):
        return _date(int(m[3]), int(m[2]), int(m[1]))
    if (m := _D_MON_Y.match(value)) and m[2] in MONTHS:
        return _date(int(m[3]), MONTHS[m[2]], int(m[1]))
    if (m := _MON_D_Y.match(value)) and m[1] in MONTHS:
        return _date(int(m[3]), MONTHS[m[1]], int(m[2]))
    if re.fullmatch(r"\d{8}", value):
        if 1900 <= int(value[:4]) <= 2100 and (ymd := _date(int(value[:4]), int(value[4:6]), int(value[6:]))):
            return ymd
        return _date(int(value[4:]), int(value[2:4]), int(value[:2]))
    return None


@dataclass(frozen=True)
class Factor:
    """A verification factor as the worker gave it: ``kind`` is ``"dob"`` or ``"cnic4"``."""

    kind: str
    value: str  # ISO date or four digits

    def __repr__(self) -> str:  # never the value
        return f"Factor(kind={self.kind!r})"


def parse_factor(text: str) -> Factor | None:
    """A birth date or the CNIC's last four digits (a whole CNIC is cut to its last four); None if neither."""
    value = ascii_digits(text or "").strip()
    digits = re.sub(r"[\s\-]", "", value)
    if re.fullmatch(r"\d{4}", digits):
        return Factor("cnic4", digits)
    if re.fullmatch(r"\d{13}", digits) and not parse_worker_date(value):
        return Factor("cnic4", digits[-4:])
    born = parse_worker_date(value)
    if born is not None and 1900 <= born.year <= 2100:
        return Factor("dob", born.isoformat())
    return None


def factor_hash(pepper: bytes, kind: str, number: str, value: str) -> str:
    """HMAC-SHA256 (hex) of a factor bound to its type and canonical tracking number."""
    return hmac.digest(pepper, f"{kind}\x1f{number}\x1f{value}".encode(), "sha256").hex()


def number_hash(pepper: bytes, number: str) -> str:
    """HMAC-SHA256 (hex) of a canonical tracking number, for the failed-lookup log (no probed number in plain)."""
    return hmac.digest(pepper, f"number\x1f{number}".encode(), "sha256").hex()
