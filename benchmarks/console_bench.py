"""Staff console benchmark, with a floor measured in the same run. Run: ``python benchmarks/console_bench.py``.

Seeds N complaints (default 10,000) with contacts into a temporary SQLite file (or ``--url`` PostgreSQL), then
times, through Flask's test client as a signed-in supervisor: the queue's first page, a search by the last digits
of a phone number, the overdue filter, the overview (eight SVG charts over every complaint) and the CSV export of
every open complaint. The floor is ``GET /healthz`` (one ``SELECT 1`` + a revision check) in the same app: each
page is reported as milliseconds and as a multiple of that floor. Bounded (~30 s). Prints, asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from helpline.complaints import references  # noqa: E402
from helpline.complaints.models import Complaint  # noqa: E402
from helpline.console.users import create_user  # noqa: E402
from helpline.wiring import build_core  # noqa: E402
from helpline.settings import REPO_ROOT, load_settings  # noqa: E402
from helpline.storage import db  # noqa: E402
from helpline.storage.models import Contact  # noqa: E402

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
CATEGORIES = [("wages", "CWA"), ("documents_held", "CWA"), ("fake_agent", "PE"), ("missing", "MISSION"),
              ("detained", "MISSION"), ("trafficking", "FIA"), ("other", "HELPLINE")]
COUNTRIES = ["SA", "AE", "QA", "KW", "OM", "BH", "MY", None]


def seed(sessions, n: int) -> None:
    """n contacts, each with one complaint spread over the last 120 days."""
    with sessions.begin() as session:
        contacts = [Contact(address=f"tel:+9230{i:08d}", channel="sms", language="ur-Latn", created_at=NOW,
                            last_seen_at=NOW) for i in range(n)]
        session.add_all(contacts)
        session.flush()
        rows = []
        for i, contact in enumerate(contacts):
            payload = "".join(references.ALPHABET[(i // references.BASE ** k) % references.BASE] for k in range(6))
            category, body = CATEGORIES[i % len(CATEGORIES)]
            created = NOW - timedelta(hours=(i * 7919) % (120 * 24))
            rows.append(Complaint(
                reference=payload + references.check_char(payload), draft_key=f"d{i}", contact_id=contact.id,
                channel="sms", lang="ur-Latn", category=category, country=COUNTRIES[i % len(COUNTRIES)],
                description=f"Salary not paid for {i % 12} months, CNIC 35202-{i:07d}-1", affected="self",
                anonymous=False, worker_cnic=f"35202{i:07d}1", status=("new", "referred", "in_progress", "closed")[i % 4],
                urgent=i % 17 == 0, responsible_body=body, promised_referral_at=created + timedelta(days=4),
                promised_resolution_at=created + timedelta(days=28),
                first_response_at=created + timedelta(hours=i % 90) if i % 3 else None,
                created_at=created, updated_at=created))
        session.add_all(rows)


def timed(client, path: str, budget: float) -> float:
    """Mean seconds per GET of ``path`` within ``budget`` seconds (at least 3 runs)."""
    runs, start = 0, time.perf_counter()
    while runs < 3 or time.perf_counter() - start < budget:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        runs += 1
    return (time.perf_counter() - start) / runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    from webhooks.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{tmp}/bench.db"
        engine = db.make_engine(url)
        db.upgrade(engine)
        sessions = db.make_session_factory(engine)
        t0 = time.perf_counter()
        seed(sessions, args.n)
        seeded = time.perf_counter() - t0
        with sessions.begin() as session:
            create_user(session, "bench", "benchmark-password", "supervisor", NOW)
        core = build_core()
        core.clock = lambda: NOW
        app = create_app(load_settings(database_url=url, secret_key="bench"), core=core, engine=engine)
        client = app.test_client()
        page = client.get("/staff/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        client.post("/staff/login", data={"username": "bench", "password": "benchmark-password", "csrf_token": token})
        floor = timed(client, "/healthz", 2.0)
        print(f"console benchmark: {args.n} complaints on {engine.dialect.name} (seeded in {seeded:.1f} s)")
        print(f"  floor GET /healthz: {floor * 1000:.2f} ms")
        for label, path, budget in [("queue, first page", "/staff/", 3.0),
                                    ("search by last phone digits", "/staff/?q=0001234", 3.0),
                                    ("overdue filter", "/staff/?overdue=1", 3.0),
                                    ("overview (8 SVG charts)", "/staff/overview", 3.0),
                                    ("CSV export, all open", "/staff/export.csv", 3.0)]:
            mean = timed(client, path, budget)
            print(f"  {label:30s} {mean * 1000:8.1f} ms  = {mean / floor:7.1f} x floor")
        engine.dispose()


if __name__ == "__main__":
    main()
