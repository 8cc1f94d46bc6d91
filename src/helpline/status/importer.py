"""``helpline status import FILE.csv``: stream a CSV into the registry, all or nothing, in bounded memory.

Rows are read one at a time and upserted in batches of :data:`BATCH` inside ONE transaction; any rejected row
(or ``dry_run``) rolls the whole import back, so the registry never holds half a file. Memory: one batch of rows
plus one dict entry per distinct (kind, tracking number) seen, to report duplicates within the file with the
line of the first occurrence (about 150 bytes per row: ~15 MB for 100,000 rows).
"""

from __future__ import annotations

import codecs
import csv
import itertools
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Iterator

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from helpline.status import codes as codebook
from helpline.status.alerts import AlertRenderer, queue_alerts
from helpline.status.config import StatusConfig
from helpline.status.models import StatusRecord
from helpline.status.rows import Row, RowError, header, parse_row

BATCH = 1000
MAX_ERRORS = 1000  # kept and printed; the count of rejected rows is always exact
_COMPARED = ("status", "office", "note", "dob_hash", "cnic4_hash", "status_updated_at")


@dataclass
class RegistryReport:
    """What a registry import did (or, after a rollback, would have done): the counts every registry list shares
    (the status registry here, the OEP list in :mod:`helpline.oep.importer`)."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False
    committed: bool = False

    def error(self, line: int, message: str) -> None:
        """Count a rejected row and keep its message (up to :data:`MAX_ERRORS`)."""
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((line, message))

    def counts(self) -> str:
        """The rows' counts, for the operator."""
        return f"{self.new} new, {self.changed} changed, {self.unchanged} unchanged, {self.rejected} rejected"

    def outcome(self) -> str:
        """Whether anything was written."""
        return ("dry run: nothing written" if self.dry_run and not self.rejected else
                "rejected rows: nothing written" if self.rejected else "committed")


@dataclass
class ImportReport(RegistryReport):
    """A status registry import: the counts, the alerts queued and the rows no worker can look up."""

    without_factor: int = 0  # accepted rows that no worker can look up (no birth date, no CNIC digits)
    alerts: int = 0

    def summary(self) -> str:
        """One line for the operator."""
        return (f"{self.counts()}; {self.alerts} alert(s); {self.without_factor} row(s) without a verification "
                f"factor; {self.outcome()}")


class _NotUtf8(Exception):
    def __init__(self, line: int):
        self.line = line


def _decoded(raw: IO[bytes]) -> Iterator[str]:
    """The file's physical lines as text (line endings kept, as csv wants); a UTF-8 BOM is dropped."""
    for number, data in enumerate(raw, 1):
        if number == 1 and data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8):]
        try:
            yield data.decode("utf-8")
        except UnicodeDecodeError:
            raise _NotUtf8(number) from None


def _records(raw: IO[bytes], report: ImportReport) -> Iterator[tuple[int, list[str]]]:
    """``(line number, cells)`` per CSV record, header first; Excel's ``sep=`` line and delimiter respected."""
    lines = _decoded(raw)
    start = 1
    try:
        first = next(lines, "")
        delimiter = ","
        if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:
            delimiter, first, start = first.strip()[4], next(lines, ""), 2
        elif first.count(";") > first.count(",") and first.count(";") >= 2:
            delimiter = ";"  # Excel in locales with a decimal comma
        elif first.count("\t") >= 2 and first.count(",") == 0:
            delimiter = "\t"
        if not first:
            return
        offset = start - 1
        reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1 + offset
    except csv.Error as exc:
        report.error(start, f"unreadable CSV ({exc})")
    except _NotUtf8 as exc:
        report.error(exc.line, "the file is not UTF-8: in Excel use Save As > CSV UTF-8")


def import_csv(sessions: sessionmaker[Session], source: Path | IO[bytes], *, config: StatusConfig, now: datetime,
               render: AlertRenderer | None = None, dry_run: bool = False, batch_size: int = BATCH) -> ImportReport:
    """Import a registry CSV (path or binary stream) in one transaction; see the module docstring."""
    report = ImportReport(dry_run=dry_run)
    raw = source.open("rb") if isinstance(source, Path) else source
    session = sessions()
    try:
        _run(session, raw, report, config, now, render, dry_run, batch_size)
        if report.rejected or dry_run:
            session.rollback()
        else:
            session.commit()
            report.committed = True
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        if isinstance(source, Path):
            raw.close()
    return report


