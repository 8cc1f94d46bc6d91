"""The handoff table: a worker asked for a person, and a staff member may hold the conversation for a while."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
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

    def __repr__(self) -> str:
        return f"Handoff(id={self.id!r}, contact_id={self.contact_id!r}, status={self.status!r})"
