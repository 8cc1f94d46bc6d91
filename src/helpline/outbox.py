"""The outbox: every proactive outbound message is a row written in the transaction that caused it.

Staff replies, case updates and status alerts call :func:`enqueue` inside their own transaction, so the message
exists if and only if the change that caused it was committed. A worker (:func:`deliver_due`, run by
``helpline worker`` and in-process by ``helpline serve``) then claims due rows, hands each to the
:class:`Sender` of its channel and records the outcome.

Life of a row::

    queued ──claim──► sending ──ok──► sent ──status callback──► delivered | failed (provider said so)
       ▲                 │
       └──retryable──────┤ (backoff; after MAX_ATTEMPTS → failed)
                         ├──permanent──► failed (error_code = the provider's code)
                         └──contact opted out / unreachable──► skipped

Claiming is a conditional UPDATE (``WHERE status = 'queued'``) checked by its row count, so it is safe with
several workers on PostgreSQL and on SQLite. A worker that dies between sending and marking leaves the row in
``sending`` with an expired lease; the next claim takes it again, so a crash can repeat a message at most once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ForeignKey, Index, Integer, String, and_, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from helpline.errors import SendFailed
from helpline.storage.models import Base, Contact, Message

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)
BACKOFF = (timedelta(seconds=10), timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))

# Statuses a row can have; "sent" and later are final for the worker.
STATUSES = ("queued", "sending", "sent", "delivered", "failed", "skipped")


class OutboxMessage(Base):
    """One outbound message waiting for, or done with, delivery."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))  # "staff_reply" | "case_update" | "status_alert" | ...
    lang: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]]  # {"paragraphs": [...], "menu": [[id, label], ...]}
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    provider_id: Mapped[str | None] = mapped_column(String(100), index=True)
    error_code: Mapped[str | None] = mapped_column(String(20))
    error_detail: Mapped[str | None] = mapped_column(String(300))
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]

    def __repr__(self) -> str:  # never the address or the text
        return f"OutboxMessage(id={self.id!r}, channel={self.channel!r}, kind={self.kind!r}, status={self.status!r})"


@dataclass(frozen=True)
class Outgoing:
    """What a sender gets: a rendered reply and where it goes (no database objects)."""

    id: int
    channel: str
    address: str
    lang: str
    kind: str
    paragraphs: tuple[str, ...]
    menu: tuple[tuple[str, str], ...] = ()
    attempt: int = 1


class Sender(Protocol):
    """A channel's outbound transport. ``send`` returns the provider's message id or raises :class:`SendFailed`."""

    channel: str

    def send(self, item: Outgoing) -> str:
        """Deliver one message now."""
        ...


@dataclass
class RecordingSender:
    """A sender that keeps what it was given: for ``helpline chat`` and tests that don't need a provider."""

    channel: str
    sent: list[Outgoing] = field(default_factory=list)

    def send(self, item: Outgoing) -> str:
        """Record the message and return a made-up provider id."""
        self.sent.append(item)
        return f"rec-{item.id}"


def enqueue(session: Session, contact: Contact, paragraphs: list[str], *, kind: str, lang: str, now: datetime,
            menu: list[tuple[str, str]] | None = None, dedupe_key: str | None = None) -> OutboxMessage:
    """Queue a message to ``contact`` in the caller's transaction, and log it in the conversation.

    ``paragraphs`` are already in the contact's language (render keys with ``Core.render`` first). With a
    ``dedupe_key``, a second call with the same key returns the first row instead of queueing again.
    """
    if dedupe_key is not None:
        existing = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)).one_or_none()
        if existing is not None:
            return existing
    from helpline.menus import layout  # the same text form the message log uses for replies

    logged = Message(contact_id=contact.id, direction="out", channel=contact.channel, text=layout(paragraphs, menu or []),
                     lang=lang, status="queued", created_at=now)
    session.add(logged)
    session.flush()
    row = OutboxMessage(contact_id=contact.id, message_id=logged.id, channel=contact.channel, address=contact.address,
                        kind=kind, lang=lang, payload={"paragraphs": list(paragraphs), "menu": [list(m) for m in menu or []]},
                        status="queued", attempts=0, next_attempt_at=now, dedupe_key=dedupe_key, created_at=now,
                        updated_at=now)
    session.add(row)
    session.flush()
    return row


