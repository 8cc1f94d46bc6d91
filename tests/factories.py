"""Tiny row factories: each adds one row with explicit timestamps, flushes, and returns it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from helpline.storage.models import Contact, Message

T0 = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
"""The default timestamp: factories never read the clock."""


def make_contact(
    session: Session, address: str = "tel:+923001234567", channel: str = "sms", *, now: datetime = T0, **kw: Any
) -> Contact:
    """Add a contact first seen (and last seen) at ``now``."""
    contact = Contact(address=address, channel=channel, created_at=now, last_seen_at=now, **kw)
    session.add(contact)
    session.flush()
    return contact


def make_message(
    session: Session,
    contact: Contact,
    text: str = "salam",
    direction: str = "in",
    *,
    provider_id: str | None = None,
    created_at: datetime = T0,
    **kw: Any,
) -> Message:
    """Add a message for ``contact`` on the contact's channel unless ``channel=`` says otherwise."""
    kw.setdefault("channel", contact.channel)
    message = Message(
        contact_id=contact.id, text=text, direction=direction, provider_id=provider_id, created_at=created_at, **kw
    )
    session.add(message)
    session.flush()
    return message
