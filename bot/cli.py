"""``helpline telegram ...``: point Telegram at the webhook, take it away, inspect it, or long-poll for development.

Only click is imported at module level; PTB, the database and the core load when a command runs.
"""

from __future__ import annotations

import re
import signal
import threading
from typing import Any

import click

# What the helpline handles (https://core.telegram.org/bots/api#update); Telegram then sends nothing else.
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")
SECRET_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,256}")  # setWebhook's secret_token alphabet
WEBHOOK_PATH = "/webhooks/telegram"


def _settings() -> Any:
    from helpline.cli import env

    return env().require("telegram_token", purpose="the Telegram commands")


def _client(settings: Any) -> Any:
    from bot.client import BotClient

    return BotClient(settings.telegram_token.get_secret_value(), settings.telegram_api_url)


def _api(settings: Any, fn: Any) -> Any:
    """Run one Bot API call; Telegram's refusal becomes a click error naming it."""
    from telegram.error import TelegramError

    with _client(settings) as client:
        try:
            return client.call(fn)
        except TelegramError as exc:
            raise click.ClickException(f"Telegram refused: {exc.message}") from None


@click.group()
def telegram() -> None:
    """The Telegram channel: webhook set-up and long polling."""


@telegram.command("set-webhook")
@click.argument("url")
@click.option("--drop-pending", is_flag=True, help="Discard updates Telegram queued while no webhook was set.")
def set_webhook(url: str, drop_pending: bool) -> None:
    """Tell Telegram to POST updates to URL (https://…/webhooks/telegram) with HELPLINE_TELEGRAM_SECRET."""
    settings = _settings()
    if settings.telegram_secret is None:
        raise click.ClickException("HELPLINE_TELEGRAM_SECRET is required for set-webhook: the webhook refuses "
                                   "updates without it (letters, digits, _ and -, up to 256)")
    secret = settings.telegram_secret.get_secret_value()
    if not SECRET_FORMAT.fullmatch(secret):
        raise click.ClickException("HELPLINE_TELEGRAM_SECRET may only hold A-Z a-z 0-9 _ - (1 to 256 characters)")
    if not url.startswith("https://"):
        click.echo("warning: Telegram only delivers to https:// URLs (ports 443, 80, 88, 8443)", err=True)
    if not url.rstrip("/").endswith(WEBHOOK_PATH):
        click.echo(f"warning: the app serves updates at {WEBHOOK_PATH}", err=True)

    async def call(bot: Any) -> Any:
        return await bot.set_webhook(url, secret_token=secret, allowed_updates=list(ALLOWED_UPDATES),
                                     drop_pending_updates=drop_pending)

    _api(settings, call)
    click.echo(f"webhook set: {url} (updates: {', '.join(ALLOWED_UPDATES)}; secret token sent on every call)")


@telegram.command("delete-webhook")
@click.option("--drop-pending", is_flag=True, help="Also discard updates Telegram has queued.")
def delete_webhook(drop_pending: bool) -> None:
    """Stop webhook delivery (needed before `helpline telegram poll`)."""
    settings = _settings()

    async def call(bot: Any) -> Any:
        return await bot.delete_webhook(drop_pending_updates=drop_pending)

    _api(settings, call)
    click.echo("webhook deleted")


@telegram.command("info")
def info() -> None:
    """Show Telegram's view of the webhook: URL, pending updates, last error."""
    settings = _settings()

    async def call(bot: Any) -> Any:
        return await bot.get_webhook_info()

    found = _api(settings, call)
    click.echo(f"url: {found.url or '(none: polling or not set)'}")
    click.echo(f"pending updates: {found.pending_update_count}")
    if found.last_error_message:
        click.echo(f"last error: {found.last_error_message}")


@telegram.command("poll")
@click.option("--once", is_flag=True, help="Handle one batch of updates and exit (for scripts and tests).")
@click.option("--timeout", default=25, show_default=True, type=click.IntRange(0, 50), help="Long-poll seconds.")
def poll(once: bool, timeout: int) -> None:
    """Long polling for development without a public URL: the same service, database and outbox as the webhook."""
    from bot.poll import PollLoop
    from helpline.cli import env
    from helpline.errors import HelplineError
    from webhooks.server import build_senders

    settings = _settings()
    try:
        sender = build_senders(settings).get("telegram")
    except HelplineError as exc:
        raise click.ClickException(str(exc)) from None
    stop = threading.Event()
    if not once:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    loop = PollLoop(sender, env().sessions, env().core, timeout=timeout, allowed=ALLOWED_UPDATES)
    try:
        handled = loop.run(stop, once=once, echo=lambda line: click.echo(line, err=True))
    except HelplineError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        sender.client.close()
    click.echo(f"{handled} update(s) handled", err=True)
