"""Telegram channel webhook: ``POST /webhooks/telegram`` (secret-checked, parsed with PTB's ``Update``).

Order of checks (https://core.telegram.org/bots/api#setwebhook):

1. configured? Without ``HELPLINE_TELEGRAM_SECRET`` and ``HELPLINE_TELEGRAM_TOKEN`` the route answers 503 with
   the reason: an unset secret would let anyone post fake updates (channels.md).
2. the header ``X-Telegram-Bot-Api-Secret-Token`` equals the secret (constant-time), else 403, nothing stored;
3. the body is a JSON object that PTB's ``Update.de_json`` reads, else 400 with the reason (64 KiB at most:
   larger bodies get 413 from the app);
4. :func:`bot.turn.handle_update`: a turn (replies queued in the outbox and sent at once), or 200 with a
   logged reason for updates the helpline does not handle. A redelivered ``update_id`` gets 200 and no second
   turn. Only an unexpected error answers 500, and Telegram then redelivers, which the de-duplication absorbs.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from flask import Blueprint, request
from flask.blueprints import BlueprintSetupState

from bot.turn import handle_update
from bot.parse import MalformedUpdate, decode
from bot.sender import TelegramSender, from_settings
from helpline.errors import InboundRejected
from webhooks.app import runtime

bp = Blueprint("telegram", __name__, url_prefix="/webhooks/telegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@bp.record_once
def _install_sender(state: BlueprintSetupState) -> None:
    """Give the app a Telegram sender when a token is configured (the bot's loop starts on first use)."""
    rt = state.app.extensions.get("helpline")
    if rt is not None and "telegram" not in rt.senders:
        sender = from_settings(rt.settings)
        if sender is not None:
            rt.senders["telegram"] = sender


@bp.post("")
def receive() -> tuple[str, int, dict[str, str]]:
    """Take one update from Telegram."""
    rt = runtime()
    secret = rt.settings.telegram_secret.get_secret_value() if rt.settings.telegram_secret else ""
    if not secret:
        raise InboundRejected("Telegram webhook disabled: HELPLINE_TELEGRAM_SECRET is not set", 503)
    sender = rt.senders.get("telegram")
    if not isinstance(sender, TelegramSender):
        raise InboundRejected("Telegram webhook disabled: HELPLINE_TELEGRAM_TOKEN is not set", 503)
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode("utf-8", "replace"), secret.encode("utf-8")):
        raise InboundRejected(f"missing or wrong {SECRET_HEADER}", 403)
    try:
        update = decode(_json_body())
    except MalformedUpdate as exc:
        raise InboundRejected(str(exc), 400) from None
    outcome = handle_update(update, sessions=rt.sessions, core=rt.core, sender=sender)
    return f"{outcome.status}\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


def _json_body() -> Any:
    """The request body as JSON, or a 400 naming what is wrong with it."""
    raw = request.get_data(cache=False)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError; deep nesting a RecursionError
        raise InboundRejected("the body is not valid JSON", 400) from None
