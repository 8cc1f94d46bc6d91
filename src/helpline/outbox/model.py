"""What the outbox is made of: the ``outbox`` table, the message a sender gets, the sender protocol, statuses.

Also the two marks a provider's answer can leave on a contact (opted out, unreachable), shared by delivery and
status callbacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ForeignKey, Index, Integer, String, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from helpline.notices import NoticeRef
from helpline.storage.models import Base, Contact

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)
BACKOFF = (timedelta(seconds=10), timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))

# Statuses a row can have; "sent" and later are final for the worker. "held": the channel may not send it now
# (WhatsApp's 24-hour window); it is queued again when the worker next writes (:func:`~helpline.outbox.release_held`).
STATUSES = ("queued", "sending", "held", "sent", "delivered", "failed", "skipped")

# Provider delivery statuses in the order they can happen (Twilio's, channels.md); a callback only moves a
# message forward, since callbacks may arrive out of order. Our own log statuses are placed among them.
STATUS_RANK = {
    "created": 0, "queued": 1, "held": 1, "accepted": 1, "scheduled": 1, "sending": 2, "sent": 3,
    "delivered": 4, "undelivered": 4, "failed": 4, "canceled": 4, "partially_delivered": 4, "skipped": 4, "read": 5,
}


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
    # {"paragraphs": [...], "menu": [[id, label], ...]}, and for channels that need them (WhatsApp): "notice" (a
    # NoticeRef that may stand in for the text), "notice_only" (the row is that notice), "may_wait" (False: drop
    # rather than hold a message that would be stale by the worker's next message)
    payload: Mapped[dict[str, Any]]
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
    """What a sender gets: a rendered reply and where it goes (no database objects).

    ``since_inbound`` is how long ago the worker last wrote, at the time of this send (None: unknown), for
    channels with a window (WhatsApp); ``notice`` the notice that may stand in for the text there, and
    ``notice_only`` says the message *is* that notice (:mod:`helpline.notices`).
    """

    id: int
    channel: str
    address: str
    lang: str
    kind: str
    paragraphs: tuple[str, ...]
    menu: tuple[tuple[str, str], ...] = ()
    attempt: int = 1
    since_inbound: timedelta | None = None
    notice: NoticeRef | None = None
    notice_only: bool = False
    may_wait: bool = True


def outgoing(row: Any, last_inbound: datetime | None = None, now: datetime | None = None) -> Outgoing:
    """The :class:`Outgoing` of an outbox row (an :class:`OutboxMessage`, or a result row with its columns); with
    the contact's last inbound message and the time of sending, how long ago the worker wrote."""
    payload = row.payload
    return Outgoing(id=row.id, channel=row.channel, address=row.address, lang=row.lang, kind=row.kind,
                    paragraphs=tuple(payload.get("paragraphs", [])),
                    menu=tuple((str(i), str(label)) for i, label in payload.get("menu", [])),
                    attempt=row.attempts,
                    since_inbound=now - last_inbound if last_inbound is not None and now is not None else None,
                    notice=NoticeRef.from_payload(payload.get("notice")),
                    notice_only=bool(payload.get("notice_only")), may_wait=payload.get("may_wait", True) is not False)


@dataclass(frozen=True)
class Claimed:
    """A row leased to a delivering caller: everything :func:`~helpline.outbox.deliver_now` needs, read from memory.

    Take it with :meth:`of` from the row :func:`~helpline.outbox.enqueue` returned (``claim_for=``), before the
    transaction commits, and hand it to ``deliver_now`` after the commit: the reply is then sent and recorded
    without claiming or reading the row again. A row that is not leased (a dedupe hit, a contact who opted
    out) gives a ``Claimed`` with no owner, which ``deliver_now`` claims like a plain id.
    """

    item: Outgoing
    owner: str | None
    lease_until: datetime | None
    contact_id: int
    message_id: int | None

    @property
    def id(self) -> int:
        return self.item.id

    @classmethod
    def of(cls, row: OutboxMessage) -> Claimed:
        """Snapshot a row (flushed, so it has its id) with its current lease."""
        leased = row.status == "sending" and row.lease_owner is not None
        return cls(outgoing(row), row.lease_owner if leased else None, row.lease_until if leased else None,
                   row.contact_id, row.message_id)


class Sender(Protocol):
    """A channel's outbound transport. ``send`` returns the provider's message id or raises :class:`SendFailed`.

    A sender may also have ``opt_out_codes``: error codes that mean the recipient opted out (Twilio 21610), and
    ``unreachable_codes``: codes that mean messages cannot reach them for now (Telegram 403, bot blocked). It
    raises :class:`~helpline.errors.SendHeld` for a message it may not send now (WhatsApp's window): held.
    """

    channel: str

    def send(self, item: Outgoing) -> str:
        """Deliver one message now."""
        ...


def mark_opted_out(session: Session, contact_id: int, now: datetime) -> None:
    """Record that a contact opted out (the provider refused a message for that reason); one UPDATE."""
    session.execute(update(Contact).where(Contact.id == contact_id, Contact.opted_out.is_(False))
                    .values(opted_out=True, opted_out_at=now))


def mark_unreachable(session: Session, contact_id: int, now: datetime) -> None:
    """Record that messages cannot reach a contact (cleared by the channel when they write again); one UPDATE."""
    session.execute(update(Contact).where(Contact.id == contact_id, Contact.unreachable_at.is_(None))
                    .values(unreachable_at=now))
