"""Long polling (``getUpdates``) for development: each update goes through :func:`bot.turn.handle_update`,
exactly as a webhook delivery would, and the outbox's Telegram rows are retried between polls.

Telegram refuses ``getUpdates`` while a webhook is set (409 Conflict); that ends the loop with the fix to run.
An update is confirmed (the next poll's ``offset``) only once it was handled; if handling fails (the database
is away), the loop waits and Telegram hands the same update out again, and the de-duplication on
``update_id`` keeps it from becoming two turns.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.turn import handle_update
from bot.sender import TelegramSender
from helpline import outbox
from helpline.errors import HelplineError
from helpline.pipeline import Core

log = logging.getLogger(__name__)

RETRY_PAUSE = 3.0  # seconds after a failed poll or a failed update


class PollConflict(HelplineError):
    """Telegram will not hand out updates by polling while a webhook is set."""


class PollLoop:
    """Fetch updates, handle each, deliver what is due; until ``stop`` is set (or one batch with ``once``)."""

    def __init__(self, sender: TelegramSender, sessions: sessionmaker[Session], core: Core, *, timeout: int = 25,
                 allowed: Sequence[str] = ("message", "callback_query", "my_chat_member")):
        self.sender, self.sessions, self.core = sender, sessions, core
        self.timeout, self.allowed = timeout, list(allowed)
        self.offset: int | None = None

    def run(self, stop: threading.Event, *, once: bool = False, echo: Callable[[str], None] = print) -> int:
        """Poll until stopped; returns how many updates were handled."""
        from telegram.error import Conflict, TelegramError

        handled = 0
        echo("polling Telegram for updates (Ctrl-C to stop)")
        while not stop.is_set():
            try:
                updates = self._fetch(self.timeout)
            except Conflict:
                raise PollConflict("a webhook is set, so Telegram refuses polling: run "
                                   "`helpline telegram delete-webhook` first") from None
            except TelegramError as exc:
                echo(f"poll failed ({type(exc).__name__}); retrying")
                stop.wait(RETRY_PAUSE)
                continue
            handled += self._handle(updates, stop, echo)
            outbox.deliver_due(self.sessions, {self.sender.channel: self.sender}, self.core.clock(),
                               worker=outbox.worker_name())
            if once:
                if self.offset is not None:
                    self._fetch(0, limit=1)  # confirms what was handled; anything newer is handed out again later
                break
        return handled

    def _fetch(self, timeout: int, limit: int = 100) -> tuple[Any, ...]:
        async def get(bot: Any) -> Any:
            return await bot.get_updates(offset=self.offset, timeout=timeout, limit=limit,
                                         allowed_updates=self.allowed)

        return self.sender.client.call(get, timeout=timeout + 15)

    def _handle(self, updates: Sequence[Any], stop: threading.Event, echo: Callable[[str], None]) -> int:
        done = 0
        for update in updates:
            try:
                outcome = handle_update(update, sessions=self.sessions, core=self.core, sender=self.sender)
            except Exception:  # noqa: BLE001 - keep polling; the update is handed out again
                log.exception("telegram update %s failed; it will be retried", update.update_id)
                stop.wait(RETRY_PAUSE)
                break
            self.offset = update.update_id + 1
            done += 1
            echo(f"update {update.update_id}: {outcome.status}{' (' + outcome.reason + ')' if outcome.reason else ''}")
        return done
