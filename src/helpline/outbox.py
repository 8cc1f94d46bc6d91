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

Claiming is one UPDATE of due rows to ``sending`` with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so
several workers never take the same row. Just before each send the worker renews its lease, and gives the row
up if the lease was lost. A worker that dies between sending and marking leaves the row in ``sending``; when
the lease expires the next claim takes it again, so each such crash can repeat that one message once (the
provider has no idempotency key for us to use), and nothing is ever lost. A sender's ``opt_out_codes`` (Twilio
21610) mark the contact opted out; later rows to that contact are skipped. Status callbacks
(:func:`record_status`) only move a message forward.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from collections.abc import Sequence
from typing import Any, Callable, Protocol

from sqlalchemy import ForeignKey, Index, Integer, String, and_, func, or_, select, update
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
    """A channel's outbound transport. ``send`` returns the provider's message id or raises :class:`SendFailed`.

    A sender may also have ``opt_out_codes``: error codes that mean the recipient opted out (Twilio 21610), and
    ``unreachable_codes``: codes that mean messages cannot reach them for now (Telegram 403, bot blocked).
    """

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
            menu: list[tuple[str, str]] | None = None, dedupe_key: str | None = None,
            logged: Message | None = None) -> OutboxMessage:
    """Queue a message to ``contact`` in the caller's transaction, and log it in the conversation.

    ``paragraphs`` are already in the contact's language (render keys with ``Core.render`` first). With a
    ``dedupe_key``, a second call with the same key returns the first row instead of queueing again. ``logged``
    is the message-log row when the caller already wrote one (a turn's reply); else one is written here.
    """
    if dedupe_key is not None:
        existing = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)).one_or_none()
        if existing is not None:
            return existing
    from helpline.menus import layout  # the same text form the message log uses for replies

    if logged is None:
        logged = Message(contact_id=contact.id, direction="out", channel=contact.channel,
                         text=layout(paragraphs, menu or []), lang=lang, created_at=now)
        session.add(logged)
    logged.status = "queued"
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
          channels: tuple[str, ...] | None = None, lease: timedelta = LEASE) -> list[int]:
    """Take up to ``limit`` due rows for ``worker`` in one statement; each id is claimed by exactly one worker.

    One ``UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING id``: SQLite runs it under its single write lock;
    on PostgreSQL the inner select is ``FOR UPDATE SKIP LOCKED``, so concurrent workers take disjoint batches
    without waiting for each other, and the outer condition is re-checked on the locked rows.
    """
    due = select(OutboxMessage.id).where(_claimable(now)).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    if channels:
        due = due.where(OutboxMessage.channel.in_(channels))
    with sessions.begin() as session:
        if session.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        claimed = session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(due.limit(limit)), _claimable(now))
            .values(status="sending", lease_owner=worker, lease_until=now + lease,
                    attempts=OutboxMessage.attempts + 1, updated_at=now)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
        return sorted(claimed)


