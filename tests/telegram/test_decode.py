"""Telegram update → :class:`Turn` | :class:`Ignored` | :class:`MembershipChange`: one table of recorded updates.

Each row is an update recorded in ``fixtures/`` (as-is, or with a top-level field dropped or changed), or a
literal body, and what ``parse(decode(body))`` makes of it: the full decoded value, or the
:class:`MalformedUpdate` (an :class:`InboundRejected`) the webhook answers 400 with.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.parse import Ignored, MalformedUpdate, MembershipChange, Turn, decode, parse
from helpline.errors import InboundRejected
from helpline.messages import Attachment, InboundMessage

FIXTURES = Path(__file__).parent / "fixtures"
ADDRESS = "telegram:511223344"  # the worker's private chat in the recorded updates
DROP = object()  # a change to this value removes the field


def at(timestamp: int) -> datetime:
    """A message's ``date`` as PTB decodes it."""
    return datetime.fromtimestamp(timestamp, timezone.utc)


def said(update_id: int, text: str, date: int, *attachments: Attachment) -> Turn:
    """A worker's message in their private chat."""
    return Turn(InboundMessage(channel="telegram", address=ADDRESS, text=text, provider_id=str(update_id),
                               attachments=attachments, received_at=at(date)))


@dataclass(frozen=True)
class Body:
    """A recorded update (``name``) with top-level fields changed or dropped, or a ``literal`` JSON body."""

    name: str | None = None
    changes: tuple[tuple[str, Any], ...] = ()
    literal: str | None = None

    def json(self) -> Any:
        """The body as the webhook decodes it from JSON."""
        if self.name is None:
            return json.loads(self.literal or "")
        data = json.loads((FIXTURES / self.name).read_text(encoding="utf-8"))
        for key, value in self.changes:  # "message__chat" edits data["message"]["chat"]
            *path, last = key.split("__")
            target = data
            for step in path:
                target = target[step]
            if value is DROP:
                target.pop(last, None)
            else:
                target[last] = value
        return data

    def __str__(self) -> str:
        if self.name is None:
            return f"body {self.literal}"
        edits = ",".join(f"-{k}" if v is DROP else f"{k}={json.dumps(v)[:12]}" for k, v in self.changes)
        return f"{self.name}[{edits}]" if edits else self.name


def recorded(name: str, **changes: Any) -> Body:
    return Body(name, tuple(changes.items()))


def literal(raw: str) -> Body:
    return Body(literal=raw)


NOT_AN_OBJECT = MalformedUpdate("the body is not a JSON object")
NO_UPDATE_ID = MalformedUpdate("update_id is missing or not an integer")

