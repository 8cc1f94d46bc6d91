"""The Telegram sender's error classification, against the fake Bot API (real PTB errors, real HTTP)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.ratelimit import RateLimiter
from bot.sender import TelegramSender
from helpline.errors import SendFailed
from helpline.outbox import Claimed, OutboxMessage, Outgoing, deliver_due, deliver_now, enqueue, worker_name
from helpline.storage.models import Contact, Message
from tests.conftest import FIXED_NOW
from tests.sql_count import count_sql

CHAT = 42
ITEM = Outgoing(id=1, channel="telegram", address=f"telegram:{CHAT}", lang="en", kind="staff_reply",
                paragraphs=("Your case was updated.",), menu=(("menu.main", "Main menu"),))


def test_a_message_goes_out_with_its_keyboard(tg_sender, fake_api):
    provider_id = tg_sender.send(ITEM)
    [call] = fake_api.sent()
    assert call.params["text"] == "Your case was updated."
    assert call.params["reply_markup"] == {"inline_keyboard": [[{"text": "Main menu", "callback_data": "menu.main"}]]}
    assert provider_id == f"{CHAT}:{1}"


def test_429_waits_retry_after_and_tries_again(tg_sender, fake_api, naps):
    fake_api.fail("sendMessage", 429, retry_after=2)
    assert tg_sender.send(ITEM)
    assert naps == [2.0] and len(fake_api.attempts()) == 2


def test_429_with_a_long_wait_is_handed_back_to_the_outbox(tg_sender, fake_api, naps):
    fake_api.fail("sendMessage", 429, retry_after=60)
    with pytest.raises(SendFailed) as caught:
        tg_sender.send(ITEM)
    assert caught.value.retryable and caught.value.code == "429" and naps == []


def test_429_retries_are_bounded(tg_sender, fake_api, naps):
    fake_api.fail("sendMessage", 429, retry_after=1, times=10)
    with pytest.raises(SendFailed) as caught:
        tg_sender.send(ITEM)
    assert caught.value.retryable and len(fake_api.attempts()) == tg_sender.max_retries + 1


def test_400_is_logged_and_not_retried(tg_sender, fake_api):
    fake_api.fail("sendMessage", 400)
    with pytest.raises(SendFailed) as caught:
        tg_sender.send(ITEM)
    assert not caught.value.retryable and caught.value.code == "400"
    assert len(fake_api.attempts()) == 1


@pytest.mark.parametrize("status", [500, 502])
def test_server_errors_are_retryable(tg_sender, fake_api, status):
    fake_api.fail("sendMessage", status)
    with pytest.raises(SendFailed) as caught:
        tg_sender.send(ITEM)
    assert caught.value.retryable and caught.value.code == "network"


def test_a_timeout_is_retryable(bot_client, fake_api):
    from bot.client import BotClient

    slow = BotClient(fake_api.token, fake_api.url, timeout=0.3)
    slow.call(lambda bot: bot.get_me())  # started before the fake slows down
    fake_api.delay = 1.0
    try:
        with pytest.raises(SendFailed) as caught:
            TelegramSender(slow, limiter=RateLimiter()).send(ITEM)
        assert caught.value.retryable and caught.value.code == "timeout"
    finally:
        fake_api.delay = 0
        slow.close()


def test_an_unknown_address_or_language_is_permanent(tg_sender):
    for item in (Outgoing(1, "telegram", "tel:+923001234567", "en", "x", ("Hi",)),
                 Outgoing(1, "telegram", "telegram:5", "fr", "x", ("Hi",))):
        with pytest.raises(SendFailed) as caught:
            tg_sender.send(item)
        assert not caught.value.retryable


def _queue(session_factory, chat: int = CHAT) -> int:
    return _enqueue(session_factory, chat).id


def _enqueue(session_factory, chat: int = CHAT, claim_for: str | None = None) -> Claimed:
    with session_factory.begin() as s:
        contact = Contact(address=f"telegram:{chat}", channel="telegram", created_at=FIXED_NOW, last_seen_at=FIXED_NOW)
        s.add(contact)
        s.flush()
        return Claimed.of(enqueue(s, contact, ["Your case was updated."], kind="case_update", lang="en",
                                  now=FIXED_NOW, claim_for=claim_for))


def test_a_reply_leased_at_enqueue_goes_out_in_two_statements(tg_sender, fake_api, engine, session_factory):
    """The turn's road: enqueued already leased, sent after the commit with no claim and no read."""
    worker = worker_name()
    item = _enqueue(session_factory, claim_for=worker)
    with count_sql(engine) as sql:
        stats = deliver_now(session_factory, {"telegram": tg_sender}, [item], FIXED_NOW, worker=worker)
    assert stats.sent == 1 and len(fake_api.sent()) == 1
    assert sql.statements <= 2 and sql.commits == 1, str(sql)
    with session_factory() as s:
        row = s.get(OutboxMessage, item.id)
        assert (row.status, row.provider_id) == ("sent", f"{CHAT}:1")
        assert s.get(Message, row.message_id).status == "sent"


