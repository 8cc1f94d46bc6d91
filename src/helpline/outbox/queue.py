"""Writing to the outbox: :func:`enqueue` in the transaction that causes a message, :func:`record_status` when
the provider reports on one, :func:`release_held` when a worker writes again."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from helpline.notices import NoticeRef
from helpline.outbox.model import LEASE, STATUS_RANK, OutboxMessage, mark_opted_out, mark_unreachable
from helpline.storage.models import Contact, Message

# The provider statuses that end a row, and the row status each one means.
_FINAL_OUTBOX = {"delivered": "delivered", "read": "delivered", "failed": "failed", "undelivered": "failed",
                 "canceled": "failed"}


def enqueue(session: Session, contact: Contact, paragraphs: list[str], *, kind: str, lang: str, now: datetime,
            menu: list[tuple[str, str]] | None = None, dedupe_key: str | None = None,
            logged: Message | None = None, claim_for: str | None = None, lease: timedelta = LEASE,
            notice: NoticeRef | None = None, notice_only: bool = False, may_wait: bool = True) -> OutboxMessage:
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

    For channels with a window (WhatsApp), ``notice`` is the notice that may stand in for the message when free
    text cannot be sent (:mod:`helpline.notices`); ``notice_only`` says the message is that notice (its text is
    ``paragraphs``); ``may_wait=False`` drops the message instead of holding it for the worker's next message
    (a notice that would be stale by then, such as "a person joined the chat").
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
    payload: dict[str, object] = {"paragraphs": list(paragraphs), "menu": [list(m) for m in menu or []]}
    if notice is not None:
        payload["notice"] = notice.to_payload()
    if notice_only:
        payload["notice_only"] = True
    if not may_wait:
        payload["may_wait"] = False
    row = OutboxMessage(contact_id=contact.id, message_id=logged.id, channel=contact.channel, address=contact.address,
                        kind=kind, lang=lang, payload=payload,
                        status="sending" if leased else "queued", attempts=1 if leased else 0,
                        lease_owner=claim_for if leased else None, lease_until=now + lease if leased else None,
                        next_attempt_at=now, dedupe_key=dedupe_key, created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    return row


def record_status(session: Session, channel: str, provider_id: str, status: str, now: datetime, *,
                  error_code: str | None = None, opt_out_codes: frozenset[str] = frozenset(),
                  unreachable_codes: frozenset[str] = frozenset(),
                  hold_codes: frozenset[str] = frozenset()) -> bool:
    """Apply a provider's delivery status to the message log and the outbox, only ever forward.

    Returns False when no outbound message has that provider id (e.g. a TwiML reply, whose id we never see).
    ``opt_out_codes`` mark the contact opted out, ``unreachable_codes`` unreachable (until they write again);
    a failure with one of ``hold_codes`` (WhatsApp 63016: outside the 24-hour window) holds the row instead of
    failing it, so it goes out when the worker next writes (:func:`release_held`).
    """
    logged = session.scalars(select(Message).where(Message.channel == channel, Message.direction == "out",
                                                   Message.provider_id == provider_id)).one_or_none()
    row = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == channel,
                                                      OutboxMessage.provider_id == provider_id)).first()
    if logged is None and row is None:
        return False
    contact_id = logged.contact_id if logged is not None else row.contact_id  # type: ignore[union-attr]
    if error_code and error_code in hold_codes and row is not None and row.status in ("sent", "sending", "queued"):
        row.status, row.updated_at, row.error_code = "held", now, error_code
        row.lease_owner = row.lease_until = None
        row.error_detail = (f"the provider refused it outside the channel's window (error {error_code}); it goes "
                            "out when the worker writes again")
        if logged is not None:
            logged.status = "held"
        return True
    rank = STATUS_RANK.get(status, -1)
    if logged is not None and rank > STATUS_RANK.get(logged.status or "created", 0):
        logged.status = status
    final = _FINAL_OUTBOX.get(status)
    if row is not None and final and row.status in ("sent", "sending", "queued"):
        row.status, row.updated_at = final, now
        if final == "failed":
            row.error_code = error_code or row.error_code
    if error_code and error_code in opt_out_codes:
        mark_opted_out(session, contact_id, now)
    if error_code and error_code in unreachable_codes:
        mark_unreachable(session, contact_id, now)
    return True


def release_held(session: Session, contact_id: int, now: datetime) -> int:
    """The worker wrote: every message held for them (WhatsApp's window was closed) is queued again, due now, with
    a fresh count of attempts; their log rows show "queued" again. One UPDATE (two when something was held)."""
    released = session.execute(
        update(OutboxMessage).where(OutboxMessage.contact_id == contact_id, OutboxMessage.status == "held")
        .values(status="queued", next_attempt_at=now, attempts=0, updated_at=now, error_code=None,
                error_detail=None, lease_owner=None, lease_until=None)
        .returning(OutboxMessage.message_id)
        .execution_options(synchronize_session=False)).scalars().all()
    logged = [m for m in released if m is not None]
    if logged:
        session.execute(update(Message).where(Message.id.in_(logged)).values(status="queued")
                        .execution_options(synchronize_session=False))
    return len(released)
