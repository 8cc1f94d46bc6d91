"""Transcript helpers: run what a worker says through the engine and read the replies as text."""

from __future__ import annotations

from typing import Any

from helpline import engine
from helpline.messages import InboundMessage
from helpline.service import Core


class Dialog:
    """One worker talking to the pure engine; state kept between lines, as the service would."""

    def __init__(self, core: Core, channel: str = "sms", state: dict[str, Any] | None = None):
        self.core = core
        self.channel = channel
        self.state: dict[str, Any] = state or {}
        self.events: list[Any] = []

    @property
    def answered(self) -> list[str]:
        """Topics answered by the last message."""
        return [e.topic for e in self.events if type(e).__name__ == "FaqAnswered"]

    def say(self, text: str = "", choice: str | None = None) -> str:
        """Send one message; return the reply as plain text (paragraphs and a numbered menu)."""
        msg = InboundMessage(channel=self.channel, address="tel:+923001234567", text=text, choice=choice)
        self.state, self.events = engine.step(self.state, msg, self.core.context())
        replies = [self.core.render(e.reply) for e in self.events if hasattr(e, "reply")]
        return "\n\n".join(r.plain() for r in replies)

    @property
    def lang(self) -> str:
        """The language of the last reply."""
        return self.state["lang"]


def transcript(core: Core, lines: list[tuple[str, list[str]]], **kw: Any) -> Dialog:
    """Play ``[(worker says, [expected])]`` and return the dialog for more checks.

    Each expected item is a substring the reply must contain, or ``@topic`` for the FAQ topic it must answer.
    """
    dialog = Dialog(core, **kw)
    for said, expected in lines:
        reply = dialog.say(said)
        for part in expected:
            if part.startswith("@"):
                assert dialog.answered == [part[1:]], f"after {said!r} expected {part} but answered {dialog.answered}"
            else:
                assert part in reply, f"after {said!r} expected {part!r} in:\n{reply}"
    return dialog