def test_a_leased_reply_refused_with_403_marks_the_contact_unreachable(tg_sender, fake_api, session_factory):
    worker = worker_name()
    item = _enqueue(session_factory, claim_for=worker)
    fake_api.fail("sendMessage", 403)
    assert deliver_now(session_factory, {"telegram": tg_sender}, [item], FIXED_NOW, worker=worker).failed == 1
    with session_factory() as s:
        assert (s.get(OutboxMessage, item.id).status, s.get(OutboxMessage, item.id).error_code) == ("failed", "403")
        assert s.scalars(select(Contact)).one().unreachable_at is not None


def test_403_marks_the_contact_unreachable_and_nothing_more_is_sent(tg_sender, fake_api, session_factory):
    first = _queue(session_factory)
    fake_api.fail("sendMessage", 403)
    stats = deliver_due(session_factory, {"telegram": tg_sender}, FIXED_NOW)
    assert stats.failed == 1
    with session_factory.begin() as s:
        assert s.get(OutboxMessage, first).error_code == "403"
        contact = s.scalars(select(Contact)).one()
        assert contact.unreachable_at is not None
        second = enqueue(s, contact, ["Another update."], kind="case_update", lang="en", now=FIXED_NOW).id
    stats = deliver_due(session_factory, {"telegram": tg_sender}, FIXED_NOW)
    assert stats.skipped == 1 and len(fake_api.attempts()) == 1
    with session_factory() as s:
        assert s.get(OutboxMessage, second).status == "skipped"


def test_500_is_retried_by_the_outbox_until_it_goes_through(tg_sender, fake_api, session_factory):
    row = _queue(session_factory)
    fake_api.fail("sendMessage", 500, times=2)
    assert deliver_due(session_factory, {"telegram": tg_sender}, FIXED_NOW).retried == 1
    assert deliver_due(session_factory, {"telegram": tg_sender}, FIXED_NOW + timedelta(seconds=11)).retried == 1
    assert deliver_due(session_factory, {"telegram": tg_sender}, FIXED_NOW + timedelta(minutes=5)).sent == 1
    with session_factory() as s:
        assert s.get(OutboxMessage, row).status == "sent"
    assert len(fake_api.attempts()) == 3 and len(fake_api.sent()) == 1


def test_400_in_the_outbox_fails_at_once(tg_sender, fake_api, session_factory):
    row = _queue(session_factory)
    fake_api.fail("sendMessage", 400)
    assert deliver_due(session_factory, {"telegram": tg_sender}, FIXED_NOW).failed == 1
    assert deliver_due(session_factory, {"telegram": tg_sender}, FIXED_NOW + timedelta(hours=1)).total == 0
    with session_factory() as s:
        assert s.get(OutboxMessage, row).status == "failed"


def test_a_long_reply_is_split_within_4096_utf16_units(tg_sender, fake_api):
    from helpline.textsplit import utf16_len

    long = " ".join(["نوکری کے لیے پروٹیکٹر ضروری ہے۔ 😀"] * 400)
    tg_sender.send(Outgoing(1, "telegram", f"telegram:{CHAT}", "ur", "x", (long,), (("menu.main", "مینو"),)))
    sent = fake_api.sent()
    assert len(sent) > 1 and all(utf16_len(c.params["text"]) <= 4096 for c in sent)
    assert [("reply_markup" in c.params) for c in sent] == [False] * (len(sent) - 1) + [True]
