"""Telegram pacing shared through Redis (issue 16, item 7): two limiters, as two processes would have, on one
real Redis keep one overall limit and one per-chat limit between them; without Redis pacing goes on per process."""

from __future__ import annotations

import logging
import secrets
import threading
import time

import pytest
from pydantic import SecretStr

from bot.ratelimit import RateLimiter, SharedRateLimiter, from_settings


def _pair(redis_url: str, **limits: float) -> tuple[SharedRateLimiter, SharedRateLimiter]:
    namespace = f"helpline-test:{secrets.token_hex(6)}"
    return (SharedRateLimiter(redis_url, namespace=namespace, **limits),  # type: ignore[arg-type]
            SharedRateLimiter(redis_url, namespace=namespace, **limits))  # type: ignore[arg-type]


def test_two_instances_share_the_overall_limit(redis_url: str) -> None:
    a, b = _pair(redis_url, overall=5, overall_burst=5, per_chat=100, per_chat_burst=100)
    granted = [(a if i % 2 else b).acquire(chat=i, max_wait=0) for i in range(12)]
    assert sum(granted) == 5
    assert granted[:5] == [True] * 5  # the first five, whichever instance asked


def test_two_instances_share_a_chats_limit_and_other_chats_go_on(redis_url: str) -> None:
    a, b = _pair(redis_url, overall=100, overall_burst=100, per_chat=1, per_chat_burst=3)
    assert [a.acquire(42, 0), b.acquire(42, 0), a.acquire(42, 0)] == [True, True, True]
    assert not b.acquire(42, 0) and not a.acquire(42, 0)
    assert a.acquire(43, 0) and b.acquire(-100123, 0)


def test_a_refused_chat_does_not_use_up_the_overall_limit(redis_url: str) -> None:
    a, b = _pair(redis_url, overall=4, overall_burst=4, per_chat=1, per_chat_burst=1)
    assert a.acquire(1, 0)
    assert not any(b.acquire(1, 0) for _ in range(10))
    assert [a.acquire(c, 0) for c in (2, 3, 4, 5)] == [True, True, True, False]


def test_threads_in_two_instances_never_over_book(redis_url: str) -> None:
    a, b = _pair(redis_url, overall=20, overall_burst=20, per_chat=1000, per_chat_burst=1000)
    granted: list[bool] = []
    lock = threading.Lock()

    def hammer(limiter: SharedRateLimiter, offset: int) -> None:
        for i in range(25):
            ok = limiter.acquire(offset + i, 0)
            with lock:
                granted.append(ok)

    threads = [threading.Thread(target=hammer, args=(lim, n * 100)) for n, lim in enumerate((a, b, a, b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(granted) == 100 and sum(granted) == 20


def test_a_send_waits_for_the_next_slot_when_it_is_near(redis_url: str) -> None:
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    namespace = f"helpline-test:{secrets.token_hex(6)}"
    a = SharedRateLimiter(redis_url, overall=2, overall_burst=2, per_chat=100, per_chat_burst=100,
                          namespace=namespace, sleep=sleep)
    b = SharedRateLimiter(redis_url, overall=2, overall_burst=2, per_chat=100, per_chat_burst=100,
                          namespace=namespace, sleep=sleep)
    assert a.acquire(1, 0) and b.acquire(2, 0)
    assert not a.acquire(3, 0.2) and slept == []  # the next slot is about a second away: refused at once
    assert b.acquire(3, 2.0)
    assert slept and 0 < sum(slept) <= 1.2


def test_without_redis_pacing_goes_on_per_process(caplog: pytest.LogCaptureFixture) -> None:
    limiter = SharedRateLimiter("redis://127.0.0.1:1/0", overall=100, overall_burst=100, per_chat=1,
                                per_chat_burst=2)
    with caplog.at_level(logging.WARNING, logger="bot.ratelimit"):
        assert [limiter.acquire(7, 0) for _ in range(3)] == [True, True, False]
    assert [r.getMessage() for r in caplog.records].count(
        "redis unavailable for rate limits (ConnectionError); pacing per process until it is back") == 1
    assert "127.0.0.1:1" not in caplog.text and "SharedRateLimiter()" == repr(limiter)


def test_from_settings_picks_redis_only_when_configured() -> None:
    class S:
        redis_url: SecretStr | None = None

    assert isinstance(from_settings(S()), RateLimiter)
    S.redis_url = SecretStr("redis://:pw@127.0.0.1:6379/0")
    shared = from_settings(S())
    assert isinstance(shared, SharedRateLimiter) and "pw" not in repr(shared)
