"""Bounded fuzz of every public route of a real ``helpline serve``. Run: ``.venv/bin/python benchmarks/fuzz.py``.

Loopback only: a ``helpline serve`` (gunicorn, 2 workers) on 127.0.0.1, the Telegram replies to the local fake Bot
API (tests/fakes/telegram_api.py), the database on PostgreSQL when ``HELPLINE_TEST_POSTGRES_URL`` (or
``--pg-url``) answers, else a SQLite file (``--db sqlite`` forces it), and ``HELPLINE_REDIS_URL`` pointed at the
local Redis when one answers (so ``/readyz`` and the shared Telegram pacing are in play). With a fixed seed it
sends ``--requests`` (default 10,000) requests, a mix of:

* ``POST /webhooks/twilio/sms`` — real conversations from a pool of numbers, and hostile fields (NUL and control
  characters, surrogates, 100 kB-ish strings, odd numbers, media lists that lie, long content types, unnamed
  multipart parts), signed with Twilio's own validator over the fields as sent; some forged or unsigned; a third
  of them WhatsApp (``whatsapp:`` From/To, message types, locations; also ``/webhooks/twilio/whatsapp``);
* ``POST /webhooks/twilio/status`` — delivery callbacks with valid and hostile sids, statuses and error codes;
* ``POST /webhooks/telegram`` — updates with the secret header: real messages and button presses from a pool of
  chats, and hostile ones (no chat, non-string text, huge ids, deep nesting, wrong types, not JSON); some without
  or with a wrong secret;
* the console — ``/staff/login`` with and without CSRF, right and wrong passwords; pages and forms (notes,
  status, reveal, teach, users, privacy requests, media, WhatsApp invites) with and without CSRF, with hostile ids,
  query strings and fields;
* ``GET /healthz``, ``GET /readyz``, and unknown paths and methods.

Prints per route the requests, the status classes and the count of 5xx (goal 0), the requests per second, and any
traceback in the server's log. Bounded: the request count and a wall-clock limit (``--seconds``, 150 by default).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from serving import (ACCOUNT_SID, PUBLIC_URL, TO_NUMBER, free_port, helpline_env, sign, sms_form,  # noqa: E402
                     start_server)

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
TG_SECRET = "fuzz-telegram-secret"
TG_TOKEN = "123456:TEST-token"
ADMIN, ADMIN_PASSWORD = "fuzzadmin", "fuzz-admin-password-0123"
THREADS = 8

WORDS = ["salam", "hello", "menu", "0", "1", "2", "3", "9", "yes", "no", "MORE", "HELP", "agent", "insaan se baat",
         "complaint", "shikayat", "my agent took my passport", "salary not paid 3 months", "STATUS K7M-4XQY",
         "status", "protector kya hota hai", "پروٹیکٹر کیا ہے", "انسان سے بات", "zaban", "urdu", "english",
         "roman urdu", "wapas", "BACK", "REOPEN", "confirm", "bilkul", "haan ji", "check agent", "OEP 1234/RWP",
         "my CNIC is 35202-1234567-1", "passport AB1234567", "01/02/1990", "Saudi Arabia", "Dubai", "kafala",
         "I am in danger", "madad", "STOP", "START", "delete my data", "?", "ok", "1234", "qatar visa fee kitni hai"]
HOSTILE = ["", " ", "\x00", "a\x00b", "\r\n\r\n", "\t", "\u202e\u202d", "\ufeff", "😀" * 400,
           "x" * 1601, "x" * 5000, "ا" * 2000, "<script>alert(1)</script>", "'; DROP TABLE contacts;--",
           "%00", "%s%s%n", "{{7*7}}", "${jndi:ldap://x}", "../../etc/passwd", "\\", "\u0000\u0001\u0002\u001f",
           "0" * 40, "-1", "1e309", "NaN", "+", "+" * 30, "tel:+923001234567", "whatsapp:+923001234567",
           "+92300123456789012345678901234567890", "SM" + "0" * 32, "SM" + "z" * 32, "ÿ" * 70, "\x7f" * 9]


def hostile(rng: random.Random) -> str:
    """One hostile string: a listed one, random code points, or a mix with a real word."""
    pick = rng.random()
    if pick < 0.5:
        return rng.choice(HOSTILE)
    if pick < 0.8:
        return "".join(chr(rng.choice([rng.randrange(0, 0x80), rng.randrange(0x80, 0xD800),
                                       rng.randrange(0xE000, 0x110000)])) for _ in range(rng.randrange(1, 60)))
    return rng.choice(WORDS) + rng.choice(HOSTILE)


# -- request generators: each returns (route label, method, path, headers, body) --------------------------------


class Gen:
    def __init__(self, seed: int, complaint_ids: list[int]):
        self.rng = random.Random(seed)
        self.numbers = [f"+9230{n:08d}" for n in range(60)]
        self.chats = list(range(5_000_001, 5_000_081))
        self.update_id = 1_000_000
        self.complaint_ids = complaint_ids or [1]

    def twilio_sms(self) -> tuple[str, str, str, dict[str, str], bytes]:
        rng = self.rng
        form = sms_form(rng.choice(WORDS), rng.choice(self.numbers))
        path = "/webhooks/twilio/sms"
        if rng.random() < 0.3:  # WhatsApp through the same signed route (or its second name), media and locations
            form["From"], form["To"] = "whatsapp:" + form["From"], "whatsapp:" + TO_NUMBER
            form["MessageType"] = rng.choice(["text", "audio", "image", "location", "document", hostile(rng)])
            if form["MessageType"] == "location":
                form.update(Latitude=rng.choice(["24.7136", "x", hostile(rng)]), Longitude="46.6753")
            path = rng.choice([path, "/webhooks/twilio/whatsapp"])
        if rng.random() < 0.6:  # hostile fields
            for _ in range(rng.randrange(1, 4)):
                key = rng.choice(["Body", "From", "To", "MessageSid", "NumMedia", "MediaUrl0", "MediaContentType0",
                                  "MediaContentType1", "NumSegments", "AccountSid", "FromCountry", "Extra"
                                  + str(rng.randrange(9)), "SmsStatus", "ApiVersion"])
                form[key] = hostile(rng) if key != "MediaContentType0" or rng.random() < 0.5 else "image/" + "x" * 120
            if rng.random() < 0.2:
                form["NumMedia"] = str(rng.choice([1, 2, 10, 11, 99, -1]))
                form["MediaUrl0"] = "https://api.twilio.com/x" + hostile(rng)
        kind = rng.random()
        if kind < 0.06:  # multipart, with an unnamed part, unsigned
            boundary = "fuzz" + secrets.token_hex(4)
            body = (f"--{boundary}\r\nContent-Disposition: form-data\r\n\r\nhello\r\n"
                    f"--{boundary}\r\nContent-Disposition: form-data; name=\"Body\"\r\n\r\nhi\r\n--{boundary}--\r\n")
            return "twilio sms", "POST", "/webhooks/twilio/sms", {
                "Content-Type": f"multipart/form-data; boundary={boundary}", "X-Twilio-Signature": "x"}, body.encode()
        if kind < 0.1:  # invalid UTF-8 and percent-encoding
            return "twilio sms", "POST", "/webhooks/twilio/sms", {
                "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sign(form)}, \
                b"Body=%FF%FE%00&From=%2B92300&MessageSid=" + bytes([0xC3, 0x28]) + b"&%zz=1"
        if kind < 0.15:
            signature = rng.choice(["", "forged", sign(form)[:-2] + "AA", "\u00e9"])
        else:
            signature = sign(form, path)
        body = urllib.parse.urlencode(form, encoding="utf-8", errors="surrogatepass").encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature:
            headers["X-Twilio-Signature"] = signature.encode("utf-8").decode("latin-1")
        return "twilio sms", "POST", path, headers, body

    def twilio_status(self) -> tuple[str, str, str, dict[str, str], bytes]:
        rng = self.rng
        form = {"MessageSid": "SM" + secrets.token_hex(16), "MessageStatus": rng.choice(
            ["queued", "sent", "delivered", "undelivered", "failed", "read"]), "AccountSid": ACCOUNT_SID,
            "To": rng.choice(self.numbers), "From": TO_NUMBER, "ApiVersion": "2010-04-01"}
        if rng.random() < 0.6:
            key = rng.choice(["MessageSid", "MessageStatus", "ErrorCode", "SmsSid", "SmsStatus", "To"])
            form[key] = hostile(rng) if rng.random() < 0.7 else str(rng.choice([30003, 21610, 2**40, -5, 0]))
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": sign(form, "/webhooks/twilio/status") if rng.random() < 0.92 else "bad"}
        body = urllib.parse.urlencode(form, errors="surrogatepass").encode()
        return "twilio status", "POST", "/webhooks/twilio/status", headers, body

    def telegram(self) -> tuple[str, str, str, dict[str, str], bytes]:
        rng = self.rng
        self.update_id += 1
        chat = rng.choice(self.chats)
        user = {"id": chat, "is_bot": False, "first_name": "Worker", "language_code": rng.choice(["en", "ur", None])}
        message: dict[str, Any] = {"message_id": self.update_id, "date": 1767000000, "text": rng.choice(WORDS),
                                   "chat": {"id": chat, "type": "private"}, "from": user}
        update: Any = {"update_id": self.update_id, "message": message}
        if rng.random() < 0.15:
            update = {"update_id": self.update_id, "callback_query": {
                "id": str(self.update_id), "from": user, "chat_instance": "1", "data": rng.choice(
                    ["m:1", "m:2", "lang:ur", "x" * 70, hostile(rng), "", None, 7]),
                "message": {"message_id": 1, "date": 1767000000, "chat": {"id": chat, "type": "private"}}}}
        if rng.random() < 0.5:  # hostile
            mutation = rng.randrange(16)
            if mutation == 0:
                del message["chat"]
            elif mutation == 1:
                message["text"] = rng.choice([7, 1.5, None, [], {}, ["a"], {"t": "x"}, True, 2**80])
            elif mutation == 2:
                update["update_id"] = rng.choice([2**63, 2**80, -1, "1", None, 1.5, 10**30])
            elif mutation == 3:
                message["chat"]["id"] = rng.choice([2**63, 2**80, -(2**70), "abc", None, 0, 1.5, "9" * 40])
            elif mutation == 4:
                message["text"] = hostile(rng)
            elif mutation == 5:
                update = rng.choice([[], 1, "x", None, {"update_id": self.update_id}, {"message": message}])
            elif mutation == 6:
                message["chat"] = rng.choice([None, "x", [], {"type": "private"}, {"id": chat, "type": "channel"}])
            elif mutation == 7:
                update["edited_message"] = update.pop("message", message)
            elif mutation == 8:
                message["entities"] = "@DEEP@"  # replaced by nesting json.dumps cannot write
            elif mutation == 9:
                message["from"] = {"id": "x", "is_bot": "maybe"}
            elif mutation == 10:
                message.pop("text")
                message[rng.choice(["photo", "voice", "document", "sticker", "contact"])] = {"file_id": hostile(rng)}
            elif mutation == 11:
                message["date"] = rng.choice([-1, 2**70, "today", None])
            elif mutation == 12:
                message["text"] = "x" * rng.choice([4097, 20000, 60000])
            elif mutation == 13:
                message["chat"]["type"] = rng.choice(["group", "supergroup", hostile(rng)])
            elif mutation == 14:
                message["message_id"] = rng.choice([None, "1", 2**70])
            else:
                update[hostile(rng)] = {hostile(rng): hostile(rng)}
        if rng.random() < 0.05:
            body = rng.choice([b"{", b"\xff\xfe", b"", b"null", b"{\"update_id\": 1, \"message\": " * 3000])
        else:
            body = json.dumps(update, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
            depth = rng.choice([50, 2000, 20000])
            body = body.replace(b'"@DEEP@"', b"[" * depth + b"]" * depth)
        headers = {"Content-Type": "application/json",
                   "X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
        if rng.random() < 0.07:
            headers["X-Telegram-Bot-Api-Secret-Token"] = rng.choice(["", "wrong", TG_SECRET + "x", "é"]).encode(
                "utf-8").decode("latin-1")
        return "telegram", "POST", "/webhooks/telegram", headers, body

    def probe(self) -> tuple[str, str, str, dict[str, str], bytes]:
        rng = self.rng
        pick = rng.random()
        if pick < 0.4:
            return "healthz", "GET", "/healthz", {}, b""
        if pick < 0.8:
            return "readyz", "GET", "/readyz", {}, b""
        path = rng.choice(["/", "/webhooks/twilio/sms", "/webhooks/telegram", "/staff/../../etc/passwd", "/%00",
                           "/staff/static/..%2f..%2fsettings.py", "/healthz/" + "x" * 3000, "/readyz?x=%ff"])
        return "other", rng.choice(["GET", "PUT", "DELETE", "PATCH", "POST"]), path, {}, b""


class Console:
    """One browser-like console client per thread: a cookie jar, the CSRF token of the last page seen."""

    def __init__(self, rng: random.Random, complaint_ids: list[int], contact_ids: list[int]):
        self.rng, self.cookies, self.csrf = rng, {}, ""
        self.complaint_ids, self.contact_ids = complaint_ids or [1], contact_ids or [1]
        self.signed_in: tuple[dict[str, str], str] | None = None
        self.script: list[Any] = [self.login_page, self.sign_in]  # sign in first, as staff do

    def login_page(self) -> tuple[str, str, str, dict[str, str], bytes]:
        return "console login", "GET", "/staff/login", self.headers(), b""

    def sign_in(self) -> tuple[str, str, str, dict[str, str], bytes]:
        self.script.append(self.keep)
        return "console login", "POST", "/staff/login", self.headers(
            {"Content-Type": "application/x-www-form-urlencoded"}), self.form(
            {"username": ADMIN, "password": ADMIN_PASSWORD}, True, exact=True)

    def keep(self) -> tuple[str, str, str, dict[str, str], bytes]:
        self.signed_in = (dict(self.cookies), self.csrf)
        return self.next()

    def anonymous(self, on: bool) -> None:
        """A fresh browser for a while (``on``), then back to the signed-in one."""
        if on:
            self.cookies, self.csrf = {}, ""
        elif self.signed_in is not None:
            self.cookies, self.csrf = dict(self.signed_in[0]), self.signed_in[1]

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        h = dict(extra or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return h

    def seen(self, response_headers: list[tuple[str, str]], text: str) -> None:
        for name, value in response_headers:
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        found = re.search(r'name="csrf_token" value="([^"]+)"', text) or re.search(
            r'<meta name="csrf-token" content="([^"]+)"', text)
        if found:
            self.csrf = found.group(1)

    def form(self, fields: dict[str, str], with_csrf: bool, exact: bool = False) -> bytes:
        if with_csrf:
            token = self.csrf if exact or self.rng.random() < 0.9 else hostile(self.rng)
            fields = {"csrf_token": token, **fields}
        return urllib.parse.urlencode(fields, errors="surrogatepass").encode()

    def next(self) -> tuple[str, str, str, dict[str, str], bytes]:
        if self.script:
            return self.script.pop(0)()
        rng = self.rng
        pick = rng.random()
        form_headers = {"Content-Type": "application/x-www-form-urlencoded"}
        with_csrf = rng.random() < 0.7
        cid = rng.choice(self.complaint_ids + [0, 2**31, 2**63, 10**25])
        kid = rng.choice(self.contact_ids + [0, 2**63 + 1, 10**25])
        if pick < 0.12:
            return "console login", "GET", "/staff/login", self.headers(), b""
        if pick < 0.24:
            user, password = rng.choice([(ADMIN, ADMIN_PASSWORD), ("nobody" + str(rng.randrange(50)), "wrongpass!!"),
                                         (hostile(rng), hostile(rng)), ("nobody", "x" * 2000)])
            fields = {"username": user, "password": password}
            if rng.random() < 0.3:
                fields["next"] = rng.choice(["/staff/overview", "//evil.example", "javascript:alert(1)", hostile(rng)])
            return "console login", "POST", "/staff/login", self.headers(form_headers), self.form(fields, with_csrf)
        if pick < 0.55:
            path = rng.choice([
                "/staff/", "/staff/?view=" + urllib.parse.quote(hostile(rng), safe="", errors="surrogatepass"), "/staff/?unread=1",
                "/staff/overview", "/staff/handoff", "/staff/audit", "/staff/users", "/staff/live.json",
                "/staff/knowledge/unanswered", "/staff/knowledge/faq", "/staff/knowledge/faq/"
                + urllib.parse.quote(hostile(rng), safe="", errors="surrogatepass"), "/staff/oeps?q=" + urllib.parse.quote(hostile(rng), safe="", errors="surrogatepass"),
                f"/staff/complaints/{cid}", f"/staff/contacts/{kid}", "/staff/export.csv", "/staff/privacy",
                f"/staff/media/{rng.choice([1, 2, 2**62])}",
                "/staff/?page=" + rng.choice(["-1", "99999999999999999999", "x", "0"]),
                "/staff/?status=" + urllib.parse.quote(hostile(rng), safe="", errors="surrogatepass") + "&sort=" + rng.choice(["age", "x"])])
            return "console pages", "GET", path, self.headers(), b""
        action, fields = rng.choice([
            (f"/staff/complaints/{cid}/note", {"note": rng.choice(["called the OEP", hostile(rng)])}),
            (f"/staff/complaints/{cid}/status", {"status": rng.choice(["referred", "resolved", hostile(rng)]),
                                                  "confirm": rng.choice(["1", "", hostile(rng)])}),
            (f"/staff/complaints/{cid}/reveal", {"field": rng.choice(["cnic", "phone", hostile(rng)]),
                                                  "reason": rng.choice(["", "caller asked", hostile(rng)])}),
            (f"/staff/complaints/{cid}/reply", {"text": rng.choice(["We called your agent.", hostile(rng)])}),
            (f"/staff/complaints/{cid}/assign", {"user_id": rng.choice(["1", "x", str(2**70)])}),
            (f"/staff/complaints/{cid}/correct", {"category": hostile(rng), "country": rng.choice(["SA", hostile(rng)])}),
            (f"/staff/complaints/{cid}/body", {"body": hostile(rng)}),
            (f"/staff/contacts/{kid}/take", {}), (f"/staff/contacts/{kid}/release", {}),
            (f"/staff/contacts/{kid}/reply", {"text": rng.choice(["Hello from the team", hostile(rng)])}),
            (f"/staff/contacts/{kid}/complaint", {"category": hostile(rng)}),
            (f"/staff/contacts/{kid}/whatsapp/invite", {}),
            (f"/staff/privacy/{rng.choice([1, 2, 2**62])}/complete", {"note": hostile(rng)}),
            ("/staff/knowledge/unanswered/teach", {"question_id": rng.choice(["1", "x", str(2**70)]),
                                                    "topic": hostile(rng)}),
            ("/staff/users", {"username": hostile(rng), "password": hostile(rng), "role": rng.choice(
                ["agent", "root", hostile(rng)])}),
            (f"/staff/users/{rng.choice([2, 3, 2**62])}", {"action": rng.choice(["deactivate", "x"])}),
        ])
        return "console forms", "POST", action, self.headers(form_headers), self.form(fields, with_csrf)


# -- driving ----------------------------------------------------------------------------------------------------


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_route: dict[str, Counter[str]] = defaultdict(Counter)
        self.samples: dict[str, list[str]] = defaultdict(list)
        self.errors: Counter[str] = Counter()

    def add(self, route: str, status: int, what: str) -> None:
        with self.lock:
            self.by_route[route][f"{status // 100}xx"] += 1
            self.by_route[route]["total"] += 1
            if status >= 500 and len(self.samples[route]) < 5:
                self.samples[route].append(f"{status} {what}")


def worker(port: int, plan: list[str], seed: int, complaint_ids: list[int], contact_ids: list[int],
           results: Results, deadline: float) -> None:
    gen = Gen(seed, complaint_ids)
    console = Console(random.Random(seed + 1), complaint_ids, contact_ids)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for n, kind in enumerate(plan):
        if time.monotonic() > deadline:
            break
        if kind == "console" and n % 50 in (0, 10):  # now and then a fresh browser, then back
            console.anonymous(n % 50 == 0 and n > 0)
        try:
            route, method, path, headers, body = console.next() if kind == "console" else getattr(gen, kind)()
        except (UnicodeError, ValueError, RecursionError) as exc:  # a generator bug: counted, not fatal
            with results.lock:
                results.errors[f"generator: {type(exc).__name__}"] += 1
            continue
        try:
            conn.request(method, path, body=body or None, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            if kind == "console":
                console.seen(response.getheaders(), text)
            results.add(route, response.status, f"{method} {path[:80]!r}: {text[:160]!r}")
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException) as exc:
            with results.lock:
                results.errors[f"{route}: {type(exc).__name__}"] += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)


def setup_database(db_url: str, workdir: Path, env: dict[str, str]) -> tuple[list[int], list[int]]:
    """Migrate, add the console's admin, and file a few complaints through the core so forms have targets."""
    helpline = str(Path(sys.executable).parent / "helpline")
    out = subprocess.run([helpline, "db", "upgrade"], env=env, cwd=workdir, capture_output=True, text=True,
                         timeout=180)
    if out.returncode != 0:
        raise RuntimeError(f"helpline db upgrade failed: {out.stderr[-2000:]}")
    out = subprocess.run([helpline, "staff", "add-user", ADMIN, "--role", "admin"], env=env, cwd=workdir,
                         input=ADMIN_PASSWORD + "\n", capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"helpline staff add-user failed: {out.stderr[-2000:]}")
    return [], []


