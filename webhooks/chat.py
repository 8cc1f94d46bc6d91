"""``helpline chat``: talk to the helpline in the terminal through the very function a channel runs for a turn.

``--channel sms`` runs :func:`webhooks.twilio.turn.sms_turn`: the same answers and pages as the webhook, MORE
shows the next page, STOP/START/HELP behave as on SMS, and each body is headed by its encoding and segment
count. ``--channel whatsapp`` runs :func:`webhooks.twilio.turn.whatsapp_turn`: whole replies with numbered
menus, one block per WhatsApp message, STOP/START as on WhatsApp. ``--channel telegram`` runs :func:`bot.turn.telegram_turn` with a sender that prints the sendMessage
payloads instead of calling Telegram: the same messages and buttons a worker's app would show. Both use the
configured database, so the conversation carries on between runs (one per ``--address``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

import click

from helpline.messages import InboundMessage
from helpline.sms import count_segments

if TYPE_CHECKING:  # only click is needed for `helpline --help`
    from sqlalchemy.orm import Session, sessionmaker

    from helpline.outbox import Outgoing
    from helpline.pipeline import Core
    from helpline.settings import Settings


@dataclass
class PrintingSender:
    """A Telegram sender for the terminal: renders each reply as the Bot API payloads it would send."""

    channel: str = "telegram"
    payloads: list[dict[str, Any]] = field(default_factory=list)

    def send(self, item: Outgoing) -> str:
        """Keep the payloads a real send would post; a made-up message id."""
        from bot.render import render_telegram

        self.payloads.extend(render_telegram(list(item.paragraphs), [tuple(m) for m in item.menu], lang=item.lang))
        return f"chat-{item.id}"

    def answer_callback(self, callback_query_id: str) -> None:
        """Nothing to answer in a terminal."""


class ChatSession:
    """One terminal conversation on one channel; :meth:`say` returns what the worker would receive."""

    def __init__(self, core: Core, sessions: sessionmaker[Session], settings: Settings, *, channel: str,
                 address: str = "local"):
        self.core, self.sessions, self.settings, self.channel = core, sessions, settings, channel
        self.address = f"chat:{channel}:{address}"
        self.sender = PrintingSender()

    def say(self, text: str) -> list[str]:
        """One message in; the replies as the channel would deliver them (SMS bodies, or Telegram views)."""
        msg = InboundMessage(channel=self.channel, address=self.address, text=text)
        if self.channel == "sms":
            from webhooks.twilio.turn import SmsRules, sms_turn

            rules = SmsRules(self.settings.sms_segment_budget, self.settings.twilio_handles_opt_out)
            return sms_turn(self.sessions, self.core, msg, rules)
        if self.channel == "whatsapp":
            from webhooks.twilio.turn import whatsapp_turn

            return whatsapp_turn(self.sessions, self.core, msg)
        from bot.parse import Turn
        from bot.turn import telegram_turn

        self.sender.payloads.clear()
        telegram_turn(Turn(msg), sessions=self.sessions, core=self.core, sender=self.sender)
        return [telegram_view(p) for p in self.sender.payloads]

    def set_language(self, lang: str) -> None:
        """Start the conversation in a chosen language (as if the worker had picked it)."""
        from helpline.storage.models import Contact

        with self.sessions.begin() as session:
            contact = session.query(Contact).filter_by(address=self.address).one_or_none()
            if contact is None:
                now = self.core.clock()
                session.add(Contact(address=self.address, channel=self.channel, language=lang, created_at=now,
                                    last_seen_at=now))
                return
            contact.language = lang
            if contact.conversation is not None:  # the conversation's language is the one replies use
                contact.conversation.state = {**contact.conversation.state, "lang": lang}


def sms_view(body: str) -> str:
    """An SMS body headed by its encoding, segment count and length in units."""
    info = count_segments(body)
    label = "segment" if info.segments == 1 else "segments"
    return f"bot [{info.encoding}, {info.segments} {label}, {info.units} units]:\n{body}"


def telegram_view(payload: dict[str, Any]) -> str:
    """A sendMessage payload as text, its buttons shown as [n: label]."""
    text = payload["text"]
    rows = payload.get("reply_markup", {}).get("inline_keyboard", [])
    buttons = [b["text"] for row in rows for b in row]
    if buttons:
        text += "\n" + " ".join(f"[{n}: {label}]" for n, label in enumerate(buttons, 1))
    return f"bot:\n{text}"


def run_chat(chat: ChatSession, *, stdin: TextIO | None = None, echo: Callable[[str], None] = print) -> None:
    """Read messages (a prompt on a terminal, else one per line) and print what the worker would receive."""
    stdin = stdin or sys.stdin
    interactive = stdin.isatty()
    if interactive:
        echo("Type a message (Ctrl-D to quit). Try: salam / MENU / protector kya hota hai / MORE / STOP")
    while True:
        if interactive:
            try:
                line = input("you> ")
            except EOFError:
                echo("")
                return
        else:
            line = stdin.readline()
            if not line:
                return
            line = line.rstrip("\r\n")
            echo(f"you> {line}")
        replies = chat.say(line)
        for reply in replies:
            echo(sms_view(reply) if chat.channel == "sms" else f"bot:\n{reply}" if chat.channel == "whatsapp"
                 else reply)
        if not replies:
            echo("bot: (no reply)")
        echo("")


@click.command()
@click.option("--channel", type=click.Choice(["sms", "whatsapp", "telegram"]), default="sms", show_default=True,
              help="Which channel's turn to run: SMS (pages, keywords, segments), WhatsApp (whole replies, "
                   "numbered menus) or Telegram (buttons).")
@click.option("--lang", type=click.Choice(["en", "ur", "ur-Latn"]), default=None, help="Start in this language.")
@click.option("--address", default="local", show_default=True, help="Who you are (one conversation per address).")
def chat(channel: str, lang: str | None, address: str) -> None:
    """Talk to the helpline in the terminal, through the same turn function and database as the channel.

    Interactive on a terminal; with piped stdin, one message per line.
    """
    from helpline.cli import env

    session = ChatSession(env().core, env().sessions, env().settings, channel=channel, address=address)
    if lang:
        session.set_language(lang)
    run_chat(session)
