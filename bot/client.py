"""One python-telegram-bot ``Bot`` on one long-lived asyncio event loop, callable from sync code in any thread.

Why (channels.md, "PTB is async, Flask views are sync"): ``asyncio.run(...)`` per request closes its loop, and
httpx's keep-alive pool then fails on the next request with "Event loop is closed", silently. Here the loop
lives in a daemon thread for the life of the process; callers submit coroutines with
``asyncio.run_coroutine_threadsafe`` and wait for the result. Gunicorn forks its workers, and threads do not
survive a fork, so the loop starts lazily on first use and again in a child whose pid differs.

Requests go to ``{api_url}/bot{token}/{method}`` (https://core.telegram.org/bots/api#making-requests), so a
self-hosted Bot API server or a test fake can stand in for Telegram.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import threading
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from telegram import Bot

log = logging.getLogger(__name__)
# httpx logs every request URL at INFO, and Bot API URLs carry the bot token: keep it to warnings (the log
# filter in helpline.privacy masks the token anyway, for any handler that does let it through).
logging.getLogger("httpx").setLevel(logging.WARNING)

T = TypeVar("T")
DEFAULT_TIMEOUT = 30.0  # seconds a caller waits for one API call; PTB's own timeouts (below) come first
POLL_TIMEOUT = 25  # seconds a getUpdates long poll may hang
START_TIMEOUT = 30.0  # seconds to build the bot on a fresh loop (no network involved)


class BotClient:
    """A lazily started PTB ``Bot``; :meth:`call` runs ``fn(bot)`` on the bot's loop and returns its result."""

    def __init__(self, token: str, api_url: str = "https://api.telegram.org", *, pool_size: int = 32,
                 timeout: float = DEFAULT_TIMEOUT):
        self._token = token
        self.api_url = api_url.rstrip("/")
        self._pool_size = pool_size
        self._timeout = timeout
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._bot: Bot | None = None
        self._requests: tuple = ()

    def __repr__(self) -> str:  # never the token
        return f"BotClient(api_url={self.api_url!r}, running={self.running})"

    @property
    def running(self) -> bool:
        """True when this process's loop thread is alive."""
        return self._pid == os.getpid() and self._thread is not None and self._thread.is_alive()

    def call(self, fn: Callable[[Bot], Awaitable[T]], timeout: float | None = None) -> T:
        """Run ``fn(bot)`` on the loop and wait for it; PTB's exceptions propagate unchanged."""
        loop, bot = self._ensure()
        future = asyncio.run_coroutine_threadsafe(_call(fn, bot), loop)
        try:
            return future.result(timeout or self._timeout)
        except TimeoutError:
            future.cancel()
            from telegram.error import TimedOut

            raise TimedOut("no answer from the Bot API in time") from None

    def _ensure(self) -> tuple[asyncio.AbstractEventLoop, Bot]:
        """Start the loop thread and the bot on first use in this process."""
        with self._lock:
            if self.running and self._loop is not None and self._bot is not None:
                return self._loop, self._bot
            from telegram import Bot
            from telegram.request import HTTPXRequest

            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="telegram-bot-loop", daemon=True)
            thread.start()

            async def build() -> tuple[Bot, tuple]:
                # Built on the loop so httpx's pool belongs to it. HTTP/1.1 keep-alive; getUpdates gets its own
                # request object (PTB's advice) with a read timeout longer than the long poll.
                requests = (HTTPXRequest(connection_pool_size=self._pool_size, read_timeout=10.0),
                            HTTPXRequest(connection_pool_size=2, read_timeout=POLL_TIMEOUT + 10.0))
                await asyncio.gather(*(r.initialize() for r in requests))
                bot = Bot(self._token, base_url=f"{self.api_url}/bot{{token}}",
                          base_file_url=f"{self.api_url}/file/bot{{token}}", request=requests[0],
                          get_updates_request=requests[1])
                return bot, requests

            try:
                self._bot, self._requests = asyncio.run_coroutine_threadsafe(build(), loop).result(START_TIMEOUT)
            except BaseException:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(START_TIMEOUT)
                loop.close()
                raise
            self._loop, self._thread, self._pid = loop, thread, os.getpid()
            _register_close(self)
            log.info("telegram bot loop started (pid %s)", self._pid)
            return loop, self._bot

    def close(self) -> None:
        """Close the HTTP pool, stop the loop and join its thread (idempotent; a no-op after a fork)."""
        with self._lock:
            loop, thread, requests = self._loop, self._thread, self._requests
            self._loop, self._thread, self._bot, self._requests = None, None, None, ()
            if loop is None or thread is None or self._pid != os.getpid():
                return
            if thread.is_alive():
                try:
                    asyncio.run_coroutine_threadsafe(_shutdown(requests), loop).result(10)
                except Exception:  # noqa: BLE001 - closing is best effort; the loop still stops below
                    log.warning("telegram bot loop: closing the HTTP pool failed", exc_info=True)
                loop.call_soon_threadsafe(loop.stop)
                thread.join(10)
            if not loop.is_running():
                loop.close()

    def __enter__(self) -> BotClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


async def _call(fn: Callable[[Bot], Awaitable[T]], bot: Bot) -> T:
    return await fn(bot)


async def _shutdown(requests: tuple) -> None:
    await asyncio.gather(*(r.shutdown() for r in requests))


_OPEN: weakref.WeakSet[BotClient] = weakref.WeakSet()


def _register_close(client: BotClient) -> None:
    """Close every started client at interpreter exit (gunicorn workers exit through sys.exit)."""
    _OPEN.add(client)


@atexit.register
def _close_all() -> None:
    for client in list(_OPEN):
        client.close()
