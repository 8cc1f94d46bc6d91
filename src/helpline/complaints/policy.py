"""The deploying organisation's promises (referral, resolution, urgent review, reopen window) and the pepper.

Built from :class:`helpline.settings.Settings` (``HELPLINE_COMPLAINT_*``) by :mod:`helpline.wiring`, which puts it
in the core's config as ``"complaints.policy"``; nothing here is global.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo
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
    office: OfficeHours = field(default_factory=lambda: OfficeHours())

    def promised(self, now: datetime, urgent: bool) -> tuple[datetime, datetime]:
        """``(referral, resolution)`` deadlines for a complaint filed at ``now``."""
        referral = now + (timedelta(hours=self.urgent_review_hours) if urgent else timedelta(days=self.referral_days))
        return referral, add_working_days(now, self.resolution_working_days)

    def verify_hash(self, reference: str, last4: str) -> str:
        """HMAC-SHA256 of the CNIC's last four digits, bound to the reference."""
        return hmac.new(self.pepper, f"{reference}:{last4}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class OfficeHours:
    """When staff work: hours of the day on some days of the week, in one time zone."""

    opens: time = time(9, 0)
    closes: time = time(17, 0)
    days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday … Friday
    tz: str = "Asia/Karachi"

    def _local(self, at: datetime) -> datetime:
        return at.astimezone(ZoneInfo(self.tz))

    def is_open(self, at: datetime) -> bool:
        """The office is open at ``at``."""
        local = self._local(at)
        return local.weekday() in self.days and self.opens <= local.time() < self.closes

    def next_opening(self, at: datetime) -> datetime:
        """When the office next opens after ``at`` (``at`` itself while it is open)."""
        if self.is_open(at):
            return at
        local = self._local(at)
        for ahead in range(8):
            day = (local + timedelta(days=ahead)).date()
            opening = datetime.combine(day, self.opens, tzinfo=local.tzinfo)
            if day.weekday() in self.days and opening > local:
                return opening
        return at  # no office days configured: nothing better to say


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
                  pepper=pepper.encode(), office=office_hours(settings))


def office_hours(settings: Any) -> OfficeHours:
    """:class:`OfficeHours` from the ``complaint_office_*`` settings."""
    opens, closes = (time.fromisoformat(t) for t in settings.complaint_office_hours.split("-"))
    days = tuple(int(d) for d in settings.complaint_office_days.split(","))
    return OfficeHours(opens=opens, closes=closes, days=days, tz=settings.complaint_office_timezone)
