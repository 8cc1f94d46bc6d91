"""A complaint row factory for tests (the console's tests may use it too)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from helpline.complaints import references
from helpline.complaints.models import Complaint, ComplaintEvent
from helpline.storage.models import Contact
from tests.factories import T0


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
