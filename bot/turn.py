"""One Telegram update, end to end: parse, run the turn, queue the replies durably, deliver them now.

:func:`telegram_turn` is the one function that runs a Telegram turn; the webhook (:mod:`bot.webhook`), long
polling (``helpline telegram poll``) and ``helpline chat --channel telegram`` all call it through
:func:`handle_update`. The replies are queued in the outbox inside the turn's own transaction, from the turn's
own result and already claimed by this process, so a reply exists if and only if the turn was committed;
right after the commit they are delivered through the bot's long-lived loop. A send that fails
stays in the outbox and the worker (``helpline worker`` / ``helpline serve``) retries it: never lost, and
never a second turn, because a redelivered ``update_id`` is a duplicate inbound message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from bot.parse import Ignored, MembershipChange, Turn, parse
from helpline import outbox, pipeline
from helpline.outbox import Sender
from helpline.pipeline import Core
from helpline.storage.models import Contact

if TYPE_CHECKING:
    from telegram import Update

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Outcome:
    """What handling one update did (for logs, tests and the poll loop)."""

    status: str  # "replied" | "duplicate" | "ignored" | "membership"
    reason: str = ""
    queued: int = 0
    sent: int = 0


def handle_update(update: Update, *, sessions: sessionmaker[Session], core: Core, sender: Sender) -> Outcome:
    """Handle one decoded update; any exception is a server error (the provider will redeliver)."""
    parsed = parse(update)
    if isinstance(parsed, Ignored):
        log.info("telegram update %s ignored: %s", update.update_id, parsed.reason)
        if parsed.callback_query_id:
            sender.answer_callback(parsed.callback_query_id)  # type: ignore[attr-defined]
        return Outcome("ignored", parsed.reason)
    if isinstance(parsed, MembershipChange):
        with sessions.begin() as session:
            set_unreachable(session, parsed.address, core.clock() if parsed.blocked else None)
        log.info("telegram update %s: the worker %s the bot", update.update_id,
                 "blocked" if parsed.blocked else "unblocked")
        return Outcome("membership", "blocked" if parsed.blocked else "unblocked")
    return telegram_turn(parsed, sessions=sessions, core=core, sender=sender)


def telegram_turn(parsed: Turn, *, sessions: sessionmaker[Session], core: Core, sender: Sender) -> Outcome:
    """Run one worker's message as a turn, then deliver its replies (queued in the same transaction) at once."""
    worker = outbox.worker_name()

    def turn(session: Session) -> list[outbox.Claimed] | None:
        scope = pipeline.open_turn(session, parsed.message, core)
        if scope.duplicate:
            return None
        replies = pipeline.step(scope)
        return pipeline.close_turn(scope, replies, queue_for=worker)

    queued = pipeline.transact(sessions, turn)
    if parsed.callback_query_id:
        sender.answer_callback(parsed.callback_query_id)  # type: ignore[attr-defined]  # or the client spins
    if queued is None:
        log.info("telegram update %s is a redelivery; not answered again", parsed.message.provider_id)
        return Outcome("duplicate")
    stats = outbox.deliver_now(sessions, {sender.channel: sender}, queued, core.clock(), worker=worker)
    return Outcome("replied", queued=len(queued), sent=stats.sent)


def set_unreachable(session: Session, address: str, when: datetime | None) -> None:
    """Mark the contact at ``address`` unreachable since ``when`` (None: reachable again)."""
    session.execute(update(Contact).where(Contact.address == address).values(unreachable_at=when)
                    .execution_options(synchronize_session=False))
