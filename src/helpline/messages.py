"""Channel-neutral message types: what comes in, what goes out.

Channels (``webhooks/`` for Twilio SMS, ``bot/`` for Telegram, the local chat) turn provider payloads into an
:class:`InboundMessage` and turn a :class:`Reply` into provider payloads. The engine never sees a provider
object and never produces finished text: a reply is a list of :class:`Text` (message key + parameters) and an
optional menu of ``(id, label)`` items, resolved into words only at the last moment by :mod:`helpline.i18n`.

Addresses are URN-like strings so one contact table serves every channel: ``tel:+923001234567``,
``telegram:123456789``, ``chat:local``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

LANGUAGES: tuple[str, ...] = ("en", "ur", "ur-Latn")
"""Supported languages as BCP 47 tags: English, Urdu in Urdu script, Urdu in Latin script (Roman Urdu)."""

DEFAULT_LANGUAGE = "en"

CHANNELS: tuple[str, ...] = ("sms", "whatsapp", "telegram", "chat")


@dataclass(frozen=True)
class Attachment:
    """A file the worker sent (photo, document, voice note); stored by reference, never fetched by the core."""

    kind: str  # "photo" | "document" | "voice" | "media"
    ref: str  # provider file id or media URL
    content_type: str | None = None


@dataclass(frozen=True)
class InboundMessage:
    """One message from a worker, already decoded by its channel."""

    channel: str
    address: str
    text: str
    provider_id: str | None = None
    choice: str | None = None  # a menu item id chosen by button (Telegram callback data)
    attachments: tuple[Attachment, ...] = ()
    received_at: datetime | None = None


@dataclass(frozen=True)
class Text:
    """A message key plus parameters, resolved to words per language by :mod:`helpline.i18n`.

    Keys are gettext message ids from ``locales/<lang>/LC_MESSAGES/helpline.po`` (e.g. ``"menu.title"``), or
    knowledge-base references of the form ``"kb:<topic_id>:<field>"`` (``title``, ``short``, ``long``,
    ``source``).
    """

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:  # params is a dict; hash on the key only
        return hash(self.key)


@dataclass(frozen=True)
class MenuItem:
    """One choice in a menu: a stable id (sent back as button data) and a label."""

    id: str
    label: Text


@dataclass(frozen=True)
class Reply:
    """One reply to the worker: paragraphs of text and an optional menu, in one language."""

    lang: str
    parts: tuple[Text, ...]
    menu: tuple[MenuItem, ...] = ()
