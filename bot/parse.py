"""Telegram update → :class:`InboundMessage` | :class:`Ignored` | :class:`MembershipChange`. Pure, no I/O.

What becomes a turn (https://core.telegram.org/bots/api#update): a private-chat ``message`` (text, a command,
or a photo / document / voice note / other media recorded as attachments, the caption kept as text) and a
``callback_query`` (the button's ``callback_data`` is the menu choice). Everything else is valid but
irrelevant and comes back as :class:`Ignored` with the reason to log: edited messages, channel posts, group
chats, inline queries, and so on. ``my_chat_member`` in a private chat says the worker blocked or unblocked
the bot, which marks the contact unreachable or reachable again.

Addresses are ``telegram:<chat_id>``; the provider id is the ``update_id`` (the same on every redelivery).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from helpline.errors import InboundRejected, InvalidInput
from helpline.inbound import MAX_ATTACHMENT_REF, MAX_CONTENT_TYPE, MAX_SAFE_INT, clean_text, has_control
from helpline.messages import Attachment, InboundMessage

if TYPE_CHECKING:
    from telegram import Message, Update

CHANNEL = "telegram"
COMMANDS = ("/start", "/help", "/language")  # offered in the client's menu; others pass through as text
MAX_TEXT = 4096  # a Telegram message is at most this long; a caption at most 1024 (4096 with Premium)


class MalformedUpdate(InboundRejected):
    """The body is JSON but not a Telegram update (the webhook answers 400 with this reason)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, 400)


@dataclass(frozen=True)
class Ignored:
    """A valid update that is not for the helpline: answered 200 and logged with ``reason``."""

    reason: str
    callback_query_id: str | None = None  # a button press is always answered, even when ignored


@dataclass(frozen=True)
class MembershipChange:
    """The worker blocked (``blocked=True``) or unblocked the bot in their private chat."""

    address: str
    blocked: bool


@dataclass(frozen=True)
class Turn:
    """An update that is a worker's message: the message, and the button press to answer if any."""

    message: InboundMessage
    callback_query_id: str | None = None


Parsed = Turn | Ignored | MembershipChange


def address(chat_id: int) -> str:
    """The contact address of a chat."""
    return f"{CHANNEL}:{chat_id}"


def chat_id(contact_address: str) -> int:
    """The chat id of a ``telegram:<id>`` address; :class:`InvalidInput` for anything else."""
    prefix, _, rest = contact_address.partition(":")
    if prefix != CHANNEL or not rest.lstrip("-").isdigit():
        raise InvalidInput("not a telegram address")
    return int(rest)


def clean(text: str) -> str:
    """Text safe to store: no NUL (PostgreSQL refuses it) or other control character but tab and line breaks,
    and no lone surrogate (JSON allows ``"\\ud800"``)."""
    return clean_text(text)


def decode(data: Any) -> Update:
    """A PTB ``Update`` from a decoded JSON body; MalformedUpdate when it is not one."""
    from telegram import Update

    if not isinstance(data, dict):
        raise MalformedUpdate("the body is not a JSON object")
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise MalformedUpdate("update_id is missing or not an integer")
    check(data)
    try:
        update = Update.de_json(data, None)
    except Exception as exc:  # noqa: BLE001 - PTB raises whatever the shape provokes (TypeError, KeyError, ...)
        raise MalformedUpdate(f"not a Telegram update ({type(exc).__name__})") from None
    if update is None:
        raise MalformedUpdate("not a Telegram update")
    return update


# The fields of a Telegram update the helpline reads, checked for type, range and length before PTB sees the
# body (PTB's ``de_json`` does not check types: a numeric ``text`` or a message without ``chat`` would only fail
# later, in the middle of a turn, and a 5xx makes Telegram redeliver the update again and again).
MEDIA = ("document", "voice", "audio", "video", "video_note", "animation")


def check(data: dict[str, Any]) -> None:
    """MalformedUpdate naming the first field of ``data`` (an update with an integer ``update_id``) that is of
    the wrong type, out of range or too long for where it is stored."""
    _int(data, "update_id", "update_id", minimum=0)
    message = _object(data, "message", "message")
    if message is not None:
        _message_fields(message, "message")
    for kind in ("edited_message", "channel_post", "edited_channel_post"):  # ignored, but read for the log
        _object(data, kind, kind)
    query = _object(data, "callback_query", "callback_query")
    if query is not None:
        _string(query, "id", "callback_query.id", 100, required=True)
        _user(query, "callback_query.from", required=True)
        _string(query, "data", "callback_query.data", 64)
        inner = _object(query, "message", "callback_query.message")
        if inner is not None:
            _chat(inner, "callback_query.message.chat")
    member = _object(data, "my_chat_member", "my_chat_member")
    if member is not None:
        _chat(member, "my_chat_member.chat")
        new = _object(member, "new_chat_member", "my_chat_member.new_chat_member", required=True)
        assert new is not None
        _string(new, "status", "my_chat_member.new_chat_member.status", 32, required=True)


