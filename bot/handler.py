"""One Telegram update, end to end: parse, run the turn, queue the replies durably, deliver them now.

Shared by the webhook (:mod:`webhooks.telegram`) and long polling (``helpline telegram poll``). The replies are
queued in the outbox inside the turn's own transaction, so a reply exists if and only if the turn was
committed; right after the commit they are delivered through the bot's long-lived loop. A send that fails
stays in the outbox and the worker (``helpline worker`` / ``helpline serve``) retries it: never lost, and
never a second turn, because a redelivered ``update_id`` is a duplicate inbound message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.parse import Ignored, MembershipChange, Turn, parse
from bot.sender import TelegramSender
from helpline import outbox
from helpline.service import Core, TurnResult, run_turn
from helpline.storage.models import Contact, Message

if TYPE_CHECKING:
    from telegram import Update

log = logging.getLogger(__name__)

REPLY_KIND = "reply"


@dataclass(frozen=True)
class Outcome:
    """What handling one update did (for logs, tests and the poll loop)."""

    status: str  # "replied" | "duplicate" | "ignored" | "membership"
    reason: str = ""
    queued: int = 0
    sent: int = 0


def handle_update(update: Update, *, sessions: sessionmaker[Session], core: Core, sender: TelegramSender) -> Outcome:
    """Handle one decoded update; any exception is a server error (the provider will redeliver)."""
    parsed = parse(update)
    if isinstance(parsed, Ignored):
        log.info("telegram update %s ignored: %s", update.update_id, parsed.reason)
        if parsed.callback_query_id:
            sender.answer_callback(parsed.callback_query_id)
        return Outcome("ignored", parsed.reason)
    if isinstance(parsed, MembershipChange):
        with sessions.begin() as session:
            set_unreachable(session, parsed.address, core.clock() if parsed.blocked else None)
        log.info("telegram update %s: the worker %s the bot", update.update_id,
                 "blocked" if parsed.blocked else "unblocked")
        return Outcome("membership", "blocked" if parsed.blocked else "unblocked")
    return _turn(parsed, sessions=sessions, core=core, sender=sender)


def _turn(parsed: Turn, *, sessions: sessionmaker[Session], core: Core, sender: TelegramSender) -> Outcome:
    ids: list[int] = []

    def queue_replies(session: Session, result: TurnResult) -> None:
        ids.clear()  # a retried turn (lost a race) starts over
        if result.duplicate or result.contact_id is None:
            return
        contact = session.get(Contact, result.contact_id)
        assert contact is not None
        contact.unreachable_at = None  # they wrote to us: the bot is not blocked (any more)
        ids.extend(queue(session, contact, result, core))

    result = run_turn(sessions, parsed.message, core, then=queue_replies)
    if parsed.callback_query_id:
        sender.answer_callback(parsed.callback_query_id)  # always, or the worker's client keeps spinning
    if result.duplicate:
        log.info("telegram update %s is a redelivery; not answered again", parsed.message.provider_id)
        return Outcome("duplicate")
    stats = outbox.deliver_now(sessions, {sender.channel: sender}, ids, core.clock(), worker=outbox.worker_name())
    return Outcome("replied", queued=len(ids), sent=stats.sent)


def queue(session: Session, contact: Contact, result: TurnResult, core: Core) -> list[int]:
    """Put a turn's replies in the outbox, each linked to the message-log row the turn wrote for it."""
    logged: list[Message | None] = list(session.scalars(
        select(Message).where(Message.contact_id == contact.id, Message.reply_to_id == result.inbound_id,
                              Message.direction == "out").order_by(Message.id)  # the contact's index narrows it
    ))
    if len(logged) != len(result.replies):  # a concern logged something else: keep the log, add our own rows
        logged = [None] * len(result.replies)
    now = core.clock()
    return [outbox.enqueue(session, contact, reply.paragraphs, kind=REPLY_KIND, lang=reply.lang, now=now,
                           menu=reply.menu, logged=row).id
            for reply, row in zip(result.replies, logged)]


def set_unreachable(session: Session, address: str, when: datetime | None) -> None:
    """Mark the contact at ``address`` unreachable since ``when`` (None: reachable again)."""
    session.execute(update(Contact).where(Contact.address == address).values(unreachable_at=when)
                    .execution_options(synchronize_session=False))
