"""Engine events of the complaints concern; :mod:`helpline.complaints.turns` writes them to the database."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ComplaintConfirmed:
    """The worker confirmed a draft: store it (once per ``draft_key``) under ``reference``."""

    draft_key: str
    reference: str
    lang: str
    category: str
    country: str | None
    description: str = field(repr=False)
    affected: str
    filer_relation: str | None = field(repr=False)
    worker_name: str | None = field(repr=False)
    worker_cnic: str | None = field(repr=False)
    worker_passport: str | None = field(repr=False)
    employer: str | None = field(repr=False)
    agent: str | None = field(repr=False)
    anonymous: bool
    urgent: bool
    urgent_reason: str | None
    responsible_body: str
    promised_referral_at: str  # ISO 8601, exactly what the worker was told
    promised_resolution_at: str
    started_at: str  # when the draft began: attachments since then are linked
    attachment_refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class ComplaintReopened:
    """The filing contact sent ``REOPEN <ref>`` within the window."""

    reference: str


@dataclass(frozen=True)
class ResolutionConfirmed:
    """The filing contact confirmed that a resolved complaint is solved."""

    reference: str


@dataclass(frozen=True)
class LookupFailed:
    """A ``STATUS <ref>`` lookup failed (unknown reference or wrong verification): counts towards throttling."""

    reference: str | None
