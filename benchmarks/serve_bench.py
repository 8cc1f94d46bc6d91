"""SMS turns through the real ``helpline serve`` (gunicorn, loopback) against a floor served the same way.

Run: ``.venv/bin/python benchmarks/serve_bench.py [--quick] [--db sqlite|postgres|both]`` (default: both; the
PostgreSQL part is skipped with a message when the server is unreachable; its base URL is
``HELPLINE_TEST_POSTGRES_URL`` or ``postgresql+psycopg://postgres@127.0.0.1:5432/test``, ``--pg-url`` wins).

What is measured, per database (a SQLite file in a temp dir; a fresh PostgreSQL schema, dropped at the end):

1. Throughput and latency over HTTP. ``helpline serve --workers 2 --threads 4 --no-outbox`` runs as a
   subprocess with Twilio configured (signatures checked against ``HELPLINE_PUBLIC_URL``). The floor is a tiny
   Flask app in this file, served by gunicorn with the same options (2 workers x 4 threads, preloaded app,
   same timeouts, no access log), that validates the Twilio signature with ``RequestValidator``, does one
   INSERT of the message + COMMIT through SQLAlchemy on the same kind of database (engine from
   ``helpline.storage.db.make_engine``, so the same SQLite pragmas / PostgreSQL pool), and answers empty TwiML.
   The load generator is 16 threads, each with one keep-alive HTTP/1.1 ``http.client`` connection, posting
   pre-signed forms (unique ``SM`` + 32 hex MessageSids, 200 worker numbers, ~40 real worker messages in
   English, Roman Urdu and Urdu written below). After a warm-up of each server, the measured requests run in
   four interleaved phases (floor, helpline, helpline, floor) so background load hits both alike. Reported:
   requests/s, p50/p99 latency, non-200 answers, TCP connections opened, server CPU ms per request (workers'
   utime+stime from /proc) and the ratio helpline/floor. Goal: >= 0.5x on both databases, p99 <= 150 ms.
   The load generator runs on the same cores as the servers (the cores it used are printed).
2. SQL per turn, in-process: ``webhooks.app.create_app(settings)`` on the same database, SQLAlchemy event
   listeners on the app's engine (every ``before_cursor_execute``, every ``commit``/``rollback``, pool
   checkouts), then signed SMS FAQ turns through ``app.test_client()`` and Telegram FAQ updates (secret header,
   replies delivered to the local fake Bot API from tests/fakes) from contacts that already exist (their first
   message is the warm-up, counted separately as "first message"). Telegram counts include the outbox rows
   written for the reply and their immediate delivery. ``pool_pre_ping`` pings (PostgreSQL) are not cursor
   executions and are not counted as statements; the pool checkouts column shows how many there were.

Bounded: about a minute for both databases on two cores (``--quick``: about 20 s). Prints
figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.fakes, benchmarks.serving

from benchmarks.serving import (ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL, SMS_PATH, TO_NUMBER,  # noqa: E402
                                clean_env, free_port, helpline_env, sms_form, start_server)

TG_PATH = "/webhooks/telegram"
TG_SECRET = "bench-telegram-secret"
TG_HEADER = "X-Telegram-Bot-Api-Secret-Token"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'
FLOOR_TABLE = "bench_floor_message"
WORKERS, THREADS, IN_FLIGHT, SENDERS = 2, 4, 16, 200
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# What workers send, written for this benchmark (not taken from any evaluation set). The mix: about one in six
# a greeting or thanks, two thirds questions a worker asks (salary, protector, passport held, fees, ...), the
# rest navigation (MENU, a number choice, MORE). No STOP-type words, and no "talk to a person" request (that
# would park the contact with staff and take it out of the bot's path).
GREETING, FAQ, NAV = "greeting", "faq", "nav"
MESSAGES: list[tuple[str, str, str]] = [  # (language, kind, text)
    ("en", GREETING, "hello"),
    ("en", GREETING, "thank you"),
    ("en", FAQ, "My employer has not paid my salary for 3 months"),
    ("en", FAQ, "what is protector and why do I need it"),
    ("en", FAQ, "my kafeel took my passport and does not give it back"),
    ("en", FAQ, "how can I check if a recruiting agency is licensed"),
    ("en", FAQ, "how much fee can a recruiter legally charge me"),
    ("en", FAQ, "I lost my passport in Dubai what should I do"),
    ("en", FAQ, "what is the safe way to send money home"),
    ("en", FAQ, "is the medical test required before going to Saudi"),
    ("en", FAQ, "company makes us work 14 hours a day with no day off"),
    ("en", FAQ, "how do I get NICOP for my son"),
    ("en", NAV, "MENU"),
    ("en", NAV, "1"),
    ("ur-Latn", GREETING, "Assalam o alaikum"),
    ("ur-Latn", GREETING, "shukriya bhai"),
    ("ur-Latn", FAQ, "seth ne 4 mahine se tankhwah nahi di"),
    ("ur-Latn", FAQ, "protector kya hota hai"),
    ("ur-Latn", FAQ, "kafeel ne passport rakh liya hai wapas nahi deta"),
    ("ur-Latn", FAQ, "visit visa pe kaam kar sakte hain kya"),
    ("ur-Latn", FAQ, "OEP ka license kaise check karun"),
    ("ur-Latn", FAQ, "bahar jane se pehle briefing kahan hoti hai"),
    ("ur-Latn", FAQ, "mera bhai saudi mein hai 2 mahine se rabta nahi"),
    ("ur-Latn", FAQ, "company ne contract badal diya tankhwah kam kar di"),
    ("ur-Latn", FAQ, "paisa ghar bhejne ka sahi tareeqa kya hai hundi theek hai"),
    ("ur-Latn", FAQ, "wapas aa gaya hun ab naukri kaise milegi"),
    ("ur-Latn", FAQ, "medical test kahan hota hai aur fees kitni"),
    ("ur-Latn", NAV, "menu"),
    ("ur-Latn", NAV, "2"),
    ("ur-Latn", NAV, "more"),
    ("ur", GREETING, "السلام علیکم"),
    ("ur", GREETING, "شکریہ"),
    ("ur", FAQ, "مجھے تین مہینے سے تنخواہ نہیں ملی"),
    ("ur", FAQ, "پروٹیکٹر کیا ہوتا ہے"),
    ("ur", FAQ, "کفیل نے میرا پاسپورٹ رکھ لیا ہے"),
    ("ur", FAQ, "پاسپورٹ کی تجدید کیسے کروں"),
    ("ur", FAQ, "باہر جانے کے لیے ایجنٹ کو کتنی فیس دینی ہوتی ہے"),
    ("ur", FAQ, "میرے شوہر کا سعودیہ میں انتقال ہو گیا ہے میت کیسے آئے گی"),
    ("ur", FAQ, "نائیکوپ کارڈ کیسے بنتا ہے"),
    ("ur", FAQ, "قانونی طریقے سے پیسے گھر کیسے بھیجوں"),
    ("ur", NAV, "مینو"),
    ("ur", NAV, "1"),
]
FAQ_TEXTS = [text for _, kind, text in MESSAGES if kind == FAQ]


# -- small helpers -------------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of seconds, in milliseconds."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return 1000 * ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def tree_cpu_seconds(pid: int) -> float | None:
    """utime+stime of a process and its live descendants (Linux /proc), or None where that is unavailable."""
    try:
        tick = os.sysconf("SC_CLK_TCK")
        total, todo = 0.0, [pid]
        while todo:
            p = todo.pop()
            stat = Path(f"/proc/{p}/stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        return total
    except (OSError, ValueError):
        return None


# -- the floor: signature check + one INSERT + COMMIT, under gunicorn with the same options -----------------------


def floor_table() -> Any:
    from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text

    return Table(FLOOR_TABLE, MetaData(),
                 Column("id", Integer, primary_key=True),
                 Column("sid", String(34), nullable=False, unique=True),  # like the helpline's de-duplication key
                 Column("sender", String(64), nullable=False),
                 Column("body", Text, nullable=False),
                 Column("received_at", DateTime(timezone=True), nullable=False))


def floor_app(db_url: str) -> Any:
    from flask import Flask, request
    from sqlalchemy import insert
    from twilio.request_validator import RequestValidator

    from helpline.storage.db import make_engine

    engine = make_engine(db_url)
    table = floor_table()
    validator = RequestValidator(AUTH_TOKEN)
    app = Flask("floor")
    app.extensions["engine"] = engine

    @app.post(SMS_PATH)
    def sms():  # noqa: ANN202
        if not validator.validate(PUBLIC_URL + request.path, request.form,
                                  request.headers.get("X-Twilio-Signature", "")):
            return "invalid Twilio signature\n", 403
        form = request.form
        with engine.begin() as conn:  # one INSERT + COMMIT
            conn.execute(insert(table).values(sid=form["MessageSid"], sender=form["From"],
                                              body=form.get("Body", ""), received_at=datetime.now(UTC)))
        return EMPTY_TWIML, 200, {"Content-Type": "text/xml; charset=utf-8"}

    @app.get("/healthz")
    def healthz():  # noqa: ANN202
        return "ok\n", 200

    return app


def serve_floor(db_url: str, port: int, workers: int, threads: int) -> None:
    """Run the floor app under gunicorn with the options ``helpline serve`` uses (webhooks/server.py)."""
    from gunicorn.app.base import BaseApplication

    class Floor(BaseApplication):  # type: ignore[misc]
        def __init__(self) -> None:
            self.app: Any = None
            self.options = {"bind": f"127.0.0.1:{port}", "workers": workers, "threads": threads,
                            "preload_app": True, "timeout": 30, "graceful_timeout": 20, "accesslog": None,
                            "errorlog": "-", "loglevel": "warning", "post_fork": self._post_fork}
            super().__init__()

        def load_config(self) -> None:
            for key, value in self.options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            self.app = floor_app(db_url)
            return self.app

        def _post_fork(self, _server: Any, _worker: Any) -> None:
            self.app.extensions["engine"].dispose(close=False)

    Floor().run()


# -- load generator ------------------------------------------------------------------------------------------


@dataclass
class Phase:
    seconds: float
    latencies: list[float]
    statuses: list[int]
    connections: int
    client_cpu: float
    server_cpu: float | None


@dataclass
class Totals:
    phases: list[Phase] = field(default_factory=list)

    def add(self, phase: Phase) -> None:
        self.phases.append(phase)

    @property
    def n(self) -> int:
        return sum(len(p.latencies) for p in self.phases)

    @property
    def rate(self) -> float:
        return self.n / sum(p.seconds for p in self.phases)

    @property
    def latencies(self) -> list[float]:
        return [x for p in self.phases for x in p.latencies]

    @property
    def errors(self) -> Counter[int]:
        return Counter(s for p in self.phases for s in p.statuses if s != 200)

    @property
    def connections(self) -> int:
        return sum(p.connections for p in self.phases)

    @property
    def server_cpu_ms(self) -> float | None:
        if any(p.server_cpu is None for p in self.phases):
            return None
        return 1000 * sum(p.server_cpu for p in self.phases) / self.n  # type: ignore[misc]

    @property
    def client_cpu_share(self) -> float:
        return sum(p.client_cpu for p in self.phases) / sum(p.seconds for p in self.phases)


class Generator:
    """Pre-signed SMS webhook requests from ``SENDERS`` workers with unique MessageSids."""

    def __init__(self, seed: int = 7):
        from twilio.request_validator import RequestValidator

        self.validator = RequestValidator(AUTH_TOKEN)
        self.rng = random.Random(seed)
        self.url = PUBLIC_URL + SMS_PATH
        self.sent = Counter()

    def requests(self, n: int) -> list[tuple[bytes, str]]:
        out = []
        for _ in range(n):
            lang, kind, text = self.rng.choice(MESSAGES)
            self.sent[(lang, kind)] += 1
            form = sms_form(text, f"+92300{1000000 + self.rng.randrange(SENDERS):07d}")
            out.append((urllib.parse.urlencode(form).encode(), self.validator.compute_signature(self.url, form)))
        return out


def load(port: int, requests: list[tuple[bytes, str]], in_flight: int, server_pid: int | None = None) -> Phase:
    """Post ``requests`` with ``in_flight`` keep-alive connections; every request timed on its own."""
    latencies = [0.0] * len(requests)
    statuses = [0] * len(requests)
    indices = iter(range(len(requests)))  # next() on a range iterator is atomic under the GIL
    connects = [0] * in_flight
    barrier = threading.Barrier(in_flight + 1)

    def client(slot: int) -> None:
        conn = None
        barrier.wait()
        for i in indices:
            body, signature = requests[i]
            headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
            start = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    conn.connect()
                    connects[slot] += 1
                conn.request("POST", SMS_PATH, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                statuses[i] = response.status
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                statuses[i] = -1  # connection error
                if conn is not None:
                    conn.close()
                conn = None
            latencies[i] = time.perf_counter() - start
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(in_flight)]
    for t in threads:
        t.start()
    cpu0, srv0 = time.process_time(), tree_cpu_seconds(server_pid) if server_pid else None
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    cpu1, srv1 = time.process_time(), tree_cpu_seconds(server_pid) if server_pid else None
    server_cpu = srv1 - srv0 if srv0 is not None and srv1 is not None else None
    return Phase(seconds, latencies, statuses, sum(connects), cpu1 - cpu0, server_cpu)


# -- SQL statements and commits per turn, in-process ----------------------------------------------------------


@dataclass
class SqlCount:
    turns: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    per_turn: list[int] = field(default_factory=list)

    def row(self) -> str:
        n = max(self.turns, 1)
        kinds = "/".join(f"{self.counts[k] / n:.1f}" for k in ("SELECT", "INSERT", "UPDATE", "DELETE", "other"))
        spread = f"{min(self.per_turn)}-{max(self.per_turn)}" if self.per_turn else "-"
        return (f"{self.counts['statements'] / n:6.2f}  ({spread:>5})  {kinds:<24}  {self.counts['commits'] / n:5.2f}  "
                f"{self.counts['rollbacks'] / n:5.2f}  {self.counts['checkouts'] / n:5.2f}")


class SqlCounter:
    """Event listeners on an engine; ``measure()`` counts what one request does."""

    def __init__(self, engine: Any):
        from sqlalchemy import event

        self.live = Counter()
        self.on = False

        def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
            if self.on:
                self.live["statements"] += 1
                head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
                self.live[head if head in ("SELECT", "INSERT", "UPDATE", "DELETE") else "other"] += 1

        def bump(name: str) -> Any:
            def listener(*_args: Any) -> None:
                if self.on:
                    self.live[name] += 1
            return listener

        event.listen(engine, "before_cursor_execute", statement)
        event.listen(engine, "commit", bump("commits"))
        event.listen(engine, "rollback", bump("rollbacks"))
        event.listen(engine.pool, "checkout", bump("checkouts"))

    def measure(self, into: SqlCount, fn: Any) -> Any:
        self.live.clear()
        self.on = True
        try:
            result = fn()
        finally:
            self.on = False
        into.turns += 1
        into.counts.update(self.live)
        into.per_turn.append(self.live["statements"])
        return result


def count_sms(db_url: str, contacts: int, turns: int) -> tuple[SqlCount, SqlCount, Counter[int]]:
    from twilio.request_validator import RequestValidator

    from helpline.settings import load_settings
    from webhooks.app import create_app

    settings = load_settings(database_url=db_url, twilio_auth_token=AUTH_TOKEN, public_url=PUBLIC_URL,
                             twilio_handles_opt_out=False, secret_key=secrets.token_urlsafe(32),
                             pepper=secrets.token_urlsafe(32), log_level="WARNING")
    app = create_app(settings)
    engine = app.extensions["helpline"].engine
    counter, first, faq, statuses = SqlCounter(engine), SqlCount(), SqlCount(), Counter()
    client, validator, rng = app.test_client(), RequestValidator(AUTH_TOKEN), random.Random(11)

    def post(n: int, text: str) -> None:
        sid = "SM" + secrets.token_hex(16)
        form = {"MessageSid": sid, "SmsMessageSid": sid, "AccountSid": ACCOUNT_SID, "From": f"+92333{n:07d}",
                "To": TO_NUMBER, "Body": text, "NumMedia": "0", "NumSegments": "1", "ApiVersion": "2010-04-01"}
        response = client.post(SMS_PATH, data=form,
                               headers={"X-Twilio-Signature": validator.compute_signature(PUBLIC_URL + SMS_PATH, form)})
        statuses[response.status_code] += 1

    try:
        for n in range(contacts):  # first message of each contact (creates it), then one question to warm up
            counter.measure(first, lambda n=n: post(n, rng.choice(("salam", "hello", "السلام علیکم"))))
            post(n, rng.choice(FAQ_TEXTS))
        for k in range(turns):
            counter.measure(faq, lambda k=k: post(k % contacts, rng.choice(FAQ_TEXTS)))
    finally:
        engine.dispose()
    return first, faq, statuses


def count_telegram(db_url: str, chats: int) -> tuple[SqlCount, SqlCount, Counter[int], int]:
    from helpline.settings import load_settings
    from tests.fakes.telegram_api import FakeTelegramAPI
    from webhooks.app import create_app

    path = ROOT / "tests" / "telegram" / "fixtures" / "message.json"
    fixture = json.loads(path.read_text("utf-8")) if path.exists() else {  # the same shape, should it move
        "update_id": 804512001, "message": {
            "message_id": 41, "date": 1764072000, "text": "protector kya hota hai",
            "from": {"id": 511223344, "is_bot": False, "first_name": "Imran", "language_code": "en"},
            "chat": {"id": 511223344, "first_name": "Imran", "type": "private"}}}
    counter_first, faq, statuses = SqlCount(), SqlCount(), Counter()
    update_ids, rng = itertools.count(fixture["update_id"]), random.Random(13)
    with FakeTelegramAPI() as fake:
        settings = load_settings(database_url=db_url, telegram_token=fake.token, telegram_secret=TG_SECRET,
                                 telegram_api_url=fake.url, secret_key=secrets.token_urlsafe(32),
                                 pepper=secrets.token_urlsafe(32), log_level="WARNING")
        app = create_app(settings)
        rt = app.extensions["helpline"]
        counter, client = SqlCounter(rt.engine), app.test_client()

        def post(chat: int, text: str) -> None:
            update = json.loads(json.dumps(fixture))
            update["update_id"] = next(update_ids)
            update["message"]["message_id"] = update["update_id"] % 1_000_000
            update["message"]["from"]["id"] = update["message"]["chat"]["id"] = 600_000_000 + chat
            update["message"]["text"] = text
            response = client.post(TG_PATH, data=json.dumps(update), content_type="application/json",
                                   headers={TG_HEADER: TG_SECRET})
            statuses[response.status_code] += 1

        try:
            # One message per chat per phase: the production sender paces each chat (Telegram's limits), and
            # different chats keep that pacing out of the way.
            for chat in range(chats):
                counter.measure(counter_first, lambda c=chat: post(c, rng.choice(("salam", "hello", "/start"))))
            for chat in range(chats):
                counter.measure(faq, lambda c=chat: post(c, rng.choice(FAQ_TEXTS)))
            sent = len(fake.sent())
        finally:
            sender = rt.senders.get("telegram")
            close = getattr(getattr(sender, "client", None), "close", None)
            if close is not None:
                close()
            rt.engine.dispose()
    return counter_first, faq, statuses, sent


# -- one database --------------------------------------------------------------------------------------------


@dataclass
class DbResult:
    label: str
    helpline: Totals
    floor: Totals
    sql: dict[str, tuple[SqlCount, SqlCount]]
    notes: list[str]


def bench_db(label: str, helpline_url: str, floor_url: str, workdir: Path, args: argparse.Namespace) -> DbResult:
    from helpline.storage.db import make_engine

    notes: list[str] = []
    engine = make_engine(floor_url)
    floor_table().metadata.create_all(engine)
    engine.dispose()

    bindir = Path(sys.executable).parent
    hp, fp = free_port(), free_port()
    t0 = time.perf_counter()
    helpline = start_server("helpline serve", [str(bindir / "helpline"), "serve", "--port", str(hp), "--workers",
                                               str(WORKERS), "--threads", str(THREADS), "--no-outbox"],
                            helpline_env(helpline_url), hp, workdir)
    started = time.perf_counter() - t0
    try:
        floor = start_server("floor", [sys.executable, str(Path(__file__).resolve()), "--serve-floor", "--port",
                                       str(fp), "--db-url", floor_url], clean_env(), fp, workdir)
    except BaseException:
        helpline.stop()
        raise
    print(f"  servers up (helpline serve healthy after {started:.1f} s); warming up ...", flush=True)
    totals = {"helpline": Totals(), "floor": Totals()}
    servers = {"helpline": helpline, "floor": floor}
    gen = Generator()
    try:
        for name in ("floor", "helpline"):
            warm = load(servers[name].port, gen.requests(args.warmup), IN_FLIGHT)
            bad = Counter(s for s in warm.statuses if s != 200)
            if bad:
                notes.append(f"warm-up of {name}: non-200 answers {dict(bad)}")
        gen.sent.clear()
        for name in ("floor", "helpline", "helpline", "floor"):
            phase = load(servers[name].port, gen.requests(args.per_phase), IN_FLIGHT, servers[name].proc.pid)
            totals[name].add(phase)
            print(f"    {name:<8} {len(phase.latencies)} requests in {phase.seconds:5.2f} s "
                  f"({len(phase.latencies) / phase.seconds:7.1f}/s)", flush=True)
    finally:
        for server in (helpline, floor):
            note = server.stop()
            if note:
                notes.append(note)
    mix = Counter()
    for (lang, kind), n in gen.sent.items():
        mix[lang] += n
        mix[kind] += n
    notes.append("measured mix: " + ", ".join(f"{k} {v}" for k, v in sorted(mix.items())))

    print("  counting SQL per turn in-process ...", flush=True)
    sql: dict[str, tuple[SqlCount, SqlCount]] = {}
    first, faq, statuses = count_sms(helpline_url, args.sql_contacts, args.sql_turns)
    if set(statuses) != {200}:
        notes.append(f"SMS counting run: answers {dict(statuses)}")
    sql["sms"] = (first, faq)
    tg = count_telegram(helpline_url, args.tg_chats)
    first, faq, statuses, sent = tg
    if set(statuses) != {200}:
        notes.append(f"Telegram counting run: answers {dict(statuses)}")
    notes.append(f"Telegram counting run: {sent} sendMessage calls reached the fake for "
                 f"{first.turns + faq.turns} updates")
    sql["telegram"] = (first, faq)
    return DbResult(label, totals["helpline"], totals["floor"], sql, notes)


def print_db(result: DbResult) -> None:
    h, f = result.helpline, result.floor
    print(f"\n== {result.label} ==")
    print(f"  {'served by gunicorn, 2x4':<26} {'requests':>8} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'max ms':>7} {'non-200':>7} {'conns':>5} {'srv CPU ms/req':>14} {'client cores':>12}")
    for name, t in (("helpline serve", h), ("floor (sig + INSERT/COMMIT)", f)):
        cpu = f"{t.server_cpu_ms:.2f}" if t.server_cpu_ms is not None else "n/a"
        errors = sum(t.errors.values())
        print(f"  {name:<26} {t.n:>8} {t.rate:>8.1f} {pct(t.latencies, 50):>7.1f} {pct(t.latencies, 99):>7.1f} "
              f"{max(t.latencies) * 1000:>7.1f} {errors:>7} {t.connections:>5} {cpu:>14} "
              f"{t.client_cpu_share:>12.2f}")
        if errors:
            print(f"    {name} non-200 answers by status (-1: connection error): {dict(t.errors)}")
    ratio, p99 = h.rate / f.rate, pct(h.latencies, 99)
    print(f"  ratio helpline/floor: {ratio:.2f}x (goal >= 0.5x: {'met' if ratio >= 0.5 else 'MISSED'}); "
          f"helpline p99 {p99:.0f} ms (goal <= 150 ms: {'met' if p99 <= 150 else 'MISSED'})")
    print("\n  SQL per turn, in-process (create_app + test_client):")
    print(f"  {'channel / turn':<28} {'stmts':>6}  {'range':>7}  {'SELECT/INS/UPD/DEL/other':<24}  "
          f"{'commits':>5}  {'rollb':>5}  {'chkout':>5}  turns")
    for channel, (first, faq) in result.sql.items():
        print(f"  {channel + ' FAQ (returning)':<28} {faq.row()}  {faq.turns}")
        print(f"  {channel + ' first message':<28} {first.row()}  {first.turns}")
    for note in result.notes:
        print(f"  note: {note}")


# -- PostgreSQL schema ---------------------------------------------------------------------------------------


class PgSchema:
    """A fresh schema on the base URL, migrated with `helpline db upgrade`; dropped by :meth:`drop`."""

    def __init__(self, base: str):
        from sqlalchemy.engine import make_url

        from helpline.storage.db import make_engine

        self.base, self.schema = base, f"bench_{secrets.token_hex(6)}"
        self.admin = make_engine(base)
        with self.admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{self.schema}"')
        self.url = make_url(base).update_query_dict({"options": f"-csearch_path={self.schema}"}).render_as_string(
            hide_password=False)

    def upgrade(self) -> None:
        out = subprocess.run([str(Path(sys.executable).parent / "helpline"), "db", "upgrade"], env=helpline_env(self.url),
                             capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"helpline db upgrade failed:\n{out.stdout[-2000:]}{out.stderr[-2000:]}")

    def version(self) -> str:
        with self.admin.connect() as conn:
            return str(conn.exec_driver_sql("SHOW server_version").scalar())

    def drop(self) -> None:
        with self.admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
        self.admin.dispose()


# -- main ----------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run (about a quarter of the requests)")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--pg-url", default=os.environ.get("HELPLINE_TEST_POSTGRES_URL") or DEFAULT_PG)
    parser.add_argument("--serve-floor", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_floor:
        serve_floor(args.db_url, args.port, WORKERS, THREADS)
        return
    args.warmup, args.per_phase = (160, 250) if args.quick else (320, 1500)
    args.sql_contacts, args.sql_turns, args.tg_chats = (10, 40, 30) if args.quick else (20, 200, 80)
    for key in [k for k in os.environ if k.startswith("HELPLINE_")]:
        del os.environ[key]  # the in-process apps read settings from the environment too

    began = time.perf_counter()
    print(f"serve_bench: {IN_FLIGHT} requests in flight, {WORKERS} workers x {THREADS} threads, "
          f"{2 * args.per_phase} measured requests per server per database (+{args.warmup} warm-up), "
          f"{SENDERS} senders, {len(MESSAGES)} distinct messages, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f}", flush=True)
    results: list[DbResult] = []
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="serve_bench_") as tmp:
        work = Path(tmp)
        if args.db in ("sqlite", "both"):
            print("\n[SQLite] file in a temp dir (WAL, helpline.storage.db pragmas)", flush=True)
            d = work / "sqlite"
            d.mkdir()
            results.append(bench_db("SQLite file", f"sqlite:///{d / 'helpline.db'}", f"sqlite:///{d / 'floor.db'}",
                                    d, args))
        if args.db in ("postgres", "both"):
            from sqlalchemy.exc import OperationalError

            try:
                pg = PgSchema(args.pg_url)
            except OperationalError as exc:
                skipped.append(f"PostgreSQL skipped: {str(exc.orig).strip().splitlines()[0]} ({args.pg_url})")
                print(f"\n{skipped[-1]}")
            else:
                try:
                    version = pg.version()
                    print(f"\n[PostgreSQL {version}] schema {pg.schema}: helpline db upgrade ...", flush=True)
                    pg.upgrade()
                    d = work / "postgres"
                    d.mkdir()
                    results.append(bench_db(f"PostgreSQL {version} (loopback TCP, schema {pg.schema})", pg.url,
                                            pg.url, d, args))
                finally:
                    pg.drop()
    for result in results:
        print_db(result)
    if results:
        print("\n== summary: SMS through helpline serve vs floor ==")
        print(f"  {'database':<12} {'helpline/s':>10} {'floor/s':>9} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'non-200':>7}  {'SMS stmts/commits per FAQ turn':>30}  {'Telegram (same)':>15}")
        for r in results:
            sms, tg = r.sql["sms"][1], r.sql["telegram"][1]
            per = lambda c: f"{c.counts['statements'] / c.turns:.1f} / {c.counts['commits'] / c.turns:.2f}"  # noqa: E731
            print(f"  {r.label.split()[0]:<12} {r.helpline.rate:>10.1f} {r.floor.rate:>9.1f} "
                  f"{r.helpline.rate / r.floor.rate:>5.2f}x {pct(r.helpline.latencies, 50):>7.1f} "
                  f"{pct(r.helpline.latencies, 99):>7.1f} {sum(r.helpline.errors.values()):>7}  {per(sms):>30}  "
                  f"{per(tg):>15}")
        print("  goal: ratio >= 0.5x on both databases, p99 <= 150 ms")
    for line in skipped:
        print(line)
    print(f"\ntotal {time.perf_counter() - began:.0f} s, load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