def _run(session: Session, raw: IO[bytes], report: ImportReport, config: StatusConfig, now: datetime,
         render: AlertRenderer | None, dry_run: bool, batch_size: int) -> None:
    book = codebook.load()
    records = _records(raw, report)
    try:
        line, cells = next(records)
        columns = header(cells)
    except StopIteration:
        report.error(1, "the file is empty")
        return
    except RowError as exc:
        report.error(line, str(exc))
        return
    seen: dict[str, int] = {}
    batch: list[Row] = []
    for line, cells in records:
        values = [c.strip() for c in cells]
        if not any(values):
            continue  # blank lines and Excel's rows of empty cells
        if len(values) > len(columns) and any(values[len(columns):]):
            report.error(line, f"{len(values)} cells but the header has {len(columns)} columns")
            continue
        named = {name: value for name, value in zip(columns, values) if name}
        try:
            row = parse_row(line, named, book, config.pepper, now)
        except RowError as exc:
            report.error(line, str(exc))
            continue
        key = f"{row.kind}\x1f{row.number}"
        if (first := seen.setdefault(key, line)) != line:
            report.error(line, f"duplicate of line {first} (same kind and tracking number)")
            continue
        batch.append(row)
        if len(batch) >= batch_size:
            _upsert(session, batch, report, now, render, dry_run)
            batch.clear()
    if batch:
        _upsert(session, batch, report, now, render, dry_run)


def _upsert_statement(session: Session):
    """INSERT ... ON CONFLICT (tracking_number, kind) DO UPDATE: one batched statement on both databases.

    (An ORM bulk UPDATE by primary key is one round trip per row on PostgreSQL: 3x slower for changed rows.)
    """
    table = StatusRecord.__table__
    dialect_insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = dialect_insert(table)
    columns = ("status", "office", "note", "dob_hash", "cnic4_hash", "status_updated_at", "imported_at")
    return stmt.on_conflict_do_update(index_elements=["tracking_number", "kind"],
                                      set_={name: stmt.excluded[name] for name in columns})


def _upsert(session: Session, batch: list[Row], report: ImportReport, now: datetime,
            render: AlertRenderer | None, dry_run: bool) -> None:
    """Insert new rows, update changed ones (empty cells keep stored values), then queue alerts."""
    columns = [StatusRecord.id, StatusRecord.kind, StatusRecord.tracking_number,
               *(getattr(StatusRecord, name) for name in _COMPARED)]
    query = select(*columns).where(StatusRecord.tracking_number.in_({r.number for r in batch}))
    existing = {(r.kind, r.tracking_number): r for r in session.execute(query)}
    inserts, updates, moved = [], [], []
    for row in batch:
        old = existing.get((row.kind, row.number))
        if old is None:
            report.new += 1
            report.without_factor += row.dob_hash is None and row.cnic4_hash is None
            inserts.append(dict(kind=row.kind, tracking_number=row.number, status=row.status, office=row.office,
                                note=row.note, dob_hash=row.dob_hash, cnic4_hash=row.cnic4_hash,
                                status_updated_at=row.updated_at or now, imported_at=now))
            continue
        merged = {name: getattr(row, name, None) or getattr(old, name)
                  for name in ("status", "office", "note", "dob_hash", "cnic4_hash")}
        report.without_factor += merged["dob_hash"] is None and merged["cnic4_hash"] is None
        merged["status_updated_at"] = row.updated_at or (now if merged["status"] != old.status else old.status_updated_at)
        if all(merged[name] == getattr(old, name) for name in _COMPARED):
            report.unchanged += 1
            continue
        report.changed += 1
        updates.append(dict(kind=row.kind, tracking_number=row.number, imported_at=now, **merged))
        if merged["status"] != old.status or merged["office"] != old.office:
            moved.append(old.id)
    if inserts or updates:
        session.execute(_upsert_statement(session), inserts + updates)
    if moved:
        report.alerts += queue_alerts(session, moved, now, render, dry_run=dry_run)

