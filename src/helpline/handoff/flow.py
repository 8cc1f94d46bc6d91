"""Talking to a person: the worker asks (menu entry, "agent", "insaan se baat", "انسان سے بات") and waits in the
staff console's handoff queue; while a staff member holds the conversation the bot stays quiet (but for the
emergency route when the worker writes of danger: :func:`helpline.engine.core._danger`). While waiting, what the
bot cannot answer outright is acknowledged as being with the team, and every message shows as unread for staff.

The engine stays pure: whether a person holds the conversation is a fact the pipeline loads when it opens the
turn (``ctx.facts``); asking and lapsing are events whose handlers (:mod:`helpline.handoff.service`) write.
"""

from __future__ import annotations

from helpline.engine.core import Flow, Turn
from helpline.engine.events import HandoffLapsed, HandoffRequested
from helpline.media.types import is_voice
from helpline.text import normalize

# Whole messages that ask for a person, as typed (compared in normalised form).
_WHOLE = ("agent", "human", "person", "a person", "staff", "operator", "real person", "talk to a person",
          "talk to a human", "talk to someone", "speak to a person", "insaan", "insan", "banda", "ایجنٹ", "انسان",
          "numainda", "numainde", "numaindah", "نمائندہ", "نمائندے")  # the menu's word for a person (locales/glossary.toml)
# Phrases that ask for a person anywhere in a short message.
_PHRASES = ("insaan se baat", "insan se baat", "kisi se baat", "bande se baat", "agent se baat", "انسان سے بات",
            "کسی سے بات", "talk to a person", "talk to a human", "speak to a person", "speak to a human",
            "talk to someone", "talk to an agent", "real person", "numainde se baat", "numainda se baat",
            "نمائندے سے بات")
WHOLE = frozenset(normalize(w) for w in _WHOLE)
PHRASES = tuple(normalize(p) for p in _PHRASES)
SHORT = 80  # longer messages describe a problem; they go to the FAQ even if they mention a person


def voice_only(turn: Turn) -> bool:
    """A message that is a voice note (or other sound) and no words."""
    return not turn.text and not turn.msg.choice and any(is_voice(a.kind, a.content_type)
                                                          for a in turn.msg.attachments)


def asks_for_person(norm: str, *, phrases_only: bool = False) -> bool:
    """Whether a normalised message asks to talk to a person (``phrases_only``: not single words like "agent",
    which can be an answer inside a form such as the complaint intake)."""
    if not phrases_only and norm in WHOLE:
        return True
    return len(norm) <= SHORT and any(p in norm for p in PHRASES)


class HandoffFlow(Flow):
    id = "handoff"
    label = "menu.handoff"

    def gate(self, turn: Turn) -> bool:
        """While a person holds the conversation, the bot says nothing; a request for a person starts here."""
        facts = turn.ctx.facts
        if facts.handoff == "held":
            if not facts.handoff_lapsed:
                return True
            turn.emit(HandoffLapsed())
            turn.say("handoff.timeout")
        in_a_form = turn.flow not in (None, "faq", self.id)
        if not turn.msg.choice and asks_for_person(turn.norm, phrases_only=in_a_form):
            self.start(turn)
            return True
        if not in_a_form and voice_only(turn):
            self.voice_note(turn)
            return True
        return False

    def voice_note(self, turn: Turn) -> None:
        """A voice note with no words, outside a form (inside the complaint intake it is kept with the
        complaint): the bot cannot listen to it, so a person will. The worker joins the queue (staff hear the
        note there) and is told so, and how to go on meanwhile: type, or pick from the menu."""
        if turn.ctx.facts.handoff == "waiting":
            turn.say("media.voice_waiting")
        else:
            turn.emit(HandoffRequested(turn.lang, ""))
            turn.say("media.voice_note")
        turn.main_menu(None)

    def with_team(self, turn: Turn) -> None:
        """While the worker waits: a message the bot cannot answer outright is for the team, and said so (never
        "did you mean…" or "no answer yet"); staff see it as unread."""
        turn.leave()
        turn.say("handoff.with_team")

    def urgent(self, turn: Turn) -> None:
        """Danger was heard (the engine said the emergency route): the handler of
        :class:`~helpline.engine.events.DangerReported` puts the worker at the top of the queue; say so briefly."""
        turn.say("handoff.urgent")

    def start(self, turn: Turn) -> None:
        """Join the queue (once), tell the worker what happens next, and leave the menu open meanwhile."""
        if turn.ctx.facts.handoff == "waiting":
            turn.say("handoff.already")
        else:
            turn.emit(HandoffRequested(turn.lang, turn.text[:500]))
            turn.say("handoff.queued")
        turn.main_menu(None)

