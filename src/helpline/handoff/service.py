"""Handoff mechanics outside the web layer: the writers of the flow's events, and the staff actions take / reply
/ release / expire. Whether a person holds the conversation is read when a turn opens (:mod:`helpline.pipeline`).

A contact has at most one active :class:`~helpline.console.models.Handoff` (``waiting`` or ``held``). Every step
is told to the worker in their language and channel: the queue reply in the turn itself, the rest via the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, sessionmaker

from helpline import outbox
from helpline.handoff.models import HANDOFF_ACTIVE, Handoff
from helpline.engine.events import DangerReported, HandoffLapsed, HandoffMessage, HandoffRequested
from helpline.messages import Text
from helpline.pipeline import Core, TurnScope, contact_language
from helpline.storage.models import Contact


def active_handoff(session: Session, contact_id: int) -> Handoff | None:
    """The contact's waiting or held handoff, if any."""
    query = (select(Handoff).where(Handoff.contact_id == contact_id, Handoff.status.in_(HANDOFF_ACTIVE))
             .order_by(Handoff.id.desc()).limit(1))
    return session.scalars(query).first()


def on_requested(scope: TurnScope, event: HandoffRequested) -> None:
    if active_handoff(scope.session, scope.contact.id) is None:
        scope.session.add(Handoff(contact_id=scope.contact.id, status="waiting", lang=event.lang,
                                  reason=event.text or None, requested_at=scope.now,
                                  last_worker_message_id=scope.inbound_id, last_worker_message_at=scope.now))
        scope.session.flush()


def on_danger(scope: TurnScope, event: DangerReported) -> None:
    """Danger heard: the contact's active handoff (created, waiting, if there is none) becomes urgent, with the
    reason in words, and this message shows as unread: the top of the staff's list."""
    session = scope.session
    row = active_handoff(session, scope.contact.id)
    if row is None:
        row = Handoff(contact_id=scope.contact.id, status="waiting", lang=event.lang, reason=event.text or None,
                      requested_at=scope.now)
        session.add(row)
    if not row.urgent:
        row.urgent_at = scope.now
    row.urgent, row.urgent_reason = True, event.reason[:200]
    row.last_worker_message_id, row.last_worker_message_at = scope.inbound_id, scope.now
    session.flush()


_UNREAD = (update(Handoff.__table__).where(Handoff.__table__.c.id == bindparam("p_id"),
                                          Handoff.__table__.c.status.in_(HANDOFF_ACTIVE))
           .values(last_worker_message_id=bindparam("p_message_id"), last_worker_message_at=bindparam("p_now")))


def on_message(scope: TurnScope, event: HandoffMessage) -> None:
    """The worker wrote while waiting or held: unread for staff (one UPDATE of the handoff the turn loaded)."""
    if scope.facts.handoff_id is not None:
        scope.session.connection().execute(_UNREAD, {"p_id": scope.facts.handoff_id,
                                                     "p_message_id": scope.inbound_id, "p_now": scope.now})


def mark_seen(session: Session, row: Handoff, now: datetime) -> None:
    """A staff member opened the conversation: what the worker wrote until now is read."""
    row.seen_at = now


def on_lapsed(scope: TurnScope, event: HandoffLapsed) -> None:
    row = active_handoff(scope.session, scope.contact.id)
    if row is not None and row.status == "held":
        _end(row, "expired", scope.now, "timeout")


def _end(row: Handoff, status: str, now: datetime, by: str) -> None:
    row.status, row.ended_at, row.ended_by = status, now, by


def worker_lang(session: Session, contact: Contact, core: Core) -> str:
    """The language to write to the contact in (:func:`helpline.pipeline.contact_language`)."""
    return contact_language(session, contact.id, core.default_lang)


def notify(session: Session, contact: Contact, core: Core, key: str, now: datetime, *, dedupe_key: str | None = None,
           kind: str = "handoff") -> None:
    """Queue one catalog message to the contact in their language and channel. It says what is happening now
    ("a person joined", "the bot is back"): where the channel cannot send it now (WhatsApp, 24 hours after the
    worker last wrote), it is dropped rather than held for their next message, when it would be stale."""
    lang = worker_lang(session, contact, core)
    outbox.enqueue(session, contact, [core.i18n.render(Text(key), lang)], kind=kind, lang=lang, now=now,
                   dedupe_key=dedupe_key, may_wait=False)


def take(session: Session, contact: Contact, username: str, *, now: datetime, core: Core,
         timeout: timedelta) -> Handoff:
    """A staff member holds the conversation: the bot goes quiet until release or ``timeout`` without action."""
    row = active_handoff(session, contact.id)
    if row is None:
        row = Handoff(contact_id=contact.id, status="waiting", lang=worker_lang(session, contact, core),
                      requested_at=now)
        session.add(row)
        session.flush()
    first = row.status != "held"
    row.status, row.held_by, row.until = "held", username, now + timeout
    if first:
        row.held_at = now
        notify(session, contact, core, "handoff.joined", now, dedupe_key=f"handoff:{row.id}:joined")
    return row


def staff_reply(session: Session, contact: Contact, text: str, username: str, *, now: datetime, core: Core,
                timeout: timedelta) -> outbox.OutboxMessage:
    """Send a staff member's own words to the worker (as written) and keep the hold alive."""
    row = active_handoff(session, contact.id)
    if row is not None and row.status == "held":
        row.until = now + timeout
        row.held_by = username
    return outbox.enqueue(session, contact, [text], kind="staff_reply", lang=worker_lang(session, contact, core),
                          now=now)


def release(session: Session, contact: Contact, username: str, *, now: datetime, core: Core) -> Handoff | None:
    """Hand the conversation back to the bot (or dismiss a waiting request) and tell the worker."""
    row = active_handoff(session, contact.id)
    if row is None:
        return None
    _end(row, "released", now, username)
    notify(session, contact, core, "handoff.released", now, dedupe_key=f"handoff:{row.id}:released")
    return row


def expiry_chore(sessions: sessionmaker[Session], core: Core) -> Callable[[datetime], None]:
    """A chore for the outbox worker loop: hand lapsed holds back to the bot and tell each worker."""

    def expire_lapsed_holds(now: datetime) -> None:
        with sessions.begin() as session:
            expire_due(session, core, now)

    return expire_lapsed_holds


def expire_due(session: Session, core: Core, now: datetime) -> int:
    """Give back every hold whose time ran out, telling each worker; returns how many. An urgent conversation is
    not dropped: it goes back to the top of the queue, waiting for the next person (the worker is not told the
    bot is back, because it is not)."""
    rows = session.scalars(select(Handoff).where(Handoff.status == "held", Handoff.until <= now)).all()
    for row in rows:
        if row.urgent:
            row.status, row.held_by, row.until = "waiting", None, None
            continue
        _end(row, "expired", now, "timeout")
        contact = session.get(Contact, row.contact_id)
        if contact is not None:
            notify(session, contact, core, "handoff.timeout", now, dedupe_key=f"handoff:{row.id}:timeout")
    return len(rows)
