"""The outbox :class:`~helpline.outbox.Sender` for channel ``telegram``: sendMessage with inline keyboards.

Errors from PTB are classified (channels.md, "Errors PTB raises"; https://core.telegram.org/bots/api#making-requests):

=================  ==========================================================================================
``RetryAfter``     flood control: wait ``retry_after`` and try again, up to ``max_retries`` times and only if
                   the wait is at most ``max_wait`` seconds; else retryable (the outbox tries later)
``Forbidden``      the worker blocked the bot: code "403", one of :attr:`TelegramSender.unreachable_codes`, so
                   the outbox marks the contact unreachable and sends nothing more until they write again
``BadRequest``     logged, not retried (a subclass of ``NetworkError``, so it is caught first)
``TimedOut``,      retryable
``NetworkError``
``InvalidToken``   retryable, so queued messages go out once the operator fixes the token
=================  ==========================================================================================

A long reply goes out as several messages; if a later one fails, a retry sends the whole reply again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from bot.client import BotClient
from bot.parse import chat_id
from bot.ratelimit import RateLimiter
from bot.render import render_telegram
from helpline.errors import SendFailed
from helpline.outbox import Outgoing

if TYPE_CHECKING:
    from telegram import Bot

log = logging.getLogger(__name__)

MAX_WAIT = 3.0  # seconds a send may wait for flood control or pacing before handing back to the outbox
MAX_RETRIES = 2  # RetryAfter retries within one send


class Limiter(Protocol):
    def acquire(self, chat: Any, max_wait: float) -> bool: ...


class TelegramSender:
    """Deliver outbox rows (and turn replies) to Telegram chats through one :class:`BotClient`."""

    channel = "telegram"
    unreachable_codes = frozenset({"403"})  # the outbox marks the contact unreachable on these

    def __init__(self, client: BotClient, *, limiter: Limiter | None = None, max_wait: float = MAX_WAIT,
                 max_retries: int = MAX_RETRIES, sleep: Callable[[float], None] = time.sleep):
        self.client = client
        self.limiter = limiter if limiter is not None else RateLimiter()
        self.max_wait, self.max_retries, self._sleep = max_wait, max_retries, sleep

    def __repr__(self) -> str:
        return f"TelegramSender({self.client!r})"

    def send(self, item: Outgoing) -> str:
        """Send one reply (one or more messages, buttons on the last); returns ``"<chat>:<message id>"``."""
        try:
            chat = chat_id(item.address)
            payloads = render_telegram(list(item.paragraphs), [tuple(m) for m in item.menu], lang=item.lang)
        except ValueError as exc:
            raise SendFailed(f"cannot render for Telegram: {exc}", retryable=False, code="render") from None
        if not payloads:
            raise SendFailed("nothing to send", retryable=False, code="empty")
        message_id = None
        for payload in payloads:
            message_id = self._send_one(chat, payload)
        # Message ids are per chat, and the log's provider ids must be unique per channel: prefix the chat.
        return f"{chat}:{message_id}"

    def _send_one(self, chat: int, payload: dict[str, Any]) -> int:
        from telegram.error import (BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter,
                                    TelegramError, TimedOut)

        markup = _markup(payload.get("reply_markup"))
        for attempt in range(self.max_retries + 1):
            if not self.limiter.acquire(chat, self.max_wait):
                raise SendFailed("paced: over the Bot API rate", retryable=True, code="paced")

            async def send(bot: Bot) -> Any:
                return await bot.send_message(chat, payload["text"], reply_markup=markup)

            try:
                return self.client.call(send).message_id
            except RetryAfter as exc:
                wait = _seconds(exc.retry_after)
                if attempt < self.max_retries and wait <= self.max_wait:
                    log.info("telegram flood control: waiting %.1fs", wait)
                    self._sleep(wait)
                    continue
                raise SendFailed(f"flood control: retry after {wait:.0f}s", retryable=True, code="429") from None
            except Forbidden as exc:
                raise SendFailed(f"forbidden: {exc.message}", retryable=False, code="403") from None
            except BadRequest as exc:
                log.warning("telegram refused a message: %s", exc.message)
                raise SendFailed(f"bad request: {exc.message}", retryable=False, code="400") from None
            except TimedOut:
                raise SendFailed("timed out", retryable=True, code="timeout") from None
            except NetworkError as exc:
                raise SendFailed(f"network: {exc.message}", retryable=True, code="network") from None
            except InvalidToken:
                raise SendFailed("the bot token was refused", retryable=True, code="401") from None
            except ChatMigrated:
                raise SendFailed("chat migrated to a supergroup", retryable=False, code="migrated") from None
            except TelegramError as exc:
                raise SendFailed(f"telegram: {exc.message}", retryable=False, code="telegram") from None
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def answer_callback(self, query_id: str) -> bool:
        """Answer a button press so the client stops spinning; False (logged) if Telegram refused."""
        from telegram.error import TelegramError

        async def answer(bot: Bot) -> Any:
            return await bot.answer_callback_query(query_id)

        try:
            self.client.call(answer)
            return True
        except TelegramError as exc:  # e.g. "query is too old" on a redelivery: harmless
            log.info("answerCallbackQuery failed: %s", type(exc).__name__)
            return False


def _markup(keyboard: dict[str, Any] | None) -> Any:
    """PTB's InlineKeyboardMarkup for a rendered ``{"inline_keyboard": [[{text, callback_data}]]}``."""
    if not keyboard:
        return None
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    rows = [[InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
            for row in keyboard["inline_keyboard"]]
    return InlineKeyboardMarkup(rows)


def _seconds(value: Any) -> float:
    """``RetryAfter.retry_after`` as seconds (a timedelta with PTB_TIMEDELTA, an int before)."""
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


def from_settings(settings: Any) -> TelegramSender | None:
    """The production sender when ``HELPLINE_TELEGRAM_TOKEN`` is set, else None (the loop starts on first use)."""
    if settings.telegram_token is None or not settings.telegram_token.get_secret_value():
        return None
    from bot.ratelimit import from_settings as limiter_from_settings

    return TelegramSender(BotClient(settings.telegram_token.get_secret_value(), settings.telegram_api_url),
                          limiter=limiter_from_settings(settings))