def fetch_ids(db_url: str) -> tuple[list[int], list[int]]:
    from sqlalchemy import text

    from helpline.storage.db import make_engine

    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            complaints = [r[0] for r in conn.execute(text("SELECT id FROM complaints ORDER BY id LIMIT 50"))]
            contacts = [r[0] for r in conn.execute(text("SELECT id FROM contacts ORDER BY id LIMIT 50"))]
    finally:
        engine.dispose()
    return complaints, contacts


def redis_reachable(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - any failure: run without Redis
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1616)
    parser.add_argument("--seconds", type=float, default=150.0, help="wall-clock limit of the fuzzing phase")
    parser.add_argument("--db", choices=("auto", "sqlite", "postgres"), default="auto")
    parser.add_argument("--pg-url", default=os.environ.get("HELPLINE_TEST_POSTGRES_URL") or DEFAULT_PG)
    parser.add_argument("--redis-url", default=os.environ.get("HELPLINE_TEST_REDIS_URL") or DEFAULT_REDIS)
    args = parser.parse_args()
    for key in [k for k in os.environ if k.startswith("HELPLINE_")]:
        del os.environ[key]

    from tests.fakes.telegram_api import FakeTelegramAPI

    began = time.perf_counter()
    pg = None
    with tempfile.TemporaryDirectory(prefix="fuzz_") as tmp, FakeTelegramAPI(token=TG_TOKEN) as bot_api:
        work = Path(tmp)
        db_label = "SQLite file"
        db_url = f"sqlite:///{work / 'helpline.db'}"
        if args.db in ("auto", "postgres"):
            from sqlalchemy.exc import OperationalError

            from serve_bench import PgSchema

            try:
                pg = PgSchema(args.pg_url)
                db_url, db_label = pg.url, f"PostgreSQL {pg.version()} (schema {pg.schema})"
            except OperationalError as exc:
                if args.db == "postgres":
                    raise
                print(f"PostgreSQL not reachable ({str(exc.orig).strip().splitlines()[0]}): fuzzing on SQLite")
        try:
            env = helpline_env(db_url)
            env.update(HELPLINE_TELEGRAM_TOKEN=TG_TOKEN, HELPLINE_TELEGRAM_SECRET=TG_SECRET,
                       HELPLINE_TELEGRAM_API_URL=bot_api.url.removesuffix("/bot"), HELPLINE_LOG_LEVEL="WARNING")
            redis_note = "no Redis"
            if redis_reachable(args.redis_url):
                env["HELPLINE_REDIS_URL"] = args.redis_url
                redis_note = "Redis for /readyz and the Telegram pacing"
            setup_database(db_url, work, env)
            port = free_port()
            server = start_server("helpline serve", [str(Path(sys.executable).parent / "helpline"), "serve", "--port",
                                                     str(port), "--workers", "2"], env, port, work)
            try:
                # A few real complaints first, so the console's forms and pages have something to act on.
                warm = Gen(args.seed - 1, [])
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                for number in warm.numbers[:6]:
                    for text in ["COMPLAINT wages Saudi Arabia my company has not paid me for 3 months",
                                 "Ali Khan", "Al Noor Trading", "1", "agent"]:
                        form = sms_form(text, number)
                        conn.request("POST", "/webhooks/twilio/sms", urllib.parse.urlencode(form).encode(),
                                     {"Content-Type": "application/x-www-form-urlencoded",
                                      "X-Twilio-Signature": sign(form)})
                        conn.getresponse().read()
                conn.close()
                complaint_ids, contact_ids = fetch_ids(db_url)
                rng = random.Random(args.seed)
                kinds = ["twilio_sms"] * 30 + ["twilio_status"] * 10 + ["telegram"] * 30 + ["console"] * 22 + \
                        ["probe"] * 8
                plan = [rng.choice(kinds) for _ in range(args.requests)]
                results = Results()
                print(f"fuzz: {args.requests} requests, seed {args.seed}, {THREADS} clients, {db_label}, "
                      f"{redis_note}, helpline serve 2 workers x 4 threads on 127.0.0.1:{port}; "
                      f"{len(complaint_ids)} complaints, {len(contact_ids)} contacts seeded", flush=True)
                deadline = time.monotonic() + args.seconds
                started = time.perf_counter()
                threads = [threading.Thread(target=worker, args=(port, plan[i::THREADS], args.seed * 100 + i,
                                                                 complaint_ids, contact_ids, results, deadline))
                           for i in range(THREADS)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                elapsed = time.perf_counter() - started
            finally:
                note = server.stop()
        finally:
            if pg is not None:
                pg.drop()
    total = sum(c["total"] for c in results.by_route.values())
    print(f"\n{'route':<16} {'requests':>8} {'2xx':>6} {'3xx':>6} {'4xx':>6} {'5xx':>5}")
    for route in sorted(results.by_route):
        c = results.by_route[route]
        print(f"{route:<16} {c['total']:>8} {c['2xx']:>6} {c['3xx']:>6} {c['4xx']:>6} {c['5xx']:>5}")
    fives = sum(c["5xx"] for c in results.by_route.values())
    print(f"{'all':<16} {total:>8} {'':>6} {'':>6} {'':>6} {fives:>5}   (goal: 0 5xx)")
    print(f"\n{total / elapsed:.0f} requests/s over {elapsed:.1f} s; Bot API fake got "
          f"{len(bot_api.sent())} sendMessage; transport errors: {dict(results.errors) or 'none'}")
    for route, samples in results.samples.items():
        print(f"\n5xx samples, {route}:")
        for sample in samples:
            print("  " + sample)
    if note:
        print("\nserver: " + note[-3000:])
    print(f"total {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
