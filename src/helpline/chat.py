"""``helpline chat``: a terminal conversation through the same service and database as production.

The SMS view shows each reply as the phone would get it, with its encoding and segment count (and pages, when
a reply is over the SMS budget); the Telegram view shows messages and their buttons.
"""

from __future__ import annotations

import sys
from typing import Callable, TextIO

from sqlalchemy.orm import Session, sessionmaker

from helpline.messages import InboundMessage, Text
from helpline.service import Core, RenderedReply, contact_for, run_turn
from helpline.settings import Settings
from helpline.sms import count_segments, paginate


def sms_view(core: Core, reply: RenderedReply, budget: int) -> list[str]:
    """The reply as SMS pages, each headed by its encoding and segment count."""
    from webhooks.sms_render import render_sms

    body = render_sms(reply.paragraphs, reply.menu, lang=reply.lang)
    pages = paginate(body, budget, core.i18n.render(Text("sms.more"), reply.lang))
    out = []
    for n, page in enumerate(pages, 1):
        info = count_segments(page)
        label = "segment" if info.segments == 1 else "segments"
        where = f"page {n}/{len(pages)}, " if len(pages) > 1 else ""
        out.append(f"bot [{where}{info.encoding}, {info.segments} {label}, {info.units} units]:\n{page}")
    return out


def telegram_view(reply: RenderedReply) -> list[str]:
    """The reply as Telegram messages, buttons shown as [n: label]."""
    from bot.render import render_telegram

    out = []
    for payload in render_telegram(reply.paragraphs, reply.menu, lang=reply.lang):
        text = payload["text"]
        rows = payload.get("reply_markup", {}).get("inline_keyboard", [])
        buttons = [b["text"] for row in rows for b in row]
        if buttons:
            text += "\n" + " ".join(f"[{n}: {label}]" for n, label in enumerate(buttons, 1))
        out.append(f"bot:\n{text}")
    return out


def run_chat(core: Core, sessions: sessionmaker[Session], settings: Settings, *, channel: str,
             lang: str | None, address: str, stdin: TextIO | None = None, echo: Callable[[str], None] = print) -> None:
    """Read messages (interactive prompt on a terminal, else one per line) and print the replies."""
    stdin = stdin or sys.stdin
    interactive = stdin.isatty()
    contact = f"chat:{channel}:{address}"
    if lang:
        _set_language(sessions, core, contact, lang)
    if interactive:
        echo("Type a message (Ctrl-D to quit). Try: salam / MENU / protector kya hota hai")
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
        result = run_turn(sessions, InboundMessage(channel="chat", address=contact, text=line), core)
        for reply in result.replies:
            views = sms_view(core, reply, settings.sms_segment_budget) if channel == "sms" else telegram_view(reply)
            for view in views:
                echo(view)
        echo("")


def _set_language(sessions: sessionmaker[Session], core: Core, address: str, lang: str) -> None:
    """Start the conversation in a chosen language (as if the worker had picked it)."""
    with sessions.begin() as session:
        contact = contact_for(session, address, "chat", core.clock())
        contact.language = lang
        if contact.conversation is not None:
            contact.conversation.state = {**contact.conversation.state, "lang": lang}
