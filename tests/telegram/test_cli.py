"""``helpline telegram set-webhook / delete-webhook / info / poll`` against the fake Bot API."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from webhooks.main import main
from helpline.storage.db import make_engine, make_session_factory
from helpline.storage.models import Message
from tests.telegram.conftest import CHAT, SECRET, update


@pytest.fixture
def env(clean_env, tmp_path, fake_api, monkeypatch):
    """HELPLINE_* pointing at the fake and a SQLite file."""
    db = tmp_path / "cli.db"
    values = {"HELPLINE_TELEGRAM_TOKEN": fake_api.token, "HELPLINE_TELEGRAM_SECRET": SECRET,
              "HELPLINE_TELEGRAM_API_URL": fake_api.url, "HELPLINE_DATABASE_URL": f"sqlite:///{db}"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return db


def run(*args: str):
    return CliRunner().invoke(main, ["telegram", *args], catch_exceptions=False)


def test_set_webhook_sends_the_secret_and_allowed_updates(env, fake_api):
    result = run("set-webhook", "https://helpline.example.org/webhooks/telegram")
    assert result.exit_code == 0, result.output
    [call] = fake_api.sent("setWebhook")
    assert call.params["url"] == "https://helpline.example.org/webhooks/telegram"
    assert call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == ["message", "callback_query", "my_chat_member"]
    assert SECRET not in result.output


def test_set_webhook_refuses_without_a_valid_secret(env, fake_api, monkeypatch):
    monkeypatch.delenv("HELPLINE_TELEGRAM_SECRET")
    result = CliRunner().invoke(main, ["telegram", "set-webhook", "https://x.example/webhooks/telegram"])
    assert result.exit_code != 0 and "HELPLINE_TELEGRAM_SECRET" in result.output
    monkeypatch.setenv("HELPLINE_TELEGRAM_SECRET", "has spaces!")
    result = CliRunner().invoke(main, ["telegram", "set-webhook", "https://x.example/webhooks/telegram"])
    assert result.exit_code != 0 and "A-Z a-z 0-9 _ -" in result.output
    assert fake_api.calls == []


def test_a_refusal_from_telegram_is_a_clear_error(env, fake_api):
    fake_api.fail("setWebhook", 400, description="Bad Request: bad webhook: HTTPS url must be provided for webhook")
    result = CliRunner().invoke(main, ["telegram", "set-webhook", "http://localhost/webhooks/telegram"])
    assert result.exit_code != 0 and "https url must be provided" in result.output.lower()


def test_delete_webhook_and_info(env, fake_api):
    assert run("delete-webhook", "--drop-pending").exit_code == 0
    assert fake_api.sent("deleteWebhook")[0].params["drop_pending_updates"] in ("true", True)
    result = run("info")
    assert result.exit_code == 0 and "pending updates: 0" in result.output


def test_the_token_is_required(clean_env):
    result = CliRunner().invoke(main, ["telegram", "delete-webhook"])
    assert result.exit_code != 0 and "HELPLINE_TELEGRAM_TOKEN" in result.output


def test_poll_handles_updates_like_the_webhook(env, fake_api):
    fake_api.updates.extend([update("start"), update("message"), update("edited_message")])
    result = run("poll", "--once", "--timeout", "0")
    assert result.exit_code == 0, result.output
    assert "3 update(s) handled" in result.output and "ignored" in result.output
    assert {int(c.params["chat_id"]) for c in fake_api.sent()} == {CHAT}
    assert len(fake_api.sent()) >= 2
    engine = make_engine(f"sqlite:///{env}")
    with make_session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Message).where(Message.direction == "in")) == 2
    engine.dispose()
    assert not fake_api.updates  # confirmed: the last poll's offset was past them


def test_poll_says_what_to_do_while_a_webhook_is_set(env, fake_api):
    fake_api.fail("getUpdates", 409, description="Conflict: can't use getUpdates method while webhook is active")
    result = CliRunner().invoke(main, ["telegram", "poll", "--once", "--timeout", "0"])
    assert result.exit_code != 0 and "delete-webhook" in result.output
