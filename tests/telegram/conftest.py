"""Telegram fixtures: the local fake Bot API, a real BotClient pointed at it, and the web app wired to both."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from bot.client import BotClient
from bot.ratelimit import Unlimited
from bot.sender import TelegramSender
from helpline.settings import Settings, load_settings
from tests.fakes.telegram_api import FakeTelegramAPI

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "test-secret_ABC-123"
URL = "/webhooks/telegram"
CHAT = 511223344  # the private chat in the recorded fixtures


def update(name: str, *, update_id: int | None = None, chat: int | None = None, text: str | None = None) -> dict[str, Any]:
    """A recorded update from ``fixtures/<name>.json``, optionally with another update id, chat or text."""
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    if update_id is not None:
        data["update_id"] = update_id
    body = next(v for k, v in data.items() if k != "update_id")
    message = body.get("message", body) if "data" in body else body
    if chat is not None:
        message["chat"]["id"] = chat
        if "from" in message and not message["from"]["is_bot"]:
            message["from"]["id"] = chat
        if "from" in body:
            body["from"]["id"] = chat
    if text is not None:
        message["text"] = text
    return data


def post(client: FlaskClient, payload: Any, *, secret: str | None = SECRET, raw: bytes | None = None):
    """POST an update the way Telegram does (JSON body, secret header)."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
    return client.post(URL, data=body, headers=headers, content_type="application/json")


@pytest.fixture
def fake_api() -> Iterator[FakeTelegramAPI]:
    """A local Bot API (HTTP/1.1 keep-alive) recording every call."""
    with FakeTelegramAPI() as fake:
        yield fake


@pytest.fixture
def bot_client(fake_api: FakeTelegramAPI) -> Iterator[BotClient]:
    """A real PTB Bot on its long-lived loop, talking to the fake."""
    client = BotClient(fake_api.token, fake_api.url, timeout=10)
    yield client
    client.close()


@pytest.fixture
def naps() -> list[float]:
    """Seconds the sender was asked to sleep (flood control), recorded instead of slept."""
    return []


@pytest.fixture
def tg_sender(bot_client: BotClient, naps: list[float]) -> TelegramSender:
    """The production sender without pacing (tests send faster than 1 msg/s per chat on purpose)."""
    return TelegramSender(bot_client, limiter=Unlimited(), sleep=naps.append)


@pytest.fixture
def tg_settings(clean_env: None, engine: Engine, fake_api: FakeTelegramAPI) -> Settings:
    """Settings with a token, a secret and the fake's URL."""
    return load_settings(database_url=engine.url.render_as_string(hide_password=False),
                         telegram_token=fake_api.token, telegram_secret=SECRET, telegram_api_url=fake_api.url)


@pytest.fixture
def tg_app(tg_settings: Settings, engine: Engine, core, tg_sender: TelegramSender) -> Flask:
    """The web app with the Telegram sender wired to the fake."""
    from webhooks.app import create_app

    return create_app(tg_settings, core=core, engine=engine, senders={"telegram": tg_sender},
                      config={"TESTING": True})


@pytest.fixture
def tg(tg_app: Flask) -> FlaskClient:
    """A test client of :func:`tg_app`."""
    return tg_app.test_client()
