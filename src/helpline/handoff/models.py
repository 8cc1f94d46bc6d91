"""The handoff table: a worker asked for a person, and a staff member may hold the conversation for a while."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from helpline.storage.models import Base

HANDOFF_ACTIVE: tuple[str, ...] = ("waiting", "held")  # a contact has at most one handoff in these
HANDOFF_STATUSES: tuple[str, ...] = ("waiting", "held", "released", "expired")


class Handoff(Base):
    """A worker asked for a person (``waiting``), a staff member holds it (``held`` until ``until``), then back."""

    __tablename__ = "handoffs"
    __table_args__ = (
        Index("ix_handoffs_status_requested", "status", "requested_at"),
        Index("ix_handoffs_contact_id", "contact_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))  # see HANDOFF_STATUSES
    lang: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)  # what the worker wrote when asking
    requested_at: Mapped[datetime]
    held_by: Mapped[str | None] = mapped_column(String(64))
    held_at: Mapped[datetime | None]
    until: Mapped[datetime | None]  # the hold lapses back to the bot at this time unless staff act again
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(64))
    # Danger heard in the worker's messages (helpline.danger): the handoff goes to the top of the staff's list.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    urgent_reason: Mapped[str | None] = mapped_column(String(200))  # in words, e.g. 'locked in: said "..."'
    urgent_at: Mapped[datetime | None]  # when danger was first heard
    # The worker's latest message while waiting or held (its text is in the message log), and when a staff member
    # last opened the conversation: newer than that, it shows as unread.
    last_worker_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    last_worker_message_at: Mapped[datetime | None]
    seen_at: Mapped[datetime | None]

    @property
    def unread(self) -> bool:
        """The worker wrote since a staff member last opened the conversation."""
        return self.last_worker_message_at is not None and (self.seen_at is None
                                                            or self.seen_at < self.last_worker_message_at)

    def __repr__(self) -> str:
        return f"Handoff(id={self.id!r}, contact_id={self.contact_id!r}, status={self.status!r})"