def _claim_one(sessions: sessionmaker[Session], row_id: int, worker: str, now: datetime) -> bool:
    """Lease one row to ``worker`` if it is still claimable (a conditional UPDATE checked by its row count)."""
    with sessions.begin() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, _claimable(now))
            .values(status="sending", lease_owner=worker, lease_until=now + LEASE,
                    attempts=OutboxMessage.attempts + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def deliver_now(sessions: sessionmaker[Session], senders: dict[str, Sender], ids: list[int], now: datetime, *,
                worker: str) -> DeliveryStats:
    """Deliver these just-committed rows at once (replies to the message being handled); failures stay queued."""
    stats = DeliveryStats()
    for row_id in ids:
        if _claim_one(sessions, row_id, worker, now):
            _deliver_one(sessions, senders, row_id, now, worker, stats)
    return stats


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` tries."""
    return BACKOFF[min(attempts, len(BACKOFF)) - 1] if attempts > 0 else timedelta(0)


def deliver_due(sessions: sessionmaker[Session], senders: dict[str, Sender], now: datetime, *, worker: str = "worker",
                limit: int = 50, clock: Callable[[], datetime] | None = None, lease: timedelta = LEASE) -> DeliveryStats:
    """Claim due rows and deliver each through its channel's sender; returns what happened.

    ``clock`` (the real one in the worker loop) is read before each send, so the lease is renewed for that
    message: a batch held up by a slow provider never sends a row whose lease another worker has taken over.
    """
    stats = DeliveryStats()
    for row_id in claim(sessions, worker, now, limit, tuple(senders), lease):
        _deliver_one(sessions, senders, row_id, clock() if clock else now, worker, stats, lease=lease)
    return stats


def _renew(session: Session, row_id: int, worker: str, now: datetime, lease: timedelta = LEASE) -> bool:
    """Extend ``worker``'s unexpired lease on a row just before sending; False if the lease was lost."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.lease_owner == worker, OutboxMessage.status == "sending",
               OutboxMessage.lease_until >= now)
        .values(lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _deliver_one(sessions: sessionmaker[Session], senders: dict[str, Sender], row_id: int, now: datetime,
                 worker: str, stats: DeliveryStats, *, lease: timedelta = LEASE) -> None:
    with sessions.begin() as session:
        if not _renew(session, row_id, worker, now, lease):
            log.info("outbox %s: lease lost before sending; left to its new owner", row_id)
            return
        row = session.get(OutboxMessage, row_id)
        if row is None:
            return
        contact = session.get(Contact, row.contact_id)
        if contact is None or contact.opted_out or contact.unreachable_at is not None:
            _finish(session, row, "skipped", now, detail="contact opted out or unreachable")
            stats.skipped += 1
            return
        item = Outgoing(id=row.id, channel=row.channel, address=row.address, lang=row.lang, kind=row.kind,
                        paragraphs=tuple(row.payload.get("paragraphs", [])),
                        menu=tuple((str(i), str(label)) for i, label in row.payload.get("menu", [])), attempt=row.attempts)
    sender = senders[item.channel]
    try:
        provider_id = sender.send(item)
    except SendFailed as exc:
        with sessions.begin() as session:
            row = session.get(OutboxMessage, row_id)
            assert row is not None
            row.error_code, row.error_detail = exc.code, exc.reason[:300]
            if exc.code in getattr(sender, "opt_out_codes", ()):  # the provider says the worker opted out
                _opt_out(session, row.contact_id, now)
            if exc.code in getattr(sender, "unreachable_codes", ()):  # e.g. Telegram 403: the worker blocked the bot
                _unreachable(session, row.contact_id, now)
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


def _opt_out(session: Session, contact_id: int, now: datetime) -> None:
    """Record that a contact opted out (the provider refused a message for that reason)."""
    contact = session.get(Contact, contact_id)
    if contact is not None and not contact.opted_out:
        contact.opted_out, contact.opted_out_at = True, now


def _unreachable(session: Session, contact_id: int, now: datetime) -> None:
    """Record that messages cannot reach a contact (cleared by the channel when they write again)."""
    contact = session.get(Contact, contact_id)
    if contact is not None and contact.unreachable_at is None:
        contact.unreachable_at = now


# Provider delivery statuses in the order they can happen (Twilio's, channels.md); a callback only moves a
# message forward, since callbacks may arrive out of order. Our own log statuses are placed among them.
STATUS_RANK = {
    "created": 0, "queued": 1, "accepted": 1, "scheduled": 1, "sending": 2, "sent": 3,
    "delivered": 4, "undelivered": 4, "failed": 4, "canceled": 4, "partially_delivered": 4, "skipped": 4, "read": 5,
}
_FINAL_OUTBOX = {"delivered": "delivered", "read": "delivered", "failed": "failed", "undelivered": "failed",
                 "canceled": "failed"}


def record_status(session: Session, channel: str, provider_id: str, status: str, now: datetime, *,
                  error_code: str | None = None, opt_out_codes: frozenset[str] = frozenset()) -> bool:
    """Apply a provider's delivery status to the message log and the outbox, only ever forward.

    Returns False when no outbound message has that provider id (e.g. a TwiML reply, whose id we never see).
    """
    logged = session.scalars(select(Message).where(Message.channel == channel, Message.direction == "out",
                                                   Message.provider_id == provider_id)).one_or_none()
    row = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == channel,
                                                      OutboxMessage.provider_id == provider_id)).first()
    if logged is None and row is None:
        return False
    rank = STATUS_RANK.get(status, -1)
    if logged is not None and rank > STATUS_RANK.get(logged.status or "created", 0):
        logged.status = status
    final = _FINAL_OUTBOX.get(status)
    if row is not None and final and row.status in ("sent", "sending", "queued"):
        row.status, row.updated_at = final, now
        if final == "failed":
            row.error_code = error_code or row.error_code
    if error_code and error_code in opt_out_codes:
        _opt_out(session, logged.contact_id if logged is not None else row.contact_id, now)  # type: ignore[union-attr]
    return True


def worker_name() -> str:
    """A lease owner name unique to this process and thread."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{threading.get_ident() % 100000}:{secrets.token_hex(3)}"


def pending(sessions: sessionmaker[Session]) -> int:
    """How many rows are queued or being sent (0 = the outbox is drained)."""
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.status.in_(("queued", "sending")))) or 0


def run_worker(sessions: sessionmaker[Session], senders: dict[str, Sender], stop: threading.Event, *,
               interval: float = 1.0, batch: int = 20, clock: Callable[[], datetime] | None = None,
               drain: bool = False, lease: timedelta = LEASE,
               chores: Sequence[Callable[[datetime], None]] = (), chore_every: timedelta = timedelta(seconds=30),
               ) -> DeliveryStats:
    """Deliver due messages until ``stop`` is set (or, with ``drain``, until nothing is queued or sending).

    ``chores`` run every ``chore_every`` before a pass (e.g. handing lapsed handoffs back to the bot, which
    queues a message to the worker). A failing pass or chore (database briefly away) is logged and retried; it
    never ends the loop.
    """
    from helpline.service import utcnow

    clock = clock or utcnow
    name, total = worker_name(), DeliveryStats()
    next_chores = clock()
    while not stop.is_set():
        if chores and clock() >= next_chores:
            next_chores = clock() + chore_every
            for chore in chores:
                try:
                    chore(clock())
                except Exception:  # noqa: BLE001 - a chore that fails now is tried again next time
                    log.exception("outbox chore %s failed", getattr(chore, "__name__", chore))
        try:
            stats = deliver_due(sessions, senders, clock(), worker=name, limit=batch, clock=clock, lease=lease)
            for key in ("sent", "retried", "failed", "skipped"):
                setattr(total, key, getattr(total, key) + getattr(stats, key))
            if drain and not stats.total and not pending(sessions):
                break
        except Exception:  # noqa: BLE001 - the worker outlives a bad pass; the row leases make it safe
            log.exception("outbox pass failed")
            stats = DeliveryStats()
        if not stats.total:
            stop.wait(interval)
    return total
