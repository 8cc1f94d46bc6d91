"""Limits on what a channel may hand to the core, and the character checks every channel's decode uses.

Each limit is the size of the column the value ends up in (``tests/test_inbound_limits.py`` checks that they
agree), so a value a decode accepted can always be stored, on PostgreSQL too: an over-long value is refused at
the edge with a 400 and the reason, never a database error in the middle of a turn (or, for an attachment, at
every later "yes" of a complaint draft that carries it).
"""

from __future__ import annotations

import unicodedata

from helpline.errors import InboundRejected

MAX_ADDRESS = 200  # contacts.address, outbox.address ("tel:<From>", "telegram:<chat id>")
MAX_PROVIDER_ID = 100  # messages.provider_id (a MessageSid, an update_id)
MAX_ATTACHMENT_KIND = 20  # complaint_attachments.kind
MAX_ATTACHMENT_REF = 500  # complaint_attachments.ref (a media URL, a Telegram file_id)
MAX_CONTENT_TYPE = 100  # complaint_attachments.content_type
MAX_TEXT = 4096  # what one inbound message may carry (Twilio: 1600 characters; Telegram: 4096)
MAX_SAFE_INT = 2**53 - 1  # Telegram ids "have at most 52 significant bits" (Bot API); JSON-safe everywhere


def has_control(value: str) -> bool:
    """True when ``value`` holds a control, format, surrogate or unassigned character (NUL included): never
    part of an address, an id, a URL or a content type."""
    return any(unicodedata.category(c)[0] == "C" for c in value)


def clean_text(value: str) -> str:
    """Free text safe to store: no NUL (PostgreSQL refuses it), no other C0/C1 control except tab and line
    breaks, and no lone surrogate (JSON allows ``"\\ud800"``). Format characters such as the right-to-left mark
    stay: Urdu text uses them."""
    if value.isprintable():
        return value
    kept = "".join(c for c in value if c in "\t\n\r" or unicodedata.category(c) != "Cc")
    if any("\ud800" <= c <= "\udfff" for c in kept):
        kept = kept.encode("utf-8", "replace").decode("utf-8")
    return kept


def token(value: object, name: str, limit: int, *, required: bool = True) -> str | None:
    """``value`` as an identifier-like string (an address, an id, a URL, a content type): a string of at most
    ``limit`` characters without control characters, else :class:`InboundRejected` (400) naming ``name``."""
    if value is None or value == "":
        if required:
            raise InboundRejected(f"{name} is missing", 400)
        return None
    if not isinstance(value, str):
        raise InboundRejected(f"{name} is not a string", 400)
    if len(value) > limit:
        raise InboundRejected(f"{name} is too long", 400)
    if has_control(value):
        raise InboundRejected(f"{name} has control characters", 400)
    return value
