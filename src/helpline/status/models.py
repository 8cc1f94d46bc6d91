"""Tables of the status concern (see helpline.storage.schema). Each change goes with an Alembic migration."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpline.storage.models import Base


class StatusRecord(Base):
    """One application in the registry, keyed by (kind, tracking number); factors are peppered hashes only."""

    __tablename__ = "status_records"
    # (tracking_number, kind): the unique index also serves lookups by number alone, across kinds.
    __table_args__ = (UniqueConstraint("tracking_number", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    tracking_number: Mapped[str] = mapped_column(String(32))  # canonical: upper-case letters and digits
    status: Mapped[str] = mapped_column(String(40))
    office: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)  # for staff; never shown to the worker
    dob_hash: Mapped[str | None] = mapped_column(String(64))
    cnic4_hash: Mapped[str | None] = mapped_column(String(64))
    status_updated_at: Mapped[datetime]  # as the source said (updated_at column), else when the import saw a change
    imported_at: Mapped[datetime]

    def __repr__(self) -> str:  # the number is enough to identify; never the hashes
        return f"StatusRecord(id={self.id!r}, kind={self.kind!r}, status={self.status!r})"


class StatusWatch(Base):
    """A worker asked to be told when a record's status changes; ends after a final status is told."""

    __tablename__ = "status_watches"
    __table_args__ = (UniqueConstraint("record_id", "contact_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("status_records.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    lang: Mapped[str] = mapped_column(String(16))
    last_status: Mapped[str] = mapped_column(String(40))
    last_office: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    notified_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"StatusWatch(id={self.id!r}, record_id={self.record_id!r})"
