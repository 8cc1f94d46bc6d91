"""Pure parts of the Telegram ring: parsing recorded updates, pacing, right-to-left text, the loop client."""

from __future__ import annotations

import threading

import pytest

from bot.client import BotClient
from bot.parse import Ignored, MalformedUpdate, MembershipChange, Turn, chat_id, decode, parse
from bot.ratelimit import RateLimiter
from bot.render import RLM, render_telegram, rtl_lines
from tests.telegram.conftest import CHAT, update


def parsed(name: str, **kw):
    return parse(decode(update(name, **kw)))


def test_a_text_message_is_a_turn():
    result = parsed("message")
    assert isinstance(result, Turn) and result.callback_query_id is None
    msg = result.message
    assert (msg.channel, msg.address, msg.text, msg.provider_id) == ("telegram", f"telegram:{CHAT}",
                                                                   "protector kya hota hai", "804512001")
    assert msg.received_at is not None and msg.received_at.tzinfo is not None


@pytest.mark.parametrize("typed, expected", [
    ("/start", "/start"), ("/start@helpline_test_bot", "/start"), ("/START ref-campaign-7", "/start"),
    ("/help", "/help"), ("/language@helpline_test_bot", "/language"), ("/other thing", "/other thing"),
])
def test_commands_lose_the_bot_name_and_deep_link_payload(typed, expected):
    assert parsed("start", text=typed).message.text == expected


def test_a_button_press_is_a_choice_with_its_query_to_answer():
    result = parsed("callback_query")
    assert isinstance(result, Turn)
    assert result.message.choice == "faq" and result.message.text == ""
    assert result.message.address == f"telegram:{CHAT}" and result.callback_query_id == "2195742300471119781"


def test_a_photo_keeps_its_caption_and_the_largest_size():
    msg = parsed("photo_caption").message
    assert msg.text == "mera contract, seth ne tankhwah nahi di"
    assert [(a.kind, a.ref, a.content_type) for a in msg.attachments] == [
        ("photo", "AgACAgQAAxkBAAIBLWdE-large", "image/jpeg")]


def test_documents_and_voice_notes_are_attachments():
    assert [(a.kind, a.content_type) for a in parsed("document").message.attachments] == [("document", "application/pdf")]
    assert [(a.kind, a.content_type) for a in parsed("voice").message.attachments] == [("voice", "audio/ogg")]


@pytest.mark.parametrize("name, reason", [
    ("edited_message", "edited_message"), ("group_message", "supergroup chat"),
])
def test_irrelevant_updates_are_ignored_with_a_reason(name, reason):
    result = parsed(name)
    assert isinstance(result, Ignored) and reason in result.reason


def test_blocking_the_bot_is_a_membership_change():
    assert parsed("my_chat_member") == MembershipChange(f"telegram:{CHAT}", blocked=True)


def test_a_button_in_a_group_is_ignored_but_still_answered():
    data = update("callback_query")
    data["callback_query"]["message"]["chat"] = {"id": -100123, "type": "group", "title": "g"}
    result = parse(decode(data))
    assert isinstance(result, Ignored) and result.callback_query_id == "2195742300471119781"


@pytest.mark.parametrize("data", [[], "x", None, {}, {"update_id": True}, {"update_id": 1, "message": 5}])
def test_what_is_not_an_update_is_malformed(data):
    with pytest.raises(MalformedUpdate):
        decode(data)


def test_addresses_round_trip():
    assert chat_id("telegram:-1002233") == -1002233
    for bad in ("tel:+92300", "telegram:", "telegram:abc"):
        with pytest.raises(ValueError):
            chat_id(bad)


# -- pacing ---------------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_one_chat_gets_a_short_burst_then_one_message_a_second():
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    waits = [limiter.reserve("a", max_wait=10) for _ in range(5)]
    assert waits == [0, 0, 0, pytest.approx(1.0), pytest.approx(2.0)]
    assert limiter.reserve("b", max_wait=0) == 0  # another chat is not held up
    assert limiter.reserve("a", max_wait=0.5) is None  # too long a wait is refused, not booked
    clock.now += 10
    assert limiter.reserve("a", max_wait=0) == 0


def test_overall_pace_is_thirty_a_second():
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    waits = [limiter.reserve(n, max_wait=10) for n in range(60)]
    assert waits[:30] == [0] * 30
    assert waits[59] == pytest.approx(1.0)


# -- right to left --------------------------------------------------------------------------------------


def test_an_urdu_line_starting_with_a_latin_word_gets_a_right_to_left_mark():
    assert rtl_lines("NICOP کے لیے نادرا جائیں") == RLM + "NICOP کے لیے نادرا جائیں"


@pytest.mark.parametrize("line", ["1 پروٹیکٹر", "۲ شکایت", "پروٹیکٹر کیا ہے؟ (Protector)", "https://example.org", "12345"])
def test_lines_that_already_read_right_or_have_no_urdu_are_untouched(line):
    assert rtl_lines(line) == line


def test_a_leading_left_to_right_mark_on_an_urdu_line_is_dropped():
    assert rtl_lines("\u200eسلام") == "سلام"
    assert rtl_lines("\u200eOK سلام") == RLM + "OK سلام"


def test_only_urdu_replies_are_touched():
    text = "NICOP کے لیے"
    assert render_telegram([text], [], lang="ur")[0]["text"] == RLM + text
    assert render_telegram([text], [], lang="ur-Latn")[0]["text"] == text


# -- the loop client ------------------------------------------------------------------------------------


def test_one_loop_thread_serves_calls_from_many_threads(bot_client, fake_api):
    async def me(bot):
        return await bot.get_me()

    results, loops = [], []

    def caller() -> None:
        results.append(bot_client.call(me).username)
        loops.append(bot_client._thread)

    threads = [threading.Thread(target=caller) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["helpline_test_bot"] * 8
    assert len(set(loops)) == 1 and bot_client.running
    bot_client.close()
    assert not bot_client.running
    assert bot_client.call(me).username == "helpline_test_bot"  # starts again after a close


def test_a_forked_child_starts_its_own_loop(bot_client, fake_api, monkeypatch):
    import os

    async def me(bot):
        return await bot.get_me()

    bot_client.call(me)
    parent = BotClient.__new__(BotClient)  # the parent's loop, closed by hand below (a real child has none)
    parent.__dict__.update(bot_client.__dict__, _lock=threading.Lock())
    real_pid = os.getpid()
    monkeypatch.setattr(os, "getpid", lambda: real_pid + 1)  # as seen from a gunicorn worker after fork
    assert not bot_client.running
    bot_client.call(me)
    assert bot_client.running and bot_client._thread is not parent._thread
    bot_client.close()
    monkeypatch.undo()
    parent.close()


def test_the_token_never_shows_in_repr(bot_client, fake_api):
    assert fake_api.token not in repr(bot_client)
