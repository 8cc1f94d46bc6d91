"""The deploying organisation's promises (referral, resolution, urgent review, reopen window) and the pepper.

Built from :class:`helpline.settings.Settings` (``HELPLINE_COMPLAINT_*``) by :mod:`helpline.wiring`, which puts it
in the core's config as ``"complaints.policy"``; nothing here is global.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from helpline.settings import DEV_PEPPER

WEEKEND = (5, 6)  # Saturday, Sunday: Pakistan's government offices and most missions


@dataclass(frozen=True)
class Policy:
    """Promised times and the verification pepper (never shown in repr)."""

    referral_days: int = 4
    resolution_working_days: int = 20
    urgent_review_hours: int = 12
    reopen_days: int = 30
    draft_days: int = 7
    pepper: bytes = field(default=DEV_PEPPER.encode(), repr=False)

    def promised(self, now: datetime, urgent: bool) -> tuple[datetime, datetime]:
        """``(referral, resolution)`` deadlines for a complaint filed at ``now``."""
        referral = now + (timedelta(hours=self.urgent_review_hours) if urgent else timedelta(days=self.referral_days))
        return referral, add_working_days(now, self.resolution_working_days)

    def verify_hash(self, reference: str, last4: str) -> str:
        """HMAC-SHA256 of the CNIC's last four digits, bound to the reference."""
        return hmac.new(self.pepper, f"{reference}:{last4}".encode(), hashlib.sha256).hexdigest()


def add_working_days(start: datetime, days: int) -> datetime:
    """``start`` plus ``days`` working days (Saturday and Sunday skipped)."""
    at = start
    left = days
    while left > 0:
        at += timedelta(days=1)
        if at.weekday() not in WEEKEND:
            left -= 1
    return at


def from_settings(settings: Any) -> Policy:
    """A :class:`Policy` from the ``complaint_*`` settings."""
    pepper = settings.pepper.get_secret_value()
    return Policy(referral_days=settings.complaint_referral_days,
                  resolution_working_days=settings.complaint_resolution_working_days,
                  urgent_review_hours=settings.complaint_urgent_review_hours,
                  reopen_days=settings.complaint_reopen_days, draft_days=settings.complaint_draft_days,
                  pepper=pepper.encode())