@dataclass
class DeliveryStats:
    """What one :func:`deliver_due` pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed + self.skipped


def _claimable(now: datetime) -> Any:
    return or_(
        and_(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.lease_until < now),
    )


def claim(sessions: sessionmaker[Session], worker: str, now: datetime, limit: int = 50,
          channels: tuple[str, ...] | None = None) -> list[int]:
    """Take up to ``limit`` due rows for ``worker``; each id is claimed by exactly one worker."""
    with sessions.begin() as session:
        query = select(OutboxMessage.id).where(_claimable(now)).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        if channels:
            query = query.where(OutboxMessage.channel.in_(channels))
        candidates = list(session.scalars(query.limit(limit)))
    claimed = []
    for row_id in candidates:
        with sessions.begin() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row_id, _claimable(now))
                .values(status="sending", lease_owner=worker, lease_until=now + LEASE,
                        attempts=OutboxMessage.attempts + 1, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:
                claimed.append(row_id)
    return claimed


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` tries."""
    return BACKOFF[min(attempts, len(BACKOFF)) - 1] if attempts > 0 else timedelta(0)


def deliver_due(sessions: sessionmaker[Session], senders: dict[str, Sender], now: datetime, *, worker: str = "worker",
                limit: int = 50) -> DeliveryStats:
    """Claim due rows and deliver each through its channel's sender; returns what happened."""
    stats = DeliveryStats()
    for row_id in claim(sessions, worker, now, limit, tuple(senders)):
        _deliver_one(sessions, senders, row_id, now, worker, stats)
    return stats


def _deliver_one(sessions: sessionmaker[Session], senders: dict[str, Sender], row_id: int, now: datetime,
                 worker: str, stats: DeliveryStats) -> None:
    with sessions.begin() as session:
        row = session.get(OutboxMessage, row_id)
        if row is None or row.lease_owner != worker or row.status != "sending":
            return
        contact = session.get(Contact, row.contact_id)
        if contact is None or contact.opted_out:
            _finish(session, row, "skipped", now, detail="contact opted out")
            stats.skipped += 1
            return
        item = Outgoing(id=row.id, channel=row.channel, address=row.address, lang=row.lang, kind=row.kind,
                        paragraphs=tuple(row.payload.get("paragraphs", [])),
                        menu=tuple((str(i), str(label)) for i, label in row.payload.get("menu", [])), attempt=row.attempts)
    try:
        provider_id = senders[item.channel].send(item)
    except SendFailed as exc:
        with sessions.begin() as session:
            row = session.get(OutboxMessage, row_id)
            assert row is not None
            row.error_code, row.error_detail = exc.code, exc.reason[:300]
            if exc.retryable and row.attempts < MAX_ATTEMPTS:
                row.status, row.next_attempt_at, row.lease_owner, row.lease_until = "queued", now + backoff(row.attempts), None, None
                row.updated_at = now
                stats.retried += 1
            else:
                _finish(session, row, "failed", now)
                stats.failed += 1
        log.warning("outbox %s: %s (%s, retryable=%s)", row_id, exc.reason, exc.code, exc.retryable)
        return
    with sessions.begin() as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        row.provider_id, row.sent_at = provider_id, now
        _finish(session, row, "sent", now)
        stats.sent += 1


def _finish(session: Session, row: OutboxMessage, status: str, now: datetime, detail: str | None = None) -> None:
    """Put a row in a final state and mirror it on its message-log row."""
    row.status, row.updated_at, row.lease_owner, row.lease_until = status, now, None, None
    if detail:
        row.error_detail = detail
    if row.message_id is not None:
        logged = session.get(Message, row.message_id)
        if logged is not None:
            logged.status = status
            if row.provider_id:
                logged.provider_id = row.provider_id