def _message_fields(message: dict[str, Any], where: str) -> None:
    _int(message, "message_id", f"{where}.message_id", minimum=0, required=False)
    _int(message, "date", f"{where}.date", minimum=0, maximum=2**40, required=False)
    _chat(message, f"{where}.chat")
    _user(message, f"{where}.from", required=False)
    _string(message, "text", f"{where}.text", MAX_TEXT)
    _string(message, "caption", f"{where}.caption", MAX_TEXT)
    photo = message.get("photo")
    if photo is not None:
        if not isinstance(photo, list) or not all(isinstance(size, dict) for size in photo):
            raise MalformedUpdate(f"{where}.photo is not a list of objects")
        for n, size in enumerate(photo):
            _string(size, "file_id", f"{where}.photo[{n}].file_id", MAX_ATTACHMENT_REF, required=True, token=True)
    for kind in MEDIA:
        media = _object(message, kind, f"{where}.{kind}")
        if media is not None:
            _string(media, "file_id", f"{where}.{kind}.file_id", MAX_ATTACHMENT_REF, required=True, token=True)
            _string(media, "mime_type", f"{where}.{kind}.mime_type", MAX_CONTENT_TYPE, token=True)


def _chat(parent: dict[str, Any], where: str) -> None:
    chat = _object(parent, "chat", where, required=True)
    assert chat is not None
    _int(chat, "id", f"{where}.id")
    _string(chat, "type", f"{where}.type", 32, required=True, token=True)


def _user(parent: dict[str, Any], where: str, *, required: bool) -> None:
    user = _object(parent, "from", where, required=required)
    if user is not None:
        _int(user, "id", f"{where}.id")
        if not isinstance(user.get("is_bot"), bool):
            raise MalformedUpdate(f"{where}.is_bot is missing or not a boolean")


def _object(parent: dict[str, Any], key: str, where: str, *, required: bool = False) -> dict[str, Any] | None:
    value = parent.get(key)
    if value is None:
        if required:
            raise MalformedUpdate(f"{where} is missing")
        return None
    if not isinstance(value, dict):
        raise MalformedUpdate(f"{where} is not an object")
    return value


def _int(parent: dict[str, Any], key: str, where: str, *, minimum: int = -MAX_SAFE_INT, maximum: int = MAX_SAFE_INT,
         required: bool = True) -> None:
    value = parent.get(key)
    if value is None and not required:
        return
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedUpdate(f"{where} is missing or not an integer")
    if not minimum <= value <= maximum:
        raise MalformedUpdate(f"{where} is out of range")


def _string(parent: dict[str, Any], key: str, where: str, limit: int, *, required: bool = False,
            token: bool = False) -> None:
    value = parent.get(key)
    if value is None:
        if required:
            raise MalformedUpdate(f"{where} is missing")
        return
    if not isinstance(value, str):
        raise MalformedUpdate(f"{where} is not a string")
    if len(value) > limit:
        raise MalformedUpdate(f"{where} is too long")
    if token and has_control(value):
        raise MalformedUpdate(f"{where} has control characters")


def parse(update: Update) -> Parsed:
    """What an update means for the helpline."""
    provider_id = str(update.update_id)
    if update.message is not None:
        return _message(update.message, provider_id)
    if update.callback_query is not None:
        return _callback(update, provider_id)
    if update.my_chat_member is not None:
        change = update.my_chat_member
        if change.chat.type != "private":
            return Ignored(f"my_chat_member in a {change.chat.type} chat")
        status = change.new_chat_member.status
        return MembershipChange(address(change.chat.id), blocked=status in ("kicked", "left"))
    kinds = [k for k, v in update.to_dict().items() if k != "update_id" and v is not None]
    return Ignored(f"update type {'/'.join(sorted(kinds))[:100] or 'unknown'} is not handled")


def _message(message: Message, provider_id: str) -> Parsed:
    chat = message.chat
    if chat.type != "private":
        return Ignored(f"message in a {chat.type} chat; the helpline talks one to one")
    if message.from_user is not None and message.from_user.is_bot:
        return Ignored("message from a bot")
    text = _command(clean(message.text or message.caption or ""))
    return Turn(InboundMessage(channel=CHANNEL, address=address(chat.id), text=text[:MAX_TEXT], provider_id=provider_id,
                               attachments=_attachments(message), received_at=message.date))


def _command(text: str) -> str:
    """``/start@HelplineBot payload`` → ``/start``: the bot's name and deep-link payloads are dropped."""
    if not text.startswith("/"):
        return text
    head, _, _rest = text.partition(" ")
    command = head.split("@", 1)[0].lower()
    return command if command in COMMANDS else text


def _attachments(message: Message) -> tuple[Attachment, ...]:
    """Files the worker sent (kept by Telegram ``file_id``; the core never downloads them)."""
    found = []
    if message.photo:  # several sizes of one photo, smallest first: keep the largest
        found.append(Attachment("photo", message.photo[-1].file_id, "image/jpeg"))
    if message.document is not None:
        found.append(Attachment("document", message.document.file_id, message.document.mime_type))
    if message.voice is not None:
        found.append(Attachment("voice", message.voice.file_id, message.voice.mime_type or "audio/ogg"))
    for media in (message.audio, message.video, message.video_note, message.animation):
        if media is not None:
            found.append(Attachment("media", media.file_id, getattr(media, "mime_type", None)))
    return tuple(found)


def _callback(update: Update, provider_id: str) -> Parsed:
    query = update.callback_query
    assert query is not None
    chat = query.message.chat if query.message is not None else None
    if chat is not None and chat.type != "private":
        return Ignored(f"button press in a {chat.type} chat", callback_query_id=query.id)
    if not query.data:
        return Ignored("button press without callback_data", callback_query_id=query.id)
    chat_id_ = chat.id if chat is not None else query.from_user.id  # a private chat's id is the user's id
    msg = InboundMessage(channel=CHANNEL, address=address(chat_id_), text="", provider_id=provider_id,
                         choice=clean(query.data)[:64])
    return Turn(msg, callback_query_id=query.id)
