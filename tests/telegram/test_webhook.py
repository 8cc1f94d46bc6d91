"""``POST /webhooks/telegram`` through the real app, a real PTB Bot on its loop, and the local fake Bot API."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from helpline.outbox import OutboxMessage
from helpline.storage.models import Contact, Message
from tests.telegram.conftest import CHAT, SECRET, post, update


def count(session_factory, model, *where) -> int:
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_a_message_is_answered_through_the_bot_api(tg, fake_api, session_factory):
    response = post(tg, update("message"))
    assert response.status_code == 200, response.text
    sent = fake_api.sent()
    assert sent and all(int(c.params["chat_id"]) == CHAT for c in sent)
    assert "protector" in " ".join(c.params["text"] for c in sent).lower()
    with session_factory() as s:
        inbound = s.scalars(select(Message).where(Message.direction == "in")).one()
        assert (inbound.channel, inbound.provider_id, inbound.text) == ("telegram", "804512001", "protector kya hota hai")
        rows = s.scalars(select(OutboxMessage)).all()
        assert [r.status for r in rows] == ["sent"] * len(sent)
        out = s.scalars(select(Message).where(Message.direction == "out")).all()
        assert len(out) == len(rows) and all(m.status == "sent" and m.provider_id.startswith(f"{CHAT}:") for m in out)


def test_start_opens_the_welcome_with_an_inline_keyboard(tg, fake_api):
    assert post(tg, update("start")).status_code == 200
    last = fake_api.sent()[-1]
    keyboard = last.params["reply_markup"]["inline_keyboard"]
    buttons = [b for row in keyboard for b in row]
    assert buttons and all(1 <= len(b["callback_data"].encode()) <= 64 for b in buttons)


def test_twenty_consecutive_updates_are_each_answered(tg, fake_api):
    """The event-loop trap (channels.md): a per-request asyncio.run answers the first and loses the rest."""
    for n in range(20):
        before = len(fake_api.sent())
        text = "salam" if n % 2 else "protector kya hota hai"
        assert post(tg, update("message", update_id=900 + n, text=text)).status_code == 200
        assert len(fake_api.sent()) > before, f"update {n} got no reply"
    assert fake_api.connections <= 2  # keep-alive: one pooled connection serves them all


def test_twenty_concurrent_updates_are_each_answered(tg_app, fake_api, session_factory):
    def one(n: int) -> int:
        client = tg_app.test_client()
        return post(client, update("message", update_id=2000 + n, chat=700000 + n)).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(one, range(20)))
    assert statuses == [200] * 20
    answered = {int(c.params["chat_id"]) for c in fake_api.sent()}
    assert answered == {700000 + n for n in range(20)}
    assert count(session_factory, Message, Message.direction == "in") == 20


def test_a_redelivered_update_gets_no_second_turn_or_reply(tg, fake_api, session_factory):
    payload = update("message")
    assert post(tg, payload).status_code == 200
    replies = len(fake_api.sent())
    response = post(tg, payload)
    assert response.status_code == 200 and response.text == "duplicate\n"
    assert len(fake_api.sent()) == replies
    assert count(session_factory, Message, Message.direction == "in") == 1


def test_a_button_press_is_a_choice_and_is_always_answered(tg, fake_api, session_factory):
    post(tg, update("start"))  # shows the main menu, so "faq" is a current choice
    assert post(tg, update("callback_query")).status_code == 200
    answers = fake_api.sent("answerCallbackQuery")
    assert [c.params["callback_query_id"] for c in answers] == ["2195742300471119781"]
    with session_factory() as s:
        inbound = s.scalars(select(Message).where(Message.provider_id == "804512003")).one()
        assert inbound.direction == "in" and inbound.text == ""


def test_a_photo_is_recorded_as_an_attachment_and_its_caption_as_text(tg, session_factory):
    assert post(tg, update("photo_caption")).status_code == 200
    with session_factory() as s:
        inbound = s.scalars(select(Message).where(Message.direction == "in")).one()
    assert inbound.text == "mera contract, seth ne tankhwah nahi di"
    assert inbound.attachments == [{"kind": "photo", "ref": "AgACAgQAAxkBAAIBLWdE-large", "content_type": "image/jpeg"}]


@pytest.mark.parametrize("name", ["document", "voice"])
def test_documents_and_voice_notes_are_recorded(tg, session_factory, name):
    assert post(tg, update(name)).status_code == 200
    with session_factory() as s:
        inbound = s.scalars(select(Message).where(Message.direction == "in")).one()
    assert [a["kind"] for a in inbound.attachments] == [name]


@pytest.mark.parametrize("name", ["edited_message", "group_message"])
def test_irrelevant_updates_are_200_and_store_nothing(tg, fake_api, session_factory, name):
    response = post(tg, update(name))
    assert response.status_code == 200 and response.text == "ignored\n"
    assert count(session_factory, Message) == 0 and count(session_factory, Contact) == 0
    assert fake_api.sent() == []


def test_a_worker_blocking_the_bot_marks_them_unreachable_until_they_write(tg, session_factory):
    post(tg, update("message"))
    assert post(tg, update("my_chat_member")).status_code == 200
    with session_factory() as s:
        assert s.scalars(select(Contact)).one().unreachable_at is not None
    post(tg, update("message", update_id=804512100, text="salam"))
    with session_factory() as s:
        assert s.scalars(select(Contact)).one().unreachable_at is None


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", SECRET.upper()])
def test_a_forged_update_is_403_and_stores_nothing(tg, fake_api, session_factory, secret):
    response = post(tg, update("message"), secret=secret)
    assert response.status_code == 403
    assert "Secret-Token" in response.text
    assert count(session_factory, Message) == 0 and fake_api.calls == []


@pytest.mark.parametrize("raw, reason", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe", "not valid JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b'"hello"', "not a JSON object"),
    (b"{}", "update_id"),
    (b'{"update_id": "12"}', "update_id"),
    (b'{"update_id": 5, "message": "hello"}', "message is not an object"),
    (b'{"update_id": 5, "message": {"chat": 3}}', "message.chat is not an object"),
    (b'{"update_id": 5, "message": {"chat": {"id": 3, "type": "private"}, "entities": 3}}', "not a Telegram update"),
    (b"[" * 50000 + b"]" * 50000, "not valid JSON"),
])
def test_malformed_bodies_are_400_with_a_reason(tg, session_factory, raw, reason):
    if len(raw) > 64 * 1024:  # over the app's body limit: refused before parsing
        response = post(tg, None, raw=raw)
        assert response.status_code == 413
        return
    response = post(tg, None, raw=raw)
    assert response.status_code == 400 and reason in response.text
    assert count(session_factory, Message) == 0


def test_deep_nesting_within_the_size_limit_is_400(tg):
    raw = b"[" * 30000 + b"]" * 30000
    assert post(tg, None, raw=raw).status_code == 400


def test_hostile_text_is_stored_safely(tg, session_factory):
    payload = update("message", text="a\x00b \ud800 c")
    assert post(tg, None, raw=json.dumps(payload).encode()).status_code == 200  # "\\ud800" escaped, as JSON allows
    with session_factory() as s:
        assert s.scalars(select(Message).where(Message.direction == "in")).one().text == "ab ? c"


def test_without_secret_or_token_the_route_is_503_with_the_reason(clean_env, engine, core):
    from helpline.settings import load_settings
    from webhooks.app import create_app

    url = engine.url.render_as_string(hide_password=False)
    for settings, missing in [(load_settings(database_url=url, telegram_token="1:x"), "HELPLINE_TELEGRAM_SECRET"),
                              (load_settings(database_url=url, telegram_secret=SECRET), "HELPLINE_TELEGRAM_TOKEN")]:
        client = create_app(settings, core=core, engine=engine).test_client()
        response = post(client, update("message"))
        assert response.status_code == 503 and missing in response.text


def test_a_failed_send_stays_queued_and_the_worker_delivers_it(tg, fake_api, session_factory, tg_sender, core):
    from datetime import timedelta

    from helpline.outbox import deliver_due

    fake_api.fail("sendMessage", 500)
    assert post(tg, update("message")).status_code == 200  # the turn is committed; the reply waits
    with session_factory() as s:
        assert [r.status for r in s.scalars(select(OutboxMessage))] == ["queued"]
    stats = deliver_due(session_factory, {"telegram": tg_sender}, core.clock() + timedelta(minutes=1))
    assert stats.sent == 1 and len(fake_api.sent()) == 1


def test_start_leaves_any_flow_for_the_main_menu(tg, fake_api, session_factory):
    from helpline.storage.models import Conversation

    post(tg, update("message", text="hello"))
    post(tg, update("message", update_id=7001, text="1"))  # into the FAQ flow
    post(tg, update("start", update_id=7002))
    with session_factory() as s:
        assert "flow" not in s.scalars(select(Conversation)).one().state
    assert fake_api.sent()[-1].params["reply_markup"]["inline_keyboard"]
