"""The delivery loop behind ``helpline worker`` and ``helpline serve``: passes of :func:`deliver_due`, chores."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from helpline.outbox.delivery import DeliveryStats, deliver_due
from helpline.outbox.model import LEASE, OutboxMessage, Sender

log = logging.getLogger(__name__)


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
    from helpline.pipeline import utcnow

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
            for key in ("sent", "retried", "failed", "skipped", "held"):
                setattr(total, key, getattr(total, key) + getattr(stats, key))
            if drain and not stats.total and not pending(sessions):
                break
        except Exception:  # noqa: BLE001 - the worker outlives a bad pass; the row leases make it safe
            log.exception("outbox pass failed")
            stats = DeliveryStats()
        if not stats.total:
            stop.wait(interval)
    return total
