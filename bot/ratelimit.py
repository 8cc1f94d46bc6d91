"""Outbound pacing for the Bot API: about 30 messages a second overall and 1 a second per chat.

Telegram's limits (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this): avoid
more than one message per second in a chat (short bursts pass) and more than about 30 per second in total;
above that it answers 429 with ``retry_after``. Each limit is a GCRA bucket (a "theoretical arrival time" per
key). :meth:`RateLimiter.reserve` books the earliest slot both buckets allow and says how long to wait, or
refuses when that is longer than the caller will wait, so a webhook thread never blocks for long: the
message then goes back to the outbox. :class:`RateLimiter` is per process; with ``HELPLINE_REDIS_URL`` set,
:class:`SharedRateLimiter` keeps the same two limits in Redis (the ``limits`` library's moving window), so every
gunicorn worker, ``helpline serve`` instance and ``helpline worker`` together stay under them
(:func:`from_settings` picks one). A 429 from Telegram is still handled by the sender.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

log = logging.getLogger(__name__)

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


class SharedRateLimiter:
    """The same two limits, counted in Redis so that every process sharing it shares them; thread-safe.

    Each limit is a moving window of the ``limits`` library on its Redis storage (one sorted list per key, updated
    by a Lua script, so concurrent processes never over-book): ``overall_burst`` sends per ``overall_burst /
    overall`` seconds in total and ``per_chat_burst`` per ``per_chat_burst / per_chat`` seconds per chat, i.e. the
    same bursts and long-run rates as :class:`RateLimiter`. When Redis cannot be reached, pacing falls back to
    an in-process :class:`RateLimiter` (logged once per outage) rather than holding every message back.
    """

    def __init__(self, redis_url: str, overall: float = OVERALL_PER_SECOND, per_chat: float = PER_CHAT_PER_SECOND, *,
                 overall_burst: int = OVERALL_BURST, per_chat_burst: int = PER_CHAT_BURST,
                 namespace: str = "helpline:telegram", clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep, storage: Any = None):
        from limits import RateLimitItemPerSecond
        from limits.storage import storage_from_string
        from limits.strategies import MovingWindowRateLimiter

        self.storage = storage if storage is not None else storage_from_string(
            redis_url, wrap_exceptions=True, socket_timeout=1.0, socket_connect_timeout=1.0)
        self._limiter = MovingWindowRateLimiter(self.storage)
        self._overall = RateLimitItemPerSecond(overall_burst, max(1, round(overall_burst / overall)),
                                               namespace=namespace + ":all")
        self._chat = RateLimitItemPerSecond(per_chat_burst, max(1, round(per_chat_burst / per_chat)),
                                            namespace=namespace + ":chat")
        self._clock, self._sleep = clock, sleep
        self._fallback = RateLimiter(overall, per_chat, overall_burst=overall_burst, per_chat_burst=per_chat_burst,
                                     sleep=sleep)
        self._down = False

    def __repr__(self) -> str:  # never the URL: it may hold a password
        return "SharedRateLimiter()"

    def acquire(self, chat: Hashable, max_wait: float) -> bool:
        """Wait for a slot for ``chat`` (at most ``max_wait`` seconds); False, without waiting, if none is near."""
        from limits.errors import StorageError

        try:
            granted = self._acquire(str(chat), max_wait)
        except StorageError as exc:
            if not self._down:
                log.warning("redis unavailable for rate limits (%s); pacing per process until it is back",
                            type(exc.storage_error).__name__)
                self._down = True
            return self._fallback.acquire(chat, max_wait)
        if self._down:
            log.info("redis rate limits are back")
            self._down = False
        return granted

    def _acquire(self, chat: str, max_wait: float) -> bool:
        deadline = self._clock() + max_wait
        while True:
            # The chat's window first, without booking: a chat waiting its turn must not use up the overall one.
            if self._limiter.test(self._chat, chat):
                if self._limiter.hit(self._overall):
                    if self._limiter.hit(self._chat, chat):
                        return True
                    continue  # another process took the chat's last slot in between: wait for the next one
                item, key = self._overall, ()
            else:
                item, key = self._chat, (chat,)
            free_at = self._limiter.get_window_stats(item, *key).reset_time
            now = self._clock()
            wait = max(free_at - now, 0.005)
            if now + wait > deadline:
                return False
            self._sleep(wait)


def from_settings(settings: Any) -> RateLimiter | SharedRateLimiter:
    """Telegram pacing shared through Redis when ``HELPLINE_REDIS_URL`` is set, else per process."""
    url = getattr(settings, "redis_url", None)
    if url is None or not url.get_secret_value():
        return RateLimiter()
    return SharedRateLimiter(url.get_secret_value())
