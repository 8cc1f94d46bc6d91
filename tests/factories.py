"""Tiny row factories (contacts, messages, complaints): each adds one row with explicit timestamps, flushes, and
returns it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from helpline.complaints import references
from helpline.complaints.models import Complaint, ComplaintEvent
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


def make_complaint(session: Session, contact: Contact | None = None, *, now: datetime = T0, **kw: Any) -> Complaint:
    """Add a new wages complaint (with its "created" event) at ``now``; keyword arguments override columns."""
    ref = kw.pop("reference", None) or next(r for r in iter(references.new_reference, None) if not r.isdigit())
    values: dict[str, Any] = dict(
        reference=ref, draft_key=uuid.uuid4().hex, contact_id=contact.id if contact else None,
        channel=contact.channel if contact else "sms", lang="en", category="wages", country="SA",
        description="Salary not paid for 3 months.", affected="self", anonymous=False, status="new", urgent=False,
        responsible_body="CWA", promised_referral_at=now + timedelta(days=4),
        promised_resolution_at=now + timedelta(days=28), created_at=now, updated_at=now)
    values.update(kw)
    complaint = Complaint(**values)
    session.add(complaint)
    session.flush()
    session.add(ComplaintEvent(complaint_id=complaint.id, at=now, actor="worker", kind="created", to_status="new",
                               public=False))
    session.flush()
    return complaint
