"""Tables of the complaints concern (see helpline.storage.schema). Each change goes with an Alembic migration.

A :class:`Complaint` is one confirmed intake; its life is recorded in :class:`ComplaintEvent` rows (who, when,
from → to, public update or internal note). Categories and responsible bodies are data
(``taxonomy.toml``), so complaints store their codes. Failed lookups are counted in ``helpline.throttle``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from helpline.complaints.references import display
from helpline.crypto import EncryptedText, cnic_index
from helpline.storage.models import Base

# Life of a complaint. "resolved" means staff think it is done and the worker is asked to confirm;
# "closed" is final (confirmed by the worker, or the reopen window passed); "reopened" is worked on again.
STATUSES: tuple[str, ...] = ("new", "referred", "in_progress", "resolved", "closed", "reopened")
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"referred", "in_progress", "resolved", "closed"}),
    "referred": frozenset({"in_progress", "resolved", "closed"}),
    "in_progress": frozenset({"referred", "resolved", "closed"}),
    "resolved": frozenset({"closed", "reopened", "in_progress"}),
    "closed": frozenset({"reopened"}),
    "reopened": frozenset({"referred", "in_progress", "resolved", "closed"}),
}
OPEN_STATUSES: frozenset[str] = frozenset({"new", "referred", "in_progress", "reopened"})
EVENT_KINDS: tuple[str, ...] = ("created", "status", "note", "public_update", "assign", "body", "category", "country",
                                 "reopen", "confirm")
AFFECTED: tuple[str, ...] = ("self", "family")


class Complaint(Base):
    """One complaint, filed by a worker or a family member; personal fields are optional and never in repr."""

    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_status_created", "status", "created_at"),
        Index("ix_complaints_contact_id", "contact_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)  # canonical, no dash: "K7M4XQY"
    draft_key: Mapped[str] = mapped_column(String(64), unique=True)  # one complaint per confirmed draft
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(20))
    lang: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    description: Mapped[str] = mapped_column(Text)
    affected: Mapped[str] = mapped_column(String(10), default="self")  # "self" | "family"
    filer_relation: Mapped[str | None] = mapped_column(String(60))
    worker_name: Mapped[str | None] = mapped_column(String(200))
    # Identity numbers encrypted at rest (helpline.crypto): 13 digits, no dashes / a passport number, as tokens.
    worker_cnic: Mapped[str | None] = mapped_column(EncryptedText)
    worker_passport: Mapped[str | None] = mapped_column(EncryptedText)
    # Keyed hashes of the CNIC's last 3 … 13 digits: the console finds a case by them without the number.
    worker_cnic_index: Mapped[str | None] = mapped_column(String(160))
    employer: Mapped[str | None] = mapped_column(String(200))
    agent: Mapped[str | None] = mapped_column(String(200))  # recruiting agent / OEP
    # the registered OEP the worker named (matched to the OEP registry when the complaint was filed)
    oep_id: Mapped[int | None] = mapped_column(ForeignKey("oeps.id", ondelete="SET NULL"), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    verify_hash: Mapped[str | None] = mapped_column(String(64))  # HMAC of the CNIC's last 4 digits
    status: Mapped[str] = mapped_column(String(20), default="new")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    urgent_reason: Mapped[str | None] = mapped_column(String(100))
    responsible_body: Mapped[str] = mapped_column(String(40))
    assignee: Mapped[str | None] = mapped_column(String(100))  # a staff username (no FK: staff is another concern)
    promised_referral_at: Mapped[datetime | None]
    promised_resolution_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # When its personal fields were removed (retention after closing, or the worker's request): the row stays.
    anonymised_at: Mapped[datetime | None]

    events: Mapped[list[ComplaintEvent]] = relationship(
        back_populates="complaint", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ComplaintEvent.id",
    )
    attachments: Mapped[list[ComplaintAttachment]] = relationship(
        back_populates="complaint", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ComplaintAttachment.id",
    )

    @validates("worker_cnic")
    def _index_cnic(self, key: str, value: str | None) -> str | None:
        """Keep the blind index in step with the number."""
        self.worker_cnic_index = cnic_index(value)
        return value

    @property
    def display_reference(self) -> str:
        """The reference as shown to people, e.g. ``K7M-4XQY``."""
        return display(self.reference)

    def __repr__(self) -> str:  # no names, CNIC, passport or text
        return (f"Complaint(id={self.id!r}, reference={self.reference!r}, category={self.category!r}, "
                f"status={self.status!r}, urgent={self.urgent!r})")


class ComplaintEvent(Base):
    """One entry of a complaint's history: a status change, a note, a public update, an assignment, ..."""

    __tablename__ = "complaint_events"
    __table_args__ = (Index("ix_complaint_events_complaint_at", "complaint_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(120))  # "worker" | "bot" | "staff:<username>"
    kind: Mapped[str] = mapped_column(String(20))  # see EVENT_KINDS
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # shown to the worker in STATUS replies

    complaint: Mapped[Complaint] = relationship(back_populates="events")

    def __repr__(self) -> str:
        return f"ComplaintEvent(id={self.id!r}, kind={self.kind!r}, actor={self.actor!r}, public={self.public!r})"


class ComplaintAttachment(Base):
    """A file (photo, document, MMS media) that arrived during intake, linked to the complaint."""

    __tablename__ = "complaint_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(500))
    content_type: Mapped[str | None] = mapped_column(String(100))

    complaint: Mapped[Complaint] = relationship(back_populates="attachments")

    def __repr__(self) -> str:
        return f"ComplaintAttachment(id={self.id!r}, kind={self.kind!r})"
