"""``helpline oep import FILE.csv``: the Bureau's list of OEPs into the registry, all or nothing.

Columns ``licence_no, name, city, status`` (``valid``, ``suspended``, ``cancelled``, ``expired``), optional
``valid_until, address, phone, updated_at``; header names are forgiving (``Licence No.``, ``Name of OEP``...).
The file is read like the status registry's (:mod:`helpline.status.importer`): a UTF-8 BOM dropped, Excel's
``sep=`` line, ``;`` or tab as the delimiter, blank rows skipped, dates only as YYYY-MM-DD with a hint when Excel
reformatted them, Urdu text kept as it is. Rows are upserted by licence number in ONE transaction; any rejected
row, or ``dry_run``, rolls the whole import back. A row's cells are the list's word: an empty address clears it.
Licences missing from a file are kept as they were (with the date of the last list they appeared in).

The list's date is ``list_date`` when given, else the newest ``updated_at`` in the file, else the import's day; it
is stored with the import and on every row the file holds, and workers are shown it ("list of 3 Dec 2026").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from helpline.oep.models import STATUSES, Oep, OepImport
from helpline.oep.names import parse_licence
from helpline.status.importer import RegistryReport, _records  # the same CSV reading rules (BOM, sep=, delimiters, UTF-8)
from helpline.status import rows
from helpline.status.rows import RowError, csv_date

REQUIRED = ("licence_no", "name", "city", "status")
OPTIONAL = ("valid_until", "address", "phone", "updated_at")
COLUMN_ALIASES = {
    "licence": "licence_no", "license": "licence_no", "license_no": "licence_no", "licence_number": "licence_no",
    "license_number": "licence_no", "lic_no": "licence_no", "licence_no.": "licence_no", "license_no.": "licence_no",
    "oep_licence_no": "licence_no", "oep_license_no": "licence_no", "name_of_oep": "name", "oep_name": "name",
    "oep": "name", "agency": "name", "agency_name": "name", "name_of_agency": "name", "district": "city",
    "licence_status": "status", "license_status": "status", "expiry": "valid_until", "expiry_date": "valid_until",
    "valid_till": "valid_until", "valid_upto": "valid_until", "office_address": "address", "contact": "phone",
    "phone_no": "phone", "phone_number": "phone", "updated": "updated_at", "last_updated": "updated_at",
}
STATUS_ALIASES = {
    "valid": "valid", "active": "valid", "suspended": "suspended", "suspend": "suspended", "cancelled": "cancelled",
    "canceled": "cancelled", "cancel": "cancelled", "expired": "expired", "expire": "expired",
}
LIMITS = {"name": 200, "city": 80, "address": 300, "phone": 40}
_COMPARED = ("name", "city", "status", "valid_until", "address", "phone", "updated_at")


@dataclass
class OepReport(RegistryReport):
    """An OEP list import: the counts, the list's date and the import's id."""

    list_date: date | None = None
    import_id: int | None = None

    def summary(self) -> str:
        """One line for the operator."""
        listed = self.list_date.isoformat() if self.list_date else "-"
        return f"{self.counts()}; list of {listed}; {self.outcome()}"


@dataclass(frozen=True, slots=True)
class Row:
    """A valid row, ready to upsert."""

    line: int
    licence_no: str
    name: str
    city: str
    status: str
    valid_until: date | None
    address: str | None
    phone: str | None
    updated_at: date | None


def header(cells: list[str]) -> list[str | None]:
    """The OEP list's canonical column names (the registries' one header reader, with this list's columns)."""
    return rows.header(cells, REQUIRED, OPTIONAL, COLUMN_ALIASES)


