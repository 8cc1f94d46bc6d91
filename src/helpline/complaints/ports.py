"""What the engine may ask about complaints during a turn (read-only), as a Protocol so tests can pass fakes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from helpline.complaints.policy import Policy


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


class ComplaintsPort(Protocol):
    """``ctx.ports["complaints"]``: references, promises and lookups for the complaint and tracking flows."""

    def new_reference(self) -> str:
        """A fresh, unused reference (canonical form)."""
        ...

    def new_draft_key(self) -> str:
        """A unique key for a new draft."""
        ...

    def policy(self) -> Policy:
        """The promises in force."""
        ...

    def lookup(self, reference: str) -> ComplaintView | None:
        """The complaint with this reference, as the asking contact may see it."""
        ...

    def verify(self, reference: str, last4: str) -> ComplaintView | None:
        """The complaint if ``last4`` matches the CNIC given at filing, else None."""
        ...

    def failures_last_hour(self) -> int:
        """Failed lookups by the asking contact in the last hour."""
        ...
