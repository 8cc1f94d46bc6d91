"""What the engine emits. The service turns events into rows and outbound messages."""

from __future__ import annotations

from dataclasses import dataclass

from helpline.messages import Reply


@dataclass(frozen=True)
class ReplyCreated:
    """A reply to send to the worker (goflow's ``msg_created``)."""

    reply: Reply


@dataclass(frozen=True)
class LanguageChanged:
    """The contact's language changed; ``explicit`` when the worker chose it."""

    lang: str
    explicit: bool


@dataclass(frozen=True)
class FaqAnswered:
    """A FAQ topic was answered."""

    topic: str
    score: float


@dataclass(frozen=True)
class Unanswered:
    """A question the knowledge base could not answer; kept for staff."""

    text: str
    lang: str | None
    best_topic: str | None
    score: float


Event = ReplyCreated | LanguageChanged | FaqAnswered | Unanswered
