"""SMS benchmarks with floors measured in the same run. Run: ``.venv/bin/python benchmarks/sms_bench.py``.

1. Inbound SMS turns per second through the real Flask app in-process (signature check, form parsing, one turn
   on a SQLite file, TwiML), against a bare Flask view that only validates the signature with the same
   ``RequestValidator`` and returns static TwiML. Goal: ratio ≥ 0.5×.
2. Outbox delivery rate: messages per second from the outbox table through the real twilio client to the local
   HTTP/1.1 fake of Twilio's API (tests/fakes/twilio_api.py), against the same client posting directly.

Bounded: a few hundred requests each, well under a minute on two cores. Prints figures, asserts nothing.
"""

from __future__ import annotations

import itertools
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask, request  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from helpline.messages import InboundMessage  # noqa: E402
from helpline.outbox import Outgoing, deliver_due, enqueue  # noqa: E402
from helpline.pipeline import utcnow  # noqa: E402
from webhooks.twilio.turn import SmsRules, sms_turn  # noqa: E402
from helpline.settings import load_settings  # noqa: E402
from helpline.storage.models import Contact  # noqa: E402
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio  # noqa: E402
from webhooks.app import create_app  # noqa: E402
from webhooks.twilio.rest import TwilioSender  # noqa: E402

TURNS, DELIVERIES = 300, 300
URL = "https://helpline.example.org/webhooks/twilio/sms"
_sids = itertools.count(1)


def bare_app() -> Flask:
    """The floor: validate the signature, answer static TwiML."""
    app = Flask("floor")
    validator = RequestValidator(AUTH_TOKEN)

    @app.post("/webhooks/twilio/sms")
    def sms():  # noqa: ANN202
        if not validator.validate(URL, request.form, request.headers.get("X-Twilio-Signature", "")):
            return "forbidden", 403
        return '<?xml version="1.0" encoding="UTF-8"?><Response><Message>ok</Message></Response>', 200, {
            "Content-Type": "text/xml"}

    return app


def signed_requests(texts: list[str]) -> list[tuple[dict[str, str], str]]:
    """Forms from 50 different workers, each with its signature."""
    validator = RequestValidator(AUTH_TOKEN)
    out = []
    for n, text in enumerate(texts):
        sid = f"SM{next(_sids):032x}"
        form = {"MessageSid": sid, "SmsMessageSid": sid, "AccountSid": ACCOUNT_SID, "From": f"+9230000{n % 50:05d}",
                "To": "+15005550006", "Body": text, "NumMedia": "0", "NumSegments": "1", "ApiVersion": "2010-04-01"}
        out.append((form, validator.compute_signature(URL, form)))
    return out


def post_all(app: Flask, requests: list[tuple[dict[str, str], str]]) -> float:
    """Seconds to post ``requests`` through ``app``'s test client (every answer must be 200)."""
    client = app.test_client()
    start = time.perf_counter()
    for form, signature in requests:
        response = client.post("/webhooks/twilio/sms", data=form, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200, response.get_data(as_text=True)
    return time.perf_counter() - start


def bench_turns(tmp: Path) -> None:
    settings = load_settings(database_url=f"sqlite:///{tmp / 'bench.db'}", twilio_auth_token=AUTH_TOKEN,
                             public_url="https://helpline.example.org", twilio_handles_opt_out=False)
    app, floor_app = create_app(settings), bare_app()
    rt = app.extensions["helpline"]
    rules = SmsRules(settings.sms_segment_budget, provider_answers_keywords=False)
    rng = random.Random(7)
    questions = [q for t in rt.core.kb.topics.values() for x in t.texts.values() for q in x.questions]
    texts = [rng.choice(questions + ["salam", "MENU", "1", "more", "shukriya"]) for _ in range(TURNS)]
    post_all(app, signed_requests(texts[:30]))  # warm-up (imports, caches)
    spent = {"app": 0.0, "floor": 0.0, "core": 0.0}
    for chunk in range(0, TURNS, 50):  # interleaved, so load from elsewhere on the machine hits all three alike
        part = texts[chunk:chunk + 50]
        spent["floor"] += post_all(floor_app, signed_requests(part))
        spent["app"] += post_all(app, signed_requests(part))
        start = time.perf_counter()
        for n, text in enumerate(part):  # the same turns straight through sms_turn: what the web layer adds
            sms_turn(rt.sessions, rt.core, InboundMessage(channel="sms", address=f"tel:+9231{n % 50:05d}", text=text,
                                                          provider_id=f"core-{chunk}-{n}"), rules)
        spent["core"] += time.perf_counter() - start
    ours, floor, core_only = (TURNS / spent[k] for k in ("app", "floor", "core"))
    print(f"SMS turns: app {ours:.0f}/s vs bare signed TwiML view {floor:.0f}/s -> ratio {ours / floor:.2f}x "
          f"(goal >= 0.5x), {TURNS} messages, SQLite file")
    print(f"  the same turns through sms_turn alone: {core_only:.0f}/s -> the SMS channel (signature, form, "
          f"TwiML) keeps {ours / core_only:.2f}x of the core's rate")


def bench_outbox(tmp: Path) -> None:
    settings = load_settings(database_url=f"sqlite:///{tmp / 'outbox.db'}")
    app = create_app(settings)
    sessions = app.extensions["helpline"].sessions
    now = utcnow()
    with FakeTwilio() as fake:
        sender = TwilioSender(ACCOUNT_SID, AUTH_TOKEN, "+15005550006", api_url=fake.url)
        with sessions.begin() as s:
            for n in range(DELIVERIES):
                contact = Contact(address=f"tel:+9231000{n:05d}", channel="sms", created_at=now, last_seen_at=now)
                s.add(contact)
                s.flush()
                enqueue(s, contact, [f"Your case HL-{n:05d} was updated. Send STATUS for details."],
                        kind="case_update", lang="en", now=now)
        start = time.perf_counter()
        while deliver_due(sessions, {"sms": sender}, utcnow(), worker="bench", limit=50).total:
            pass
        ours = DELIVERIES / (time.perf_counter() - start)
        items = [Outgoing(id=n, channel="sms", address=f"tel:+9231000{n:05d}", lang="en", kind="x",
                          paragraphs=("Your case was updated.",)) for n in range(DELIVERIES)]
        start = time.perf_counter()
        for item in items:
            sender.send(item)
        floor = DELIVERIES / (time.perf_counter() - start)
        assert len(fake.delivered) == 2 * DELIVERIES
    print(f"Outbox: {ours:.0f} messages/s delivered (claim, lease, send, mark) vs {floor:.0f}/s bare "
          f"client.messages.create -> ratio {ours / floor:.2f}x, {DELIVERIES} messages, local fake")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bench_turns(Path(tmp))
        bench_outbox(Path(tmp))


if __name__ == "__main__":
    main()