def parse_row(line: int, cells: dict[str, str], today: date) -> Row:
    """Validate one row's cells (already stripped); raise RowError naming every problem in it."""
    problems: list[str] = []
    raw = cells.get("licence_no", "")
    licence = parse_licence(raw) if raw else None
    if not raw:
        problems.append("licence_no is empty")
    elif licence is None:
        problems.append(f"licence_no {raw!r} is not a licence number like 1234/RWP")
    for column in ("name", "city"):
        if not cells.get(column):
            problems.append(f"{column} is empty")
    status = STATUS_ALIASES.get(cells.get("status", "").casefold())
    if not cells.get("status"):
        problems.append("status is empty")
    elif status is None:
        problems.append(f"unknown status {cells['status']!r} (known: {', '.join(STATUSES)})")
    for column, limit in LIMITS.items():
        if len(cells.get(column) or "") > limit:
            problems.append(f"{column} is longer than {limit} characters")
    dates: dict[str, date | None] = {"valid_until": None, "updated_at": None}
    for column, latest in (("valid_until", date.max), ("updated_at", today)):
        if cells.get(column):
            try:
                dates[column] = csv_date(cells[column], column, latest)
            except RowError as exc:
                problems.append(str(exc))
    if problems:
        raise RowError("; ".join(problems))
    assert licence is not None and status is not None
    return Row(line, licence, cells["name"], cells["city"], status, dates["valid_until"],
               cells.get("address") or None, cells.get("phone") or None, dates["updated_at"])


def read_rows(raw: IO[bytes], report: OepReport, today: date) -> list[Row]:
    """Every valid row of the file; problems go to ``report`` with their line numbers."""
    records = _records(raw, report)
    try:
        line, cells = next(records)
        columns = header(cells)
    except StopIteration:
        if not report.rejected:
            report.error(1, "the file is empty")
        return []
    except RowError as exc:
        report.error(line, str(exc))
        return []
    seen: dict[str, int] = {}
    rows: list[Row] = []
    for line, cells in records:
        values = [c.strip() for c in cells]
        if not any(values):
            continue
        if len(values) > len(columns) and any(values[len(columns):]):
            report.error(line, f"{len(values)} cells but the header has {len(columns)} columns")
            continue
        try:
            row = parse_row(line, {n: v for n, v in zip(columns, values) if n}, today)
        except RowError as exc:
            report.error(line, str(exc))
            continue
        if (first := seen.setdefault(row.licence_no, line)) != line:
            report.error(line, f"duplicate of line {first} (same licence number {row.licence_no})")
            continue
        rows.append(row)
    if not rows and not report.rejected:
        report.error(2, "the file has a header but no rows")
    return rows


def import_csv(sessions: sessionmaker[Session], source: Path | IO[bytes], *, now: datetime,
               list_date: date | None = None, dry_run: bool = False, imported_by: str = "cli",
               file_name: str | None = None) -> OepReport:
    """Import the Bureau's list (a path or a binary stream) in one transaction; see the module docstring."""
    report = OepReport(dry_run=dry_run)
    raw = source.open("rb") if isinstance(source, Path) else source
    name = file_name or (source.name if isinstance(source, Path) else "upload.csv")
    try:
        rows = read_rows(raw, report, now.date())
    finally:
        if isinstance(source, Path):
            raw.close()
    report.list_date = list_date or max((r.updated_at for r in rows if r.updated_at), default=now.date())
    if report.rejected:
        return report
    with sessions() as session:
        try:
            _upsert(session, rows, report, now, name[:200], imported_by[:120])
            if dry_run:
                session.rollback()
            else:
                session.commit()
                report.committed = True
        except BaseException:
            session.rollback()
            raise
    return report


def _upsert(session: Session, rows: list[Row], report: OepReport, now: datetime, file_name: str,
            imported_by: str) -> None:
    assert report.list_date is not None
    batch = OepImport(imported_at=now, file_name=file_name, list_date=report.list_date, rows=len(rows), new=0,
                      changed=0, unchanged=0, imported_by=imported_by)
    session.add(batch)
    session.flush()
    existing = {o.licence_no: o for o in session.scalars(select(Oep))}
    for row in rows:
        values = {name: getattr(row, name) for name in _COMPARED}
        old = existing.get(row.licence_no)
        if old is None:
            report.new += 1
            session.add(Oep(licence_no=row.licence_no, list_date=report.list_date, import_id=batch.id,
                            imported_at=now, **values))
            continue
        if all(getattr(old, name) == value for name, value in values.items()):
            report.unchanged += 1
        else:
            report.changed += 1
            for name, value in values.items():
                setattr(old, name, value)
        old.list_date, old.import_id, old.imported_at = report.list_date, batch.id, now
    batch.new, batch.changed, batch.unchanged = report.new, report.changed, report.unchanged
    session.flush()
    report.import_id = batch.id
