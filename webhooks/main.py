"""The ``helpline`` command, composed where every part is visible: the core's commands (:mod:`helpline.cli`),
the web app and outbox worker (:mod:`webhooks.commands`), the Telegram commands (:mod:`bot.cli`) and the
terminal chat (:mod:`webhooks.chat`). The core imports none of these."""

from __future__ import annotations

from bot.cli import telegram
from helpline.cli import main
from webhooks.chat import chat
from webhooks.commands import serve, worker

for command in (serve, worker, telegram, chat):
    main.add_command(command)

__all__ = ["main"]

if __name__ == "__main__":  # pragma: no cover
    main()
