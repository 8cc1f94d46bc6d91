"""Writing to the outbox: :func:`enqueue` in the transaction that causes a message, :func:`record_status` when
the provider reports on one."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.outbox.model import LEASE, STATUS_RANK, OutboxMessage, mark_opted_out
from helpline.storage.models import Contact, Message

# The provider statuses that end a row, and the row status each one means.
_FINAL_OUTBOX = {"delivered": "delivered", "read": "delivered", "failed": "failed", "undelivered": "failed",
                 "canceled": "failed"}


def enqueue(session: Session, contact: Contact, paragraphs: list[str], *, kind: str, lang: str, now: datetime,
            menu: list[tuple[str, str]] | None = None, dedupe_key: str | None = None,
            logged: Message | None = None, claim_for: str | None = None, lease: timedelta = LEASE) -> OutboxMessage:
    """Queue a message to ``contact`` in the caller's transaction, and log it in the conversation.

    ``paragraphs`` are already in the contact's language (render keys with ``Core.render`` first). With a
    ``dedupe_key``, a second call with the same key returns the first row instead of queueing again. ``logged``
    is the message-log row when the caller already wrote one (a turn's reply); else one is written here.

    With ``claim_for`` (a :func:`~helpline.outbox.worker_name`), the row is written already leased to that
    worker, as a claim would leave it (``sending``, lease until ``now + lease``, one attempt counted), so the
    caller can deliver it right after its commit with ``deliver_now(..., [Claimed.of(row)], worker=claim_for)``
    and no claim. Nobody else takes it before the lease ends; if the caller never delivers it, the worker
    does after that. It is meant for answering a contact who just wrote (so is reachable): only
    ``contact.opted_out`` is looked at, and an opted-out contact gets an ordinary queued row (skipped later).
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
    leased = claim_for is not None and not contact.opted_out
    row = OutboxMessage(contact_id=contact.id, message_id=logged.id, channel=contact.channel, address=contact.address,
                        kind=kind, lang=lang, payload={"paragraphs": list(paragraphs), "menu": [list(m) for m in menu or []]},
                        status="sending" if leased else "queued", attempts=1 if leased else 0,
                        lease_owner=claim_for if leased else None, lease_until=now + lease if leased else None,
                        next_attempt_at=now, dedupe_key=dedupe_key, created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    return row


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
        mark_opted_out(session, logged.contact_id if logged is not None else row.contact_id, now)  # type: ignore[union-attr]
    return True
