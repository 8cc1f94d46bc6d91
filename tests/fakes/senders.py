"""Senders that stand in for a provider where a test does not need one."""

from __future__ import annotations

from dataclasses import dataclass, field

from helpline.outbox import Outgoing


@dataclass
class RecordingSender:
    """A :class:`~helpline.outbox.Sender` that keeps what it was given and always succeeds."""

    channel: str
    sent: list[Outgoing] = field(default_factory=list)

    def send(self, item: Outgoing) -> str:
        """Record the message and return a made-up provider id."""
        self.sent.append(item)
        return f"rec-{item.id}"
