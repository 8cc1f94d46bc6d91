"""Telegram benchmark with floors measured in the same run. Run: ``.venv/bin/python benchmarks/telegram_bench.py``.

Telegram turns per second through the real webhook in-process: secret check, ``Update.de_json``, one turn on a
SQLite file, the replies queued in the outbox in the turn's transaction, then sent with a real PTB ``Bot`` on
its long-lived loop to the local HTTP/1.1 fake Bot API (tests/fakes/telegram_api.py). Floors:

1. the same bare-Flask floor as the SMS benchmark: a bare Flask view that checks the secret header and
   returns 200;
2. that bare view plus one ``sendMessage`` through the same BotClient to the same fake: the network part a
   Telegram reply cannot avoid, so the ratio against it shows what the turn and the durable outbox cost.

Bounded: a few hundred updates, well under a minute on two cores. Prints figures, asserts nothing.
"""

from __future__ import annotations

import hmac
import itertools
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask, request  # noqa: E402

from bot.client import BotClient  # noqa: E402
from bot.ratelimit import Unlimited  # noqa: E402
from bot.sender import TelegramSender  # noqa: E402
from helpline.settings import load_settings  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramAPI  # noqa: E402
from webhooks.app import create_app  # noqa: E402

UPDATES = 300
SECRET = "bench-secret"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
_ids = itertools.count(1)


def bare_app(client: BotClient | None = None) -> Flask:
    """The floor: check the secret header, answer 200 (and, given a client, send one message first)."""
    app = Flask("floor")

    @app.post("/webhooks/telegram")
    def receive():  # noqa: ANN202
        if not hmac.compare_digest(request.headers.get(HEADER, "").encode(), SECRET.encode()):
            return "forbidden", 403
        if client is not None:
            chat = request.get_json()["message"]["chat"]["id"]
            client.call(lambda bot: bot.send_message(chat, "ok"))
        return "ok", 200

    return app


def updates(texts: list[str]) -> list[bytes]:
    """Message updates from 50 different private chats."""
    out = []
    for n, text in enumerate(texts):
        chat = 900000 + n % 50
        out.append(json.dumps({"update_id": next(_ids), "message": {
            "message_id": n, "date": 1764072000, "text": text, "chat": {"id": chat, "type": "private", "first_name": "W"},
            "from": {"id": chat, "is_bot": False, "first_name": "W"}}}).encode())
    return out


def rate(app: Flask, bodies: list[bytes]) -> float:
    """Updates per second through ``app``'s test client (every answer must be 200)."""
    client = app.test_client()
    start = time.perf_counter()
    for body in bodies:
        response = client.post("/webhooks/telegram", data=body, content_type="application/json",
                               headers={HEADER: SECRET})
        assert response.status_code == 200, response.get_data(as_text=True)
    return len(bodies) / (time.perf_counter() - start)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, FakeTelegramAPI() as fake:
        settings = load_settings(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}", telegram_token=fake.token,
                                 telegram_secret=SECRET, telegram_api_url=fake.url)
        client = BotClient(fake.token, fake.url)
        app = create_app(settings, senders={"telegram": TelegramSender(client, limiter=Unlimited())})
        core = app.extensions["helpline"].core
        rng = random.Random(7)
        questions = [q for t in core.kb.topics.values() for x in t.texts.values() for q in x.questions]
        texts = [rng.choice(questions + ["salam", "MENU", "1", "/start", "shukriya"]) for _ in range(UPDATES)]
        try:
            rate(app, updates(texts[:30]))  # warm-up (imports, caches, the loop and its connection)
            floor = rate(bare_app(), updates(texts))
            floor_send = rate(bare_app(client), updates(texts))
            before = len(fake.sent())
            ours = rate(app, updates(texts))
            replies = len(fake.sent()) - before
        finally:
            client.close()
        print(f"Telegram turns: webhook {ours:.0f}/s vs bare secret-checking view {floor:.0f}/s -> ratio "
              f"{ours / floor:.2f}x; vs bare view + one sendMessage {floor_send:.0f}/s -> ratio "
              f"{ours / floor_send:.2f}x ({UPDATES} updates, {replies} sendMessage calls, SQLite file, "
              f"{fake.connections} TCP connection(s) to the fake)")


if __name__ == "__main__":
    main()
