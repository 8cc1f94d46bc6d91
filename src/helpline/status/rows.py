"""Validating one CSV row of the status registry: the checks, the Excel quirks, and the error wording."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from helpline.status.codes import Codebook
from helpline.status.factors import MAX_NUMBER, factor_hash, is_number, normalize_number
from helpline.text import ascii_digits

REQUIRED = ("kind", "tracking_number", "status")
OPTIONAL = ("date_of_birth", "cnic_last4", "office", "note", "updated_at")
COLUMN_ALIASES = {
    "tracking": "tracking_number", "tracking_no": "tracking_number", "tracking_id": "tracking_number",
    "token_number": "tracking_number", "dob": "date_of_birth", "birth_date": "date_of_birth",
    "cnic_last_4": "cnic_last4", "cnic4": "cnic_last4", "last4": "cnic_last4", "updated": "updated_at",
}
MAX_OFFICE, MAX_NOTE = 200, 2000
_SCIENTIFIC = re.compile(r"^\d+(?:\.\d+)?e\+?\d+$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_SLASHED = re.compile(r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?)?$", re.I)
_MONTH_NAME = re.compile(r"^\d{1,2}[\s\-/]?[A-Za-z]{3,9}[\s\-/,]*\d{2,4}$|^[A-Za-z]{3,9}[\s\-/]\d{1,2},?[\s\-/]\d{2,4}$")
_SERIAL = re.compile(r"^\d{4,5}(?:\.0+)?$")
EXCEL_HINT = "Excel may have changed it: format the column as Text and write YYYY-MM-DD"


class RowError(ValueError):
    """A problem with one cell, worded for the staff member who fixes the file."""


def header(cells: list[str], required: tuple[str, ...] = REQUIRED, optional: tuple[str, ...] = OPTIONAL,
           aliases: dict[str, str] | None = None) -> list[str | None]:
    """Canonical column names (None for empty columns); raise RowError for unknown, repeated or missing ones.
    Every registry import (the status registry, the OEP list) reads its header row with this, given its own
    columns and aliases ("Licence No." and "licence_no" are one column)."""
    aliases = COLUMN_ALIASES if aliases is None else aliases
    names: list[str | None] = []
    for cell in cells:
        name = re.sub(r"[\s\-]+", "_", cell.strip().casefold()).strip("_")
        if not name:
            names.append(None)
            continue
        name = aliases.get(name, aliases.get(name.rstrip("."), name))
        if name not in required + optional:
            raise RowError(f"unknown column {cell.strip()!r} (columns: {', '.join(required + optional)})")
        if name in names:
            raise RowError(f"column {name!r} appears twice")
        names.append(name)
    missing = [c for c in required if c not in names]
    if missing:
        raise RowError(f"missing required column(s): {', '.join(missing)}")
    return names


def csv_date(value: str, column: str, today: date) -> date:
    """A YYYY-MM-DD date from the file, with a clear hint when Excel reformatted it."""
    value = ascii_digits(value)
    if m := _ISO_DATE.match(value):
        try:
            parsed = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise RowError(f"{column} {value!r} is not a real date") from None
        if not 1900 <= parsed.year or parsed > today:
            raise RowError(f"{column} {value!r} is out of range")
        return parsed
    if _SLASHED.match(value) or _MONTH_NAME.match(value):
        raise RowError(f"{column} {value!r} is not YYYY-MM-DD; {EXCEL_HINT}")
    if _SERIAL.match(value):
        raise RowError(f"{column} {value!r} looks like an Excel date serial number; {EXCEL_HINT}")
    raise RowError(f"{column} {value!r} is not a date in YYYY-MM-DD form")


def csv_updated_at(value: str, now: datetime) -> datetime:
    """``updated_at``: a date (midnight UTC) or an ISO date-time (UTC if no zone given)."""
    value = ascii_digits(value)
    if _ISO_DATETIME.match(value) and not _ISO_DATE.match(value):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise RowError(f"updated_at {value!r} is not a real date-time") from None
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
        if parsed.date() > now.date():
            raise RowError(f"updated_at {value!r} is in the future")
        return parsed.astimezone(timezone.utc)
    return datetime.combine(csv_date(value, "updated_at", now.date()), time(0), tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class Row:
    """A valid row, ready to upsert: factor values already hashed."""

    line: int
    kind: str
    number: str
    status: str
    office: str | None
    note: str | None
    dob_hash: str | None
    cnic4_hash: str | None
    updated_at: datetime | None

    def __repr__(self) -> str:
        return f"Row(line={self.line!r}, kind={self.kind!r})"


def parse_row(line: int, cells: dict[str, str], book: Codebook, pepper: bytes, now: datetime) -> Row:
    """Validate one row's cells (already stripped); raise RowError with every problem found in it."""
    problems: list[str] = []
    kind = book.kind_id(cells.get("kind", ""))
    if not cells.get("kind"):
        problems.append("kind is empty")
    elif kind is None:
        problems.append(f"unknown kind {cells['kind']!r} (known: {', '.join(book.kinds)})")
    raw_number = cells.get("tracking_number", "")
    number = normalize_number(raw_number)
    if not raw_number:
        problems.append("tracking_number is empty")
    elif _SCIENTIFIC.match(raw_number):
        problems.append(f"tracking_number {raw_number!r} was turned into a number by Excel; format the column as "
                        "Text and export again")
    elif not is_number(number):
        problems.append(f"tracking_number {raw_number!r} should be 5-{MAX_NUMBER} letters/digits with at least "
                        "4 digits")
    status = book.code_id(cells.get("status", ""))
    if not cells.get("status"):
        problems.append("status is empty")
    elif status is None:
        problems.append(f"unknown status {cells['status']!r} (known: {', '.join(book.codes)})")
    dob_hash = cnic4_hash = None
    if cells.get("date_of_birth"):
        try:
            born = csv_date(cells["date_of_birth"], "date_of_birth", now.date())
            dob_hash = factor_hash(pepper, "dob", number, born.isoformat())
        except RowError as exc:
            problems.append(str(exc))
    if last4 := ascii_digits(cells.get("cnic_last4", "")).replace(" ", ""):
        if re.fullmatch(r"\d{4}", last4):
            cnic4_hash = factor_hash(pepper, "cnic4", number, last4)
        elif re.fullmatch(r"\d{1,3}", last4):
            problems.append(f"cnic_last4 {last4!r} has fewer than 4 digits; Excel may have dropped leading zeros "
                            "(format the column as Text)")
        elif len(re.sub(r"\D", "", last4)) >= 12:
            problems.append("cnic_last4 holds a whole CNIC; keep only the last 4 digits and delete the rest")
        else:
            problems.append("cnic_last4 should be exactly 4 digits")
    office = cells.get("office") or None
    if office and len(office) > MAX_OFFICE:
        problems.append(f"office is longer than {MAX_OFFICE} characters")
    note = cells.get("note") or None
    if note and len(note) > MAX_NOTE:
        problems.append(f"note is longer than {MAX_NOTE} characters")
    updated_at = None
    if cells.get("updated_at"):
        try:
            updated_at = csv_updated_at(cells["updated_at"], now)
        except RowError as exc:
            problems.append(str(exc))
    if problems:
        raise RowError("; ".join(problems))
    assert kind is not None and status is not None
    return Row(line, kind, number, status, office, note, dob_hash, cnic4_hash, updated_at)
