"""SQLAlchemy 2 typed models. Every change to these goes with an Alembic migration (``helpline db revision``)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from helpline.crypto import SealedState
from helpline.errors import InvalidInput

# Deterministic constraint names so migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite would otherwise drop the zone on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise InvalidInput("naive datetime: pass an aware UTC datetime")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, datetime: UTCDateTime()}


class Contact(Base):
    """One worker (or family member) at one channel address, e.g. ``tel:+923001234567``."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str | None] = mapped_column(String(16))
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out_at: Mapped[datetime | None]
    unreachable_at: Mapped[datetime | None]  # the channel said messages cannot reach it (Telegram: bot blocked)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]  # the worker's last message (every inbound turn sets it): WhatsApp's window

    # The database deletes the conversation with its contact (ON DELETE CASCADE); without this the ORM would
    # try to set conversations.contact_id (a primary key) to NULL when a contact is deleted.
    conversation: Mapped[Conversation | None] = relationship(
        back_populates="contact", uselist=False, cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:  # never print the address: it is a phone number
        return f"Contact(id={self.id!r}, channel={self.channel!r})"


class Conversation(Base):
    """The engine's state for one contact, as plain JSON, so it survives restarts."""

    __tablename__ = "conversations"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    # The draft, a flow's data and BACK's copies sealed with the data key (helpline.crypto); the rest plain JSON.
    state: Mapped[dict[str, Any]] = mapped_column(SealedState, default=dict)
    # The channel's own state, kept apart from the engine's: the SMS pages still waiting for MORE.
    pager: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime]

    contact: Mapped[Contact] = relationship(back_populates="conversation")


class Message(Base):
    """Every inbound and outbound message. ``provider_id`` de-duplicates provider redeliveries."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel", "direction", "provider_id", name="uq_messages_provider"),
        Index("ix_messages_contact_created", "contact_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))  # "in" | "out"
    channel: Mapped[str] = mapped_column(String(20))
    provider_id: Mapped[str | None] = mapped_column(String(100))
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str | None] = mapped_column(String(20))  # delivery status for outbound messages
    # Files that came with an inbound message: [{"kind", "ref", "content_type"}] (MMS media, Telegram files).
    attachments: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]

    def __repr__(self) -> str:  # never print the text: it may hold a CNIC or phone number
        return f"Message(id={self.id!r}, direction={self.direction!r}, channel={self.channel!r})"


class UnansweredQuestion(Base):
    """A question the FAQ matcher could not answer, kept so staff can grow the knowledge base."""

    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(String(500), index=True)
    lang: Mapped[str | None] = mapped_column(String(16))
    best_topic: Mapped[str | None] = mapped_column(String(64))
    best_score: Mapped[float | None]
    created_at: Mapped[datetime]
    # Set when staff deal with it in the console (helpline.teaching): None (open), "taught" (a topic),
    # "out_of_scope" or "noise" (dismissed, no training example).
    resolution: Mapped[str | None] = mapped_column(String(20))
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"UnansweredQuestion(id={self.id!r}, lang={self.lang!r})"


DELETION_STATUSES = ("open", "done")


class DeletionRequest(Base):
    """A worker asked for their data to be deleted (the keyword or the privacy answer led there): a task in the
    console until an admin completes it, which anonymises the contact's messages, drafts and complaints
    (:func:`helpline.retention.anonymise_contact`) and is audited."""

    __tablename__ = "deletion_requests"
    __table_args__ = (Index("ix_deletion_requests_status_requested", "status", "requested_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    lang: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20), default="open")  # see DELETION_STATUSES
    requested_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(64))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # what was anonymised: counts only

    def __repr__(self) -> str:
        return f"DeletionRequest(id={self.id!r}, status={self.status!r})"
