"""What the tracking flow may see of a complaint: the answer to a ``ComplaintLookup`` or ``ComplaintVerify`` ask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ComplaintView:
    """What a STATUS reply may show: no personal fields at all."""

    reference: str
    category: str
    status: str
    body: str
    urgent: bool
    owned: bool  # filed by the contact asking
    verifiable: bool  # a CNIC was given, so others can verify with its last 4 digits
    created_at: datetime
    promised_referral_at: datetime | None
    promised_resolution_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    last_update: str | None
    last_update_at: datetime | None
