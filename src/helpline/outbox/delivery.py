"""Delivering rows: claim them, hand each to its channel's sender, record the outcome.

Two ways in. :func:`deliver_due` is the worker's pass: one claim statement for a batch of due rows, then per
row a lease renewal and read just before the send, and a commit of its outcome, so a slow provider never
makes a row outlive its lease unnoticed. Each row is on its own: whatever one row raises (a sender bug, a
database error while recording) is recorded on that row, with backoff and the attempt cap, and the batch goes
on; a message the provider took is recorded as sent even when recording the rest of its outcome fails, so it
is never sent again; a row whose sends never finish (the worker dies each time) ends ``failed`` after
:data:`MAX_ATTEMPTS` claims. :func:`deliver_now` is a turn's: the replies it just committed go out
at once, and rows the caller already leased at :func:`~helpline.outbox.enqueue` (``claim_for=``, handed over
as :class:`~helpline.outbox.model.Claimed`) are neither claimed nor read again. Both record an outcome the
same way (:func:`_record`): one UPDATE of the outbox row and one of its message-log row.

A channel with a window (WhatsApp) learns from the row how long ago the worker last wrote
(``Outgoing.since_inbound``, from ``contacts.last_seen_at``, which every inbound turn sets) and may answer
:class:`~helpline.errors.SendHeld`: the row is then ``held`` with the reason (or ``skipped``, for a message that
may not wait), and any notice the channel sent in its place is logged in the conversation.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from helpline.errors import SendFailed, SendHeld
from helpline.privacy import mask
from helpline.outbox.model import (BACKOFF, LEASE, MAX_ATTEMPTS, Claimed, OutboxMessage, Sender, mark_opted_out,
                                   mark_unreachable, outgoing)
from helpline.storage.models import Contact, Message

log = logging.getLogger(__name__)

# deliver_now starts a send only with at least this much of the row's lease left; else it renews the lease
# first, as the worker does (a batch held up by a slow provider).
SEND_MARGIN = timedelta(seconds=30)


@dataclass
class DeliveryStats:
    """What one :func:`deliver_due` (or :func:`deliver_now`) pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    held: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed + self.skipped + self.held


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` tries."""
    return BACKOFF[min(attempts, len(BACKOFF)) - 1] if attempts > 0 else timedelta(0)


# -- claiming ----------------------------------------------------------------------------------------------


def _claimable(now: datetime) -> Any:
    return or_(
        and_(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.lease_until < now,
             OutboxMessage.attempts < MAX_ATTEMPTS),
    )


def _give_up(session: Session, now: datetime) -> None:
    """End rows whose lease lapsed after their last allowed attempt (the sending worker died or failed every
    time): ``failed`` with the reason, never claimed again. Whether the last try reached the provider is unknown."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.lease_until < now,
               OutboxMessage.attempts >= MAX_ATTEMPTS)
        .values(status="failed", lease_owner=None, lease_until=None, updated_at=now, error_code="attempts",
                error_detail=f"gave up after {MAX_ATTEMPTS} attempts: no send finished (the worker stopped or "
                             "failed while sending)")
        .execution_options(synchronize_session=False))


def _leased_to(worker: str, now: datetime) -> Any:
    return and_(OutboxMessage.status == "sending", OutboxMessage.lease_owner == worker,
                OutboxMessage.lease_until >= now)


def claim(sessions: sessionmaker[Session], worker: str, now: datetime, limit: int = 50,
          channels: tuple[str, ...] | None = None, lease: timedelta = LEASE) -> list[int]:
    """Take up to ``limit`` due rows for ``worker`` in one statement; each id is claimed by exactly one worker.

    One ``WITH due AS (SELECT … LIMIT n) UPDATE … WHERE id IN (SELECT id FROM due) RETURNING id``: SQLite runs it
    under its single write lock; on PostgreSQL the select is ``FOR UPDATE SKIP LOCKED``, so concurrent workers take
    disjoint batches without waiting for each other, and the outer condition is re-checked on the locked rows. The
    select is a CTE so that it runs once: as a plain ``IN (subquery)`` PostgreSQL may run it again for each row
    it updates, each run skipping the rows the statement itself just locked, and claim every due row whatever
    the limit (``tests/test_outbox_claim.py``).
    """
    due = select(OutboxMessage.id).where(_claimable(now)).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    if channels:
        due = due.where(OutboxMessage.channel.in_(channels))
    with sessions.begin() as session:
        _give_up(session, now)
        if session.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        batch = due.limit(limit).cte("due")
        claimed = session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(select(batch.c.id)), _claimable(now))
            .values(status="sending", lease_owner=worker, lease_until=now + lease,
                    attempts=OutboxMessage.attempts + 1, updated_at=now)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
        return sorted(claimed)


def _claim_ids(sessions: sessionmaker[Session], ids: Sequence[int], worker: str, now: datetime,
               lease: timedelta = LEASE) -> dict[int, tuple[Claimed, bool]]:
    """Lease these rows to ``worker`` (or extend its own lease on them) and read them: one commit for all.

    Returns each row taken, with False when its contact opted out or is unreachable. A row ``worker`` already
    holds keeps its attempt count; any other claimable row counts one more attempt, as in :func:`claim`.
    """
    mine = _leased_to(worker, now)
    with sessions.begin() as session:
        rows = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), or_(_claimable(now), mine))
            .values(status="sending", lease_owner=worker, lease_until=now + lease, updated_at=now,
                    attempts=case((mine, OutboxMessage.attempts), else_=OutboxMessage.attempts + 1))
            .returning(OutboxMessage.id, OutboxMessage.contact_id, OutboxMessage.message_id, OutboxMessage.channel,
                       OutboxMessage.address, OutboxMessage.lang, OutboxMessage.kind, OutboxMessage.payload,
                       OutboxMessage.attempts)
            .execution_options(synchronize_session=False)
        ).all()
        contacts = {c.id: c for c in session.execute(select(
            Contact.id, Contact.opted_out, Contact.unreachable_at, Contact.last_seen_at).where(
            Contact.id.in_({row.contact_id for row in rows})))} if rows else {}
    blocked = {c.id for c in contacts.values() if c.opted_out or c.unreachable_at is not None}
    return {row.id: (Claimed(outgoing(row, _last_seen(contacts.get(row.contact_id)), now), worker, now + lease,
                             row.contact_id, row.message_id),
                     row.contact_id not in blocked)
            for row in rows}


def _last_seen(contact: Any) -> datetime | None:
    return contact.last_seen_at if contact is not None else None


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


# -- the two passes ----------------------------------------------------------------------------------------


def deliver_due(sessions: sessionmaker[Session], senders: dict[str, Sender], now: datetime, *, worker: str = "worker",
                limit: int = 50, clock: Callable[[], datetime] | None = None, lease: timedelta = LEASE) -> DeliveryStats:
    """Claim due rows and deliver each through its channel's sender; returns what happened.

    ``clock`` (the real one in the worker loop) is read before each send, so the lease is renewed for that
    message: a batch held up by a slow provider never sends a row whose lease another worker has taken over.
    """
    stats = DeliveryStats()
    for row_id in claim(sessions, worker, now, limit, tuple(senders), lease):
        at = clock() if clock else now
        try:
            _deliver_one(sessions, senders, row_id, at, worker, stats, lease=lease)
        except Exception as exc:  # noqa: BLE001 - one bad row never holds up the others
            log.error("outbox %s: delivery failed (%s); the row is retried later", row_id, type(exc).__name__)
            _after_error(sessions, row_id, worker, at, exc, stats)
    return stats


def _after_error(sessions: sessionmaker[Session], row_id: int, worker: str, now: datetime, exc: Exception,
                 stats: DeliveryStats) -> None:
    """Put a row that raised back in the queue with backoff, or end it ``failed`` at the attempt cap; only while
    ``worker`` still holds it. Its own transaction; if even that fails, the lease expiry brings it back."""
    try:
        with sessions.begin() as session:
            attempts = session.scalar(select(OutboxMessage.attempts).where(
                OutboxMessage.id == row_id, OutboxMessage.lease_owner == worker, OutboxMessage.status == "sending"))
            if attempts is None:
                return
            last = attempts >= MAX_ATTEMPTS
            session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row_id, OutboxMessage.lease_owner == worker,
                                            OutboxMessage.status == "sending")
                .values(status="failed" if last else "queued", next_attempt_at=now + backoff(attempts),
                        lease_owner=None, lease_until=None, updated_at=now, error_code="error",
                        error_detail=_reason(exc))
                .execution_options(synchronize_session=False))
        stats.failed += last
        stats.retried += not last
    except Exception as again:  # noqa: BLE001 - the database itself is away: the lease expiry retries the row
        log.error("outbox %s: could not record the failure either (%s)", row_id, type(again).__name__)


def _reason(exc: BaseException) -> str:
    """An error as a failure reason for staff: its class and its text, personal numbers masked, cut to fit."""
    text = mask(str(exc).splitlines()[0] if str(exc) else "")
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__


def deliver_now(sessions: sessionmaker[Session], senders: dict[str, Sender], ids: Sequence[int | Claimed],
                now: datetime, *, worker: str) -> DeliveryStats:
    """Deliver these just-committed rows at once (replies to the message being handled); failures stay queued.

    ``ids`` are row ids, or :class:`Claimed` snapshots of rows enqueued with ``claim_for=worker``. A snapshot
    whose lease is ``worker``'s and still running is sent straight away, with no claim and no read; pass each
    one once, and only after its transaction committed. Any other row is leased to ``worker`` and read with one
    UPDATE … RETURNING for the whole batch (plus one SELECT of the contacts' opt-outs, and one commit).

    The outcomes are then written together, in one transaction: per row sent, one UPDATE of the outbox row
    (unless it is already final) and one of its message-log row. Failures are recorded as the worker
    records them: retryable → queued with backoff, else failed; opt-out and unreachable codes mark the
    contact. A send is started only with :data:`SEND_MARGIN` of the lease left; else the lease is renewed
    first, as the worker does, and what was done so far is committed.
    """
    stats = DeliveryStats()
    entries = [(e, _held(e, worker, now)) for e in ids]
    others = [e if isinstance(e, int) else e.id for e, held in entries if not held]
    taken = _claim_ids(sessions, others, worker, now) if others else {}
    started, done = time.monotonic(), []
    for entry, held in entries:
        if held:
            assert isinstance(entry, Claimed)
            row, reachable = entry, True
        elif (found := taken.get(entry if isinstance(entry, int) else entry.id)) is not None:
            row, reachable = found
        else:
            continue  # taken by a worker meanwhile, or already final
        if not reachable:
            done.append(_Outcome(row, "skipped", detail="contact opted out or unreachable"))
            continue
        current = now + timedelta(seconds=time.monotonic() - started)
        if row.lease_until is None or row.lease_until - current < SEND_MARGIN:  # a slow batch: renew first
            _record_all(sessions, worker, done, now, stats)
            done = []
            try:
                _deliver_one(sessions, senders, row.id, current, worker, stats)
            except Exception as exc:  # noqa: BLE001 - this row only; the others go on
                log.error("outbox %s: delivery failed (%s); the row is retried later", row.id, type(exc).__name__)
                _after_error(sessions, row.id, worker, current, exc, stats)
            continue
        done.append(_send(senders[row.item.channel], row))
    _record_all(sessions, worker, done, now, stats)
    return stats


def _held(entry: int | Claimed, worker: str, now: datetime) -> bool:
    """True for a snapshot of a row leased to ``worker`` whose lease runs past ``now``."""
    return (isinstance(entry, Claimed) and entry.owner == worker and entry.lease_until is not None
            and entry.lease_until > now)


def _deliver_one(sessions: sessionmaker[Session], senders: dict[str, Sender], row_id: int, now: datetime,
                 worker: str, stats: DeliveryStats, *, lease: timedelta = LEASE) -> None:
    """The worker's way with one claimed row: renew the lease and read the row, send, record the outcome."""
    with sessions.begin() as session:
        if not _renew(session, row_id, worker, now, lease):
            log.info("outbox %s: lease lost before sending; left to its new owner", row_id)
            return
        found = session.get(OutboxMessage, row_id)
        if found is None:
            return
        contact = session.get(Contact, found.contact_id)
        row = Claimed(outgoing(found, _last_seen(contact), now), worker, now + lease, found.contact_id,
                      found.message_id)
        if contact is None or contact.opted_out or contact.unreachable_at is not None:
            _record(session, worker, _Outcome(row, "skipped", detail="contact opted out or unreachable"), now, stats)
            return
    outcome = _send(senders[row.item.channel], row)
    _record_safely(sessions, worker, outcome, now, stats)


# -- one row: send, and record what happened ---------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    """What became of one leased row: "sent", "retry", "failed", "skipped" or "held"."""

    row: Claimed
    status: str
    provider_id: str | None = None
    error_code: str | None = None
    detail: str | None = None
    opted_out: bool = False
    unreachable: bool = False
    notice_sent: Any = None  # held: the notice the channel sent in the message's place (SentNotice), if any


def _send(sender: Sender, row: Claimed) -> _Outcome:
    """Hand one message to its sender; a :class:`SendFailed` becomes a retry or a failure (no database here)."""
    try:
        return _Outcome(row, "sent", provider_id=sender.send(row.item))
    except SendHeld as exc:  # not now (WhatsApp's window): held for the worker's next message, or dropped
        log.info("outbox %s: %s (%s)", row.id, "held" if row.item.may_wait else "skipped", exc.code)
        return _Outcome(row, "held" if row.item.may_wait else "skipped", error_code=exc.code,
                        detail=exc.reason[:300], notice_sent=exc.notice_sent)
    except SendFailed as exc:
        log.warning("outbox %s: %s (%s, retryable=%s)", row.id, exc.reason, exc.code, exc.retryable)
        return _Outcome(row, "retry" if exc.retryable and row.item.attempt < MAX_ATTEMPTS else "failed",
                        error_code=exc.code, detail=exc.reason[:300],
                        opted_out=exc.code in getattr(sender, "opt_out_codes", ()),  # the worker opted out
                        unreachable=exc.code in getattr(sender, "unreachable_codes", ()))  # e.g. Telegram 403
    except Exception as exc:  # noqa: BLE001 - a sender bug or a payload it cannot take: this row only, retried
        log.error("outbox %s: the %s sender raised %s", row.id, row.item.channel, type(exc).__name__)
        return _Outcome(row, "retry" if row.item.attempt < MAX_ATTEMPTS else "failed", error_code="error",
                        detail=_reason(exc))


def _record_all(sessions: sessionmaker[Session], worker: str, outcomes: list[_Outcome], now: datetime,
                stats: DeliveryStats) -> None:
    """Write several outcomes in one transaction (nothing at all when there are none); if that fails, each one
    on its own, so one outcome that cannot be written never leaves the others' messages to be sent again."""
    if not outcomes:
        return
    counted = DeliveryStats()
    try:
        with sessions.begin() as session:
            for outcome in outcomes:
                _record(session, worker, outcome, now, counted)
    except Exception as exc:  # noqa: BLE001 - e.g. one row's provider answer the database refuses
        log.error("outbox: recording %d outcomes together failed (%s); recording each alone", len(outcomes),
                  type(exc).__name__)
        for outcome in outcomes:
            _record_safely(sessions, worker, outcome, now, stats)
        return
    for key in ("sent", "retried", "failed", "skipped", "held"):
        setattr(stats, key, getattr(stats, key) + getattr(counted, key))


def _record_safely(sessions: sessionmaker[Session], worker: str, outcome: _Outcome, now: datetime,
                   stats: DeliveryStats) -> None:
    """Record one outcome in its own transaction. If that fails, record at least the row's new status (a message
    the provider took is ``sent``, whatever else could not be written), so it is never sent again."""
    try:
        with sessions.begin() as session:
            _record(session, worker, outcome, now, stats)
        return
    except Exception as exc:  # noqa: BLE001 - the full record failed; the status alone must still be written
        log.error("outbox %s: recording %s failed (%s); recording the status alone", outcome.row.id,
                  outcome.status, type(exc).__name__)
        reason = _reason(exc)
    row = outcome.row
    values: dict[str, Any] = {"status": outcome.status, "updated_at": now, "lease_owner": None, "lease_until": None}
    if outcome.status == "sent":
        values.update(sent_at=now, error_detail=f"sent; recording the provider's answer failed: {reason}"[:300])
        guard = OutboxMessage.status.in_(("queued", "sending"))
    else:
        if outcome.status == "retry":
            values.update(status="queued", next_attempt_at=now + backoff(row.item.attempt))
        values["error_detail"] = (outcome.detail or reason)[:300]
        guard = and_(OutboxMessage.lease_owner == worker, OutboxMessage.status == "sending")
    try:
        with sessions.begin() as session:
            session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id, guard).values(**values)
                            .execution_options(synchronize_session=False))
    except Exception as again:  # noqa: BLE001 - the database is away; the lease expiry and the cap take over
        log.error("outbox %s: could not record its status either (%s)", row.id, type(again).__name__)


def _record(session: Session, worker: str, outcome: _Outcome, now: datetime, stats: DeliveryStats) -> None:
    """Write one outcome: the outbox row, its message-log row (final states), the contact's marks.

    A send that went out is recorded unless the row is already final; any other outcome only while ``worker``
    still holds the row. Either is one UPDATE of the outbox row, and one of the message log when it matched.
    """
    row = outcome.row
    values: dict[str, Any] = {"status": outcome.status, "updated_at": now, "lease_owner": None, "lease_until": None}
    if outcome.status == "sent":
        values.update(provider_id=outcome.provider_id and outcome.provider_id[:100], sent_at=now)
    elif outcome.status == "retry":
        values.update(status="queued", next_attempt_at=now + backoff(row.item.attempt))
    if outcome.error_code is not None:
        values["error_code"] = outcome.error_code[:20]
    if outcome.detail is not None:
        values["error_detail"] = outcome.detail[:300]
    if outcome.status == "sent":  # it went out: true whoever leases the row now, and it stops a second send
        guard = OutboxMessage.status.in_(("queued", "sending"))
    else:  # only while the row is ours: another worker may be delivering it
        guard = and_(OutboxMessage.lease_owner == worker, OutboxMessage.status == "sending")
    held = session.execute(
        update(OutboxMessage).where(OutboxMessage.id == row.id, guard).values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if not held:
        log.info("outbox %s: %s not recorded; the row is another worker's now, or final", row.id, outcome.status)
    elif outcome.status != "retry" and row.message_id is not None:  # mirror a final state on the message log
        logged: dict[str, Any] = {"status": outcome.status}
        if outcome.provider_id:
            logged["provider_id"] = outcome.provider_id[:100]
        session.execute(update(Message).where(Message.id == row.message_id).values(**logged)
                        .execution_options(synchronize_session=False))
    if held and outcome.notice_sent is not None:  # what went out in the message's place, in the conversation
        notice = outcome.notice_sent
        session.add(Message(contact_id=row.contact_id, direction="out", channel=row.item.channel,
                            provider_id=str(notice.provider_id)[:100], text=notice.text, lang=notice.lang,
                            status="sent", created_at=now))
    if outcome.opted_out:
        mark_opted_out(session, row.contact_id, now)
    if outcome.unreachable:
        mark_unreachable(session, row.contact_id, now)
    field = {"sent": "sent", "retry": "retried", "failed": "failed", "skipped": "skipped",
             "held": "held"}[outcome.status]
    setattr(stats, field, getattr(stats, field) + 1)
