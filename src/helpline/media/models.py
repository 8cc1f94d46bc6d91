"""The media tables: one row per file a worker sent with a provider media URL, and its bytes apart.

``media_files`` is the queue and the record: ``pending`` (due at ``next_attempt_at``) → ``fetching`` (leased to
one worker until ``lease_until``) → ``stored`` (bytes in ``media_blobs``), ``refused`` (too large, a type not
allowed, declared one type but is another: never tried again) or ``failed`` (the provider kept failing). The
reason of a refusal or failure is in ``error`` (words for staff, never a URL).

The bytes live in the database (``media_blobs``, one row per stored file, read only when staff open it), so every
instance on one PostgreSQL serves what any instance fetched, backups hold them, and deleting a contact or a message
deletes its media (``ON DELETE CASCADE``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpline.storage.models import Base

MEDIA_STATUSES: tuple[str, ...] = ("pending", "fetching", "stored", "refused", "failed")


class MediaFile(Base):
    """One file from a worker's message (``position`` among the message's attachments)."""

    __tablename__ = "media_files"
    __table_args__ = (
        UniqueConstraint("message_id", "position", name="uq_media_files_message_position"),
        Index("ix_media_files_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(500))  # the provider's media URL (no credentials in it)
    declared_type: Mapped[str | None] = mapped_column(String(100))  # what the provider said it is
    status: Mapped[str] = mapped_column(String(20))  # see MEDIA_STATUSES
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    content_type: Mapped[str | None] = mapped_column(String(100))  # checked against the bytes; what is served
    kind: Mapped[str | None] = mapped_column(String(20))  # audio | image | video | document
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    fetched_at: Mapped[datetime | None]

    def __repr__(self) -> str:  # never the URL
        return f"MediaFile(id={self.id!r}, status={self.status!r}, kind={self.kind!r})"


class MediaBlob(Base):
    """The bytes of a stored media file."""

    __tablename__ = "media_blobs"

    media_id: Mapped[int] = mapped_column(ForeignKey("media_files.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)

    def __repr__(self) -> str:
        return f"MediaBlob(media_id={self.media_id!r})"
