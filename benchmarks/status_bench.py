"""Status registry benchmark, with floors measured in the same run. Run: ``python benchmarks/status_bench.py``.

1. Import of 100,000 CSV rows, rows/s, against a floor of bare ``csv.reader`` parsing of the same file: once
   with every row new (inserts), once with every status changed (updates). Peak memory of each import: the
   growth of the process's maximum resident set (``resource.getrusage``) while it runs.
2. Lookups per second through the ``status`` port (throttle counts + select by number + HMAC), against a
   floor of a bare SELECT by primary key on the same table.

Default database: a temporary SQLite file; ``--url postgresql+psycopg://...`` for PostgreSQL (a fresh schema is
created and dropped). Bounded (~30 s on two shared cores). Prints figures and ratios, asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import gc
import random
import resource
import secrets
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from helpline.status.config import StatusConfig  # noqa: E402
from helpline.status.factors import Factor  # noqa: E402
from helpline.status.importer import import_csv  # noqa: E402
from helpline.status.lookup import RegistrySource  # noqa: E402
from helpline.status.turns import RegistryPort  # noqa: E402
from helpline.storage import db  # noqa: E402
from helpline.storage.models import Contact  # noqa: E402

ROWS = 100_000
LOOKUPS = 3_000
NOW = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)
CONFIG = StatusConfig(pepper=b"bench-pepper")
STATUSES = ("received", "in_process", "printed", "dispatched", "ready_for_collection", "on_hold")


def number(i: int) -> str:
    return f"{3000 + i % 7:04d}-{i:07d}"


def birth(i: int) -> date:
    return date(1960, 1, 1) + timedelta(days=i % 15000)


def write_csv(path: Path, shift: int) -> None:
    """100,000 rows with both factors and an Urdu office name; ``shift`` changes every status."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh, lineterminator="\r\n")
        out.writerow(["kind", "tracking_number", "status", "date_of_birth", "cnic_last4", "office", "note"])
        for i in range(ROWS):
            out.writerow(["passport", number(i), STATUSES[(i + shift) % len(STATUSES)], birth(i).isoformat(),
                          f"{i % 10000:04d}", "ریجنل پاسپورٹ آفس لاہور" if i % 2 else "RPO Karachi", ""])


def csv_floor(path: Path) -> float:
    """Rows per second of bare csv parsing of the file."""
    start = time.perf_counter()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        n = sum(1 for _ in csv.reader(fh)) - 1
    return n / (time.perf_counter() - start)


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed_import(sessions, path: Path, now: datetime):
    """(report, seconds, growth of the max resident set in MB) of one committed import."""
    gc.collect()
    before = maxrss_mb()
    start = time.perf_counter()
    report = import_csv(sessions, path, config=CONFIG, now=now)
    seconds = time.perf_counter() - start
    assert report.committed, report.summary()
    return report, seconds, maxrss_mb() - before


def database(url: str | None, tmp: Path):
    """(engine, cleanup) on a fresh, migrated database."""
    if url is None:
        engine = db.make_engine(f"sqlite:///{tmp / 'bench.db'}")
        db.upgrade(engine)
        return engine, lambda: engine.dispose()
    schema = f"bench_{secrets.token_hex(4)}"
    admin = db.make_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine = db.make_engine(make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}))
    db.upgrade(engine)

    def cleanup() -> None:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()

    return engine, cleanup


def bench_lookups(sessions) -> tuple[float, float]:
    """(port lookups/s, bare primary-key selects/s) over the same random records."""
    rng = random.Random(6)
    picks = [rng.randrange(ROWS) for _ in range(LOOKUPS)]
    with sessions.begin() as session:
        contact = Contact(address="bench:1", channel="sms", created_at=NOW, last_seen_at=NOW)
        session.add(contact)
        session.flush()
        contact_id = contact.id
    with sessions() as session:
        ids = dict(session.execute(text("SELECT tracking_number, id FROM status_records")).all())
        port = RegistryPort(session, contact_id, NOW, CONFIG, RegistrySource(session, CONFIG.pepper))
        start = time.perf_counter()
        found = 0
        for i in picks:  # one transaction per lookup, as in a turn (PostgreSQL's advisory lock ends with it)
            found += port.check(number(i).replace("-", ""), Factor("dob", birth(i).isoformat())).result == "found"
            session.commit()
        port_rate = LOOKUPS / (time.perf_counter() - start)
        assert found == LOOKUPS, found
        query = text("SELECT * FROM status_records WHERE id = :id")
        keys = [ids[number(i).replace("-", "")] for i in picks]
        start = time.perf_counter()
        for key in keys:
            session.execute(query, {"id": key}).one()
            session.commit()
        floor = LOOKUPS / (time.perf_counter() - start)
    return port_rate, floor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="PostgreSQL URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        first, second = tmp / "rows.csv", tmp / "changed.csv"
        write_csv(first, 0)
        write_csv(second, 1)
        engine, cleanup = database(args.url, tmp)
        try:
            sessions = db.make_session_factory(engine)
            floor = csv_floor(first)
            new = timed_import(sessions, first, NOW)
            assert new[0].new == ROWS, new[0].summary()
            changed = timed_import(sessions, second, NOW + timedelta(days=1))
            assert changed[0].changed == ROWS, changed[0].summary()
            port_rate, pk_rate = bench_lookups(sessions)
            backend = engine.dialect.name
        finally:
            cleanup()
    print(f"status registry on {backend}, {ROWS:,} rows")
    print(f"  floor: csv.reader parsing          {floor:>12,.0f} rows/s")
    for label, (_, seconds, growth) in (("new rows", new), ("changed rows", changed)):
        rate = ROWS / seconds
        print(f"  import, {label:<12} (1 transaction) {rate:>9,.0f} rows/s  ({seconds:.1f} s, max RSS +{growth:.1f} MB)"
              f"  = {floor / rate:.0f}x the floor's time")
    print(f"  floor: SELECT by primary key+commit{pk_rate:>12,.0f} /s")
    print(f"  lookups via the status port        {port_rate:>12,.0f} /s  = {pk_rate / port_rate:.1f}x the floor's "
          "time (throttle counts + select by number + HMAC)")


if __name__ == "__main__":
    main()
