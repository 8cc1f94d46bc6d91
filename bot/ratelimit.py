"""Outbound pacing for the Bot API: about 30 messages a second overall and 1 a second per chat.

Telegram's limits (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this): avoid
more than one message per second in a chat (short bursts pass) and more than about 30 per second in total;
above that it answers 429 with ``retry_after``. Each limit is a GCRA bucket (a "theoretical arrival time" per
key). :meth:`RateLimiter.reserve` books the earliest slot both buckets allow and says how long to wait, or
refuses when that is longer than the caller will wait, so a webhook thread never blocks for long: the
message then goes back to the outbox. The limits are per process; several gunicorn workers each get their
own, and a 429 from Telegram is still handled by the sender.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

OVERALL_PER_SECOND = 30.0
PER_CHAT_PER_SECOND = 1.0
OVERALL_BURST = 30
PER_CHAT_BURST = 3  # a reply split in two or three messages goes out at once
MAX_TRACKED_CHATS = 10_000


class RateLimiter:
    """Two GCRA buckets: one overall, one per chat; thread-safe."""

    def __init__(self, overall: float = OVERALL_PER_SECOND, per_chat: float = PER_CHAT_PER_SECOND, *,
                 overall_burst: int = OVERALL_BURST, per_chat_burst: int = PER_CHAT_BURST,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self._overall = (1.0 / overall, (overall_burst - 1) / overall)
        self._chat = (1.0 / per_chat, (per_chat_burst - 1) / per_chat)
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._tat_overall = 0.0
        self._tat_chat: dict[Hashable, float] = {}

    def reserve(self, chat: Hashable, max_wait: float) -> float | None:
        """Book a send for ``chat``: the seconds to wait first, or None if that would exceed ``max_wait``."""
        with self._lock:
            now = self._clock()
            tat_chat = self._tat_chat.get(chat, now)
            start = max(now, self._tat_overall - self._overall[1], tat_chat - self._chat[1])
            wait = start - now
            if wait > max_wait:
                return None
            # The overall bucket is charged now, not at the booked slot: a chat waiting its turn must not hold up
            # every other chat behind it.
            self._tat_overall = max(self._tat_overall, now) + self._overall[0]
            self._tat_chat[chat] = max(tat_chat, start) + self._chat[0]
            if len(self._tat_chat) > MAX_TRACKED_CHATS:
                self._tat_chat = {k: v for k, v in self._tat_chat.items() if v > now}
            return wait

    def acquire(self, chat: Hashable, max_wait: float) -> bool:
        """Wait for a slot for ``chat`` (at most ``max_wait`` seconds); False, without waiting, if none."""
        wait = self.reserve(chat, max_wait)
        if wait is None:
            return False
        if wait > 0:
            self._sleep(wait)
        return True


class Unlimited:
    """No pacing (tests and benchmarks against a local fake)."""

    def acquire(self, chat: Hashable, max_wait: float) -> bool:
        """Always a slot, at once."""
        return True
