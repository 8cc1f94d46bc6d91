"""Bounded soak: two ``helpline serve`` and two ``helpline worker`` on one PostgreSQL. Run:
``.venv/bin/python benchmarks/soak.py`` (``--seconds`` of traffic, 60 by default).

Loopback only. Both instances and both workers share one PostgreSQL schema (``HELPLINE_TEST_POSTGRES_URL`` or
``--pg-url``; without a reachable PostgreSQL it says so and stops) and, when it answers, one Redis
(``HELPLINE_REDIS_URL``: the Telegram pacing is shared). Twilio's REST API and Telegram's Bot API are the local
fakes of tests/fakes. For ``--seconds``, client threads send a mix to both instances in turn: signed SMS turns,
Telegram updates (their replies go through the outbox), ``/readyz``; and a producer queues proactive messages
(as staff replies and case updates are), each with a unique marker, to SMS and Telegram contacts. Then it waits
(bounded) for the outbox to drain and counts how often each marked row reached a fake provider.

Prints requests/s, p50/p99 latency per kind, the outbox rows and the deliveries per row (goal: exactly 1.0, no
row twice, none lost), and anything the four processes logged as a traceback.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from serving import PUBLIC_URL, free_port, helpline_env, sms_form, start_server  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
TG_SECRET, TG_TOKEN = "soak-telegram-secret", "123456:TEST-token"
CLIENTS = 8
TEXTS = ["salam", "hello", "menu", "1", "2", "protector kya hota hai", "pasport kaise banwaen", "agent",
         "qatar visa fee", "HELP", "MORE", "0", "english", "urdu"]
MARK = re.compile(r"soak-row-(\d+)")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q / 100))] * 1000 if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1616)
    parser.add_argument("--rows-per-second", type=float, default=25.0, help="proactive outbox rows queued")
    parser.add_argument("--pg-url", default=os.environ.get("HELPLINE_TEST_POSTGRES_URL") or DEFAULT_PG)
    parser.add_argument("--redis-url", default=os.environ.get("HELPLINE_TEST_REDIS_URL") or DEFAULT_REDIS)
    args = parser.parse_args()
    for key in [k for k in os.environ if k.startswith("HELPLINE_")]:
        del os.environ[key]

    from sqlalchemy.exc import OperationalError
    from twilio.request_validator import RequestValidator

    from serve_bench import PgSchema
    from tests.fakes.telegram_api import FakeTelegramAPI
    from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

    try:
        pg = PgSchema(args.pg_url)
    except OperationalError as exc:
        print(f"soak: PostgreSQL is not reachable ({str(exc.orig).strip().splitlines()[0]}); the soak needs it "
              f"(--pg-url or HELPLINE_TEST_POSTGRES_URL). Nothing run.")
        return
    began = time.perf_counter()
    validator = RequestValidator(AUTH_TOKEN)
    servers: list = []
    workers: list = []
    work = Path(tempfile.mkdtemp(prefix="soak_"))
    try:
        with FakeTwilio() as twilio, FakeTelegramAPI(token=TG_TOKEN) as bot_api:
            pg.upgrade()
            env = helpline_env(pg.url)
            env.update(HELPLINE_TWILIO_AUTH_TOKEN=AUTH_TOKEN, HELPLINE_TWILIO_ACCOUNT_SID=ACCOUNT_SID,
                       HELPLINE_TWILIO_FROM="+15005550006", HELPLINE_TWILIO_API_URL=twilio.url,
                       HELPLINE_TELEGRAM_TOKEN=TG_TOKEN, HELPLINE_TELEGRAM_SECRET=TG_SECRET,
                       HELPLINE_TELEGRAM_API_URL=bot_api.url)
            redis_note = "no Redis (pacing per process)"
            try:
                import redis

                if redis.Redis.from_url(args.redis_url, socket_timeout=1, socket_connect_timeout=1).ping():
                    env["HELPLINE_REDIS_URL"] = args.redis_url
                    redis_note = "Redis shared by all four (Telegram pacing)"
            except Exception:  # noqa: BLE001 - run without it
                pass
            helpline = str(Path(sys.executable).parent / "helpline")
            ports = [free_port(), free_port()]
            for n, port in enumerate(ports):
                servers.append(start_server(f"serve {n + 1}", [helpline, "serve", "--port", str(port), "--workers",
                                                               "2"], env, port, work))
            for n in range(2):
                log = (work / f"worker_{n + 1}.log").open("wb")
                workers.append((subprocess.Popen([helpline, "worker", "--interval", "0.5"], env=env, cwd=work,
                                                 stdout=log, stderr=subprocess.STDOUT), work / f"worker_{n + 1}.log"))
            print(f"soak: {args.seconds:.0f} s of mixed traffic, {CLIENTS} clients over 2 x helpline serve "
                  f"(2 workers x 4 threads, outbox thread in each) + 2 x helpline worker, "
                  f"{pg.version().split()[0]} PostgreSQL (schema {pg.schema}), {redis_note}", flush=True)

            numbers = [f"+9231{n:08d}" for n in range(120)]
            chats = list(range(7_000_001, 7_000_201))
            latencies: dict[str, list[float]] = defaultdict(list)
            statuses: dict[str, Counter[int]] = defaultdict(Counter)
            lock = threading.Lock()
            stop_at = time.monotonic() + args.seconds
            update_ids = iter(range(10**6, 10**9))

            def client(seed: int) -> None:
                rng = random.Random(seed)
                conns = [http.client.HTTPConnection("127.0.0.1", p, timeout=60) for p in ports]
                i = 0
                while time.monotonic() < stop_at:
                    i += 1
                    conn = conns[i % 2]
                    pick = rng.random()
                    if pick < 0.55:
                        kind = "sms turn"
                        form = sms_form(rng.choice(TEXTS), rng.choice(numbers))
                        body = urllib.parse.urlencode(form).encode()
                        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature":
                                   validator.compute_signature(PUBLIC_URL + "/webhooks/twilio/sms", form)}
                        method, path = "POST", "/webhooks/twilio/sms"
                    elif pick < 0.9:
                        kind = "telegram turn"
                        chat = rng.choice(chats)
                        uid = next(update_ids)
                        body = json.dumps({"update_id": uid, "message": {
                            "message_id": uid, "date": 1767000000, "text": rng.choice(TEXTS),
                            "chat": {"id": chat, "type": "private"},
                            "from": {"id": chat, "is_bot": False, "first_name": "W"}}}).encode()
                        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
                        method, path = "POST", "/webhooks/telegram"
                    else:
                        kind, method, path, body, headers = "readyz", "GET", "/readyz", b"", {}
                    t0 = time.perf_counter()
                    try:
                        conn.request(method, path, body=body or None, headers=headers)
                        response = conn.getresponse()
                        response.read()
                        status = response.status
                    except (OSError, http.client.HTTPException):
                        status = 0
                        conn.close()
                    with lock:
                        latencies[kind].append(time.perf_counter() - t0)
                        statuses[kind][status] += 1

            marked: dict[int, str] = {}

            def producer() -> None:
                from sqlalchemy import select

                from helpline.outbox import enqueue
                from helpline.storage.db import make_engine, make_session_factory
                from helpline.storage.models import Contact

                engine = make_engine(pg.url)
                sessions = make_session_factory(engine)
                rng = random.Random(args.seed)
                n = 0
                try:
                    while time.monotonic() < stop_at:
                        time.sleep(1 / args.rows_per_second)
                        with sessions.begin() as session:
                            contacts = session.scalars(select(Contact).order_by(Contact.id)).all()
                            if not contacts:
                                continue
                            contact = rng.choice(contacts)
                            n += 1
                            enqueue(session, contact, [f"Update on your case: soak-row-{n}"], kind="case_update",
                                    lang="en", now=datetime.now(timezone.utc))
                            marked[n] = contact.channel
                finally:
                    engine.dispose()

            threads = [threading.Thread(target=client, args=(args.seed + i,)) for i in range(CLIENTS)]
            threads.append(threading.Thread(target=producer))
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - started

            # Drain: wait (bounded) until no row is queued or sending.
            from sqlalchemy import text

            from helpline.storage.db import make_engine

            engine = make_engine(pg.url)
            drain_deadline = time.monotonic() + 120
            drained_in = None
            t_drain = time.perf_counter()
            while time.monotonic() < drain_deadline:
                with engine.connect() as conn:
                    left = conn.execute(text("SELECT count(*) FROM outbox WHERE status IN ('queued', 'sending')"
                                             )).scalar()
                if not left:
                    drained_in = time.perf_counter() - t_drain
                    break
                time.sleep(0.5)
            with engine.connect() as conn:
                by_status = dict(conn.execute(text("SELECT status, count(*) FROM outbox GROUP BY status")).all())
                dup_ids = conn.execute(text("SELECT count(*) FROM (SELECT provider_id FROM outbox WHERE provider_id "
                                            "IS NOT NULL GROUP BY channel, provider_id HAVING count(*) > 1) d")).scalar()
                attempts = dict(conn.execute(text("SELECT attempts, count(*) FROM outbox WHERE status IN "
                                                  "('sent', 'delivered') GROUP BY attempts")).all())
            engine.dispose()

            deliveries: Counter[int] = Counter()
            for req in twilio.delivered:
                for m in MARK.findall(req.form.get("Body", "")):
                    deliveries[int(m)] += 1
            for call in bot_api.sent():
                for m in MARK.findall(str(call.params.get("text", ""))):
                    deliveries[int(m)] += 1
            sms_sends, tg_sends = len(twilio.delivered), len(bot_api.sent())
    finally:
        notes = [s.stop() for s in servers]
        for proc, log in workers:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
            out = log.read_text("utf-8", "replace") if log.exists() else ""
            if "Traceback" in out or proc.returncode not in (0, -15):
                notes.append(f"{log.name}: exit {proc.returncode}\n{out[-2000:]}")
        pg.drop()
        shutil.rmtree(work, ignore_errors=True)

    total = sum(len(v) for v in latencies.values())
    print(f"\n{'kind':<14} {'requests':>8} {'p50 ms':>7} {'p99 ms':>7}  statuses")
    for kind in sorted(latencies):
        print(f"{kind:<14} {len(latencies[kind]):>8} {pct(latencies[kind], 50):>7.1f} {pct(latencies[kind], 99):>7.1f}"
              f"  {dict(statuses[kind])}")
    every = [x for v in latencies.values() for x in v]
    fives = sum(c for s in statuses.values() for code, c in s.items() if code >= 500 or code == 0)
    print(f"{'all':<14} {total:>8} {pct(every, 50):>7.1f} {pct(every, 99):>7.1f}  5xx or no answer: {fives}")
    print(f"\n{total / elapsed:.0f} requests/s over {elapsed:.1f} s across both instances")
    rows = len(marked)
    counts = Counter(deliveries.get(n, 0) for n in marked)
    per_row = sum(deliveries.get(n, 0) for n in marked) / rows if rows else 0.0
    by_channel = Counter(marked.values())
    print(f"proactive outbox rows: {rows} ({dict(by_channel)}); deliveries per row {per_row:.4f} (goal 1.0); "
          f"rows by deliveries {dict(sorted(counts.items()))}")
    print(f"outbox after drain ({'drained in %.1f s' % drained_in if drained_in is not None else 'NOT drained'}): "
          f"{by_status}; provider ids used by two rows: {dup_ids}; attempts of sent rows {dict(sorted(attempts.items()))}")
    print(f"provider calls: Twilio {sms_sends}, Telegram sendMessage {tg_sends}")
    for note in notes:
        if note:
            print("\n" + note[-2500:])
    print(f"total {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
