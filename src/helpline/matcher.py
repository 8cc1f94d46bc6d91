"""The matching contract: what the engine asks of whatever understands a worker's message.

The matcher in use is :class:`helpline.classifier.TrainedMatcher`, a classifier trained from the knowledge base
and its examples (``locales/kb/examples/``) plus what staff taught in the console. It answers two questions:

* :meth:`Matcher.match` — which FAQ topic: confident → one answer; a close call → two or three suggestions;
  otherwise a decline, which says whether the message was **out of scope** or small talk (answered honestly,
  never stored for staff) or an in-scope question the knowledge base cannot answer yet (stored for staff);
* :meth:`Matcher.intent` — whether the worker wants to *do* something (file or track a complaint, check a
  status, talk to a person, danger) or is making small talk (greeting, thanks, goodbye…).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Decision = Literal["answer", "suggest", "none"]
OUT_OF_SCOPE = "out_of_scope"  # the label of subjects the helpline declines


@dataclass(frozen=True)
class Match:
    """The matcher's verdict for one message."""

    decision: Decision
    topic: str | None  # the answer's topic (decision "answer") or the best candidate
    score: float  # confidence of the best candidate, 0..1
    suggestions: tuple[str, ...]  # up to 3 topics for decision "suggest"
    lang: str | None  # detected language of the message
    declined: str | None = None  # decision "none" because the message is this instead: OUT_OF_SCOPE or "intent:…"

    @property
    def predicted(self) -> str | None:
        """The topic the matcher stands behind (answered or first suggestion); None when it declines."""
        return self.topic if self.decision != "none" else None

    @property
    def action(self) -> str:
        """``"answer"``, ``"suggest"`` or ``"decline"`` (``helpline faq match --jsonl``)."""
        return "decline" if self.decision == "none" else self.decision


class Matcher(Protocol):
    """What the engine needs from a matcher; pure and thread-safe."""

    def match(self, text: str) -> Match:
        """Answer, suggest or decline."""
        ...

    def intent(self, text: str) -> tuple[str, float] | None:
        """``(name, probability)`` when the message is an intent or small talk, else None."""
        ...