TABLE = [
    # -- recorded updates, as received --------------------------------------------------------------------
    (recorded("message.json"), said(804512001, "protector kya hota hai", 1764072000)),
    (recorded("start.json"), said(804512002, "/start", 1764072010)),
    (recorded("start_deep_link.json"), said(804512011, "/start", 1764072400)),  # /start@bot payload → /start
    (recorded("callback_query.json"),
     Turn(InboundMessage(channel="telegram", address=ADDRESS, text="", provider_id="804512003", choice="faq"),
          callback_query_id="2195742300471119781")),
    (recorded("photo_caption.json"),
     said(804512004, "mera contract, seth ne tankhwah nahi di", 1764072020,
          Attachment("photo", "AgACAgQAAxkBAAIBLWdE-large", "image/jpeg"))),  # the largest size only
    (recorded("document.json"),
     said(804512005, "", 1764072030, Attachment("document", "BQACAgQAAxkBAAIBLmdE-doc", "application/pdf"))),
    (recorded("voice.json"),
     said(804512006, "", 1764072040, Attachment("voice", "AwACAgQAAxkBAAIBL2dE-voice", "audio/ogg"))),
    (recorded("edited_message.json"), Ignored("update type edited_message is not handled")),
    (recorded("channel_post.json"), Ignored("update type channel_post is not handled")),
    (recorded("group_message.json"), Ignored("message in a supergroup chat; the helpline talks one to one")),
    (recorded("callback_query_group.json"),  # ignored, but the button press is still answered
     Ignored("button press in a supergroup chat", callback_query_id="2195742300471119790")),
    (recorded("my_chat_member.json"), MembershipChange(ADDRESS, blocked=True)),
    (recorded("my_chat_member_unblocked.json"), MembershipChange(ADDRESS, blocked=False)),
    # -- recorded updates, edited; literal bodies ---------------------------------------------------------
    (recorded("message.json", message=DROP), Ignored("update type unknown is not handled")),
    (literal("[]"), NOT_AN_OBJECT),
    (literal('"update_id"'), NOT_AN_OBJECT),
    (literal("null"), NOT_AN_OBJECT),
    (literal("804512001"), NOT_AN_OBJECT),
    (recorded("message.json", update_id=DROP), NO_UPDATE_ID),
    (recorded("message.json", update_id=None), NO_UPDATE_ID),
    (recorded("message.json", update_id=True), NO_UPDATE_ID),
    (recorded("message.json", update_id="804512001"), NO_UPDATE_ID),
    (recorded("message.json", update_id=804512001.0), NO_UPDATE_ID),
    (recorded("message.json", message=5), MalformedUpdate("message is not an object")),
    (recorded("message.json", message={}), MalformedUpdate("message.chat is missing")),
    # -- hostile but well-formed JSON: every field the helpline reads, of the wrong type, size or characters ----
    (recorded("message.json", update_id=-1), MalformedUpdate("update_id is out of range")),
    (recorded("message.json", update_id=2**64), MalformedUpdate("update_id is out of range")),
    (recorded("message.json", message__chat=DROP), MalformedUpdate("message.chat is missing")),
    (recorded("message.json", message__chat=[]), MalformedUpdate("message.chat is not an object")),
    (recorded("message.json", message__chat__id=DROP), MalformedUpdate("message.chat.id is missing or not an integer")),
    (recorded("message.json", message__chat__id="511223344"),
     MalformedUpdate("message.chat.id is missing or not an integer")),
    (recorded("message.json", message__chat__id=10**200), MalformedUpdate("message.chat.id is out of range")),
    (recorded("message.json", message__chat__id=-(2**53)), MalformedUpdate("message.chat.id is out of range")),
    (recorded("message.json", message__chat__type=None), MalformedUpdate("message.chat.type is missing")),
    (recorded("message.json", message__chat__type=7), MalformedUpdate("message.chat.type is not a string")),
    (recorded("message.json", message__text=123), MalformedUpdate("message.text is not a string")),
    (recorded("message.json", message__text=["a"]), MalformedUpdate("message.text is not a string")),
    (recorded("message.json", message__text={"a": 1}), MalformedUpdate("message.text is not a string")),
    (recorded("message.json", message__text="x" * 4097), MalformedUpdate("message.text is too long")),
    (recorded("message.json", message__caption=1.5), MalformedUpdate("message.caption is not a string")),
    (recorded("message.json", message__date="today"), MalformedUpdate("message.date is missing or not an integer")),
    (recorded("message.json", message__date=10**30), MalformedUpdate("message.date is out of range")),
    (recorded("message.json", message__message_id=True),
     MalformedUpdate("message.message_id is missing or not an integer")),
    (recorded("message.json", message__from=5), MalformedUpdate("message.from is not an object")),
    (recorded("message.json", message__from__id=10**20), MalformedUpdate("message.from.id is out of range")),
    (recorded("message.json", message__from__is_bot="no"),
     MalformedUpdate("message.from.is_bot is missing or not a boolean")),
    (recorded("photo_caption.json", message__photo={}), MalformedUpdate("message.photo is not a list of objects")),
    (recorded("photo_caption.json", message__photo=[1]), MalformedUpdate("message.photo is not a list of objects")),
    (recorded("photo_caption.json", message__photo=[{"file_id": "A" * 501}]),
     MalformedUpdate("message.photo[0].file_id is too long")),
    (recorded("document.json", message__document__mime_type="application/" + "x" * 100),
     MalformedUpdate("message.document.mime_type is too long")),
    (recorded("document.json", message__document__mime_type="application/pdf\x00"),
     MalformedUpdate("message.document.mime_type has control characters")),
    (recorded("document.json", message__document__file_id=None), MalformedUpdate("message.document.file_id is missing")),
    (recorded("voice.json", message__voice__file_id=12), MalformedUpdate("message.voice.file_id is not a string")),
    (recorded("edited_message.json", edited_message="x"), MalformedUpdate("edited_message is not an object")),
    (recorded("callback_query.json", callback_query__data=5), MalformedUpdate("callback_query.data is not a string")),
    (recorded("callback_query.json", callback_query__data="d" * 65), MalformedUpdate("callback_query.data is too long")),
    (recorded("callback_query.json", callback_query__id=5), MalformedUpdate("callback_query.id is not a string")),
    (recorded("callback_query.json", callback_query__from=DROP), MalformedUpdate("callback_query.from is missing")),
    (recorded("callback_query.json", callback_query__message__chat=DROP),
     MalformedUpdate("callback_query.message.chat is missing")),
    (recorded("my_chat_member.json", my_chat_member__chat__id=2**60),
     MalformedUpdate("my_chat_member.chat.id is out of range")),
    (recorded("my_chat_member.json", my_chat_member__new_chat_member=DROP),
     MalformedUpdate("my_chat_member.new_chat_member is missing")),
    (recorded("my_chat_member.json", my_chat_member__new_chat_member__status=["kicked"]),
     MalformedUpdate("my_chat_member.new_chat_member.status is not a string")),
    # -- odd but acceptable: control characters in free text are dropped, the rest is kept ------------------
    (recorded("message.json", message__text="a\x00b\x1bc\u200fd"), said(804512001, "abc\u200fd", 1764072000)),
]


def _id(value: Any) -> str:
    if isinstance(value, InboundRejected):
        return f"{value.status} {value.reason}"
    return str(value) if isinstance(value, Body) else type(value).__name__


@pytest.mark.parametrize(("body", "expected"), TABLE, ids=_id)
def test_decode(body: Body, expected: Turn | Ignored | MembershipChange | MalformedUpdate) -> None:
    if isinstance(expected, MalformedUpdate):
        with pytest.raises(MalformedUpdate) as refused:
            decode(body.json())
        got = refused.value
        assert isinstance(got, InboundRejected)  # the webhook answers 400 with the reason
        assert (got.reason, got.status) == (expected.reason, 400)
    else:
        assert parse(decode(body.json())) == expected


def test_the_table_has_every_recorded_update_as_received() -> None:
    as_received = {body.name for body, _ in TABLE if body.name is not None and not body.changes}
    assert as_received == {p.name for p in FIXTURES.glob("*.json")}
