"""The conversation engine: ``step(state, message, ctx) -> (state, events)``. Pure; see README.md here.

State (plain JSON, stored per contact)::

    {"lang": "ur-Latn",          # language of the last reply
     "flow": "faq", "step": "ask", "data": {...},   # the active flow, if any
     "history": [{"flow":..., "step":..., "data":...}],  # for BACK
     "menu": [["faq", "menu.faq", {}], ...],        # the last menu shown: typed numbers map onto it
     "turns": 12}                                    # messages handled so far

Order of a turn: the flows' gates (a person holding the conversation first) → the language of the message → a
menu choice (button or typed number/label) → global words (menu/0, back, help, language in all three languages)
→ the active flow → flows that intercept free text (e.g. ``STATUS <ref>``) → small talk → the FAQ.

The flows, their gates and the main menu are what the wiring module put in the :class:`Context`, in that order;
nothing registers itself.
A flow that needs a fact only the database knows calls :meth:`Turn.ask`; the step then stops with
:class:`~helpline.engine.events.FactNeeded`, the pipeline reads the answer and steps again with it in
:attr:`Context.answers`. So ``step`` is a pure function of (state, message, context).
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping

from helpline import danger
from helpline.engine.events import (DangerReported, Event, FactNeeded, HandoffLapsed, HandoffMessage, LanguageChanged,
                                    ReplyCreated)
from helpline.i18n import I18n
from helpline.kb import KnowledgeBase
from helpline.lang import detect
from helpline.matcher import Matcher
from helpline.menus import numbered_choice
from helpline.messages import DEFAULT_LANGUAGE, InboundMessage, MenuItem, Reply, Text
from helpline.text import normalize

HISTORY_LIMIT = 10
FORM_LATIN = 6  # words: inside a form, a Latin answer this short does not switch Roman Urdu to English
SHORT_LATIN = 3  # words: a Latin-script message this short does not switch an Urdu-writing contact to English
MAX_TEXT = 2000  # longer messages are cut before matching (SMS bodies are at most 1600 characters)



def _forms(*typed: str) -> frozenset[str]:
    """Words as typed → the normalised forms a message is compared in (so "پیچھے" and "/start" match)."""
    return frozenset(normalize(t) for t in typed)


# Words that work everywhere, in all three languages.
GLOBAL_WORDS: dict[str, frozenset[str]] = {
    "menu": _forms("menu", "0", "main menu", "start", "shuru", "مینو", "مین مینو", "فہرست", "/start", "start over"),
    "back": _forms("back", "wapas", "peeche", "pichhe", "piche", "واپس", "پیچھے", "go back", "wapas jao"),
    "help": _forms("help", "madad", "مدد", "/help", "info", "help me"),
    "language": _forms("language", "zaban", "زبان", "/language", "lang", "change language", "zaban badlo"),
}
START_COMMAND = _forms("/start")
# Saying a language's name switches to it.
LANGUAGE_WORDS: dict[str, str] = {
    normalize(word): lang
    for lang, words in {
        "en": ("english", "eng", "انگریزی"),
        "ur": ("urdu", "اردو"),
        "ur-Latn": ("roman", "roman urdu", "رومن اردو", "رومن"),
    }.items()
    for word in words
}


@dataclass(frozen=True)
class Facts:
    """What the pipeline loaded about the contact before the step (in the query that opens the turn)."""

    handoff: str | None = None  # "waiting" | "held" | None: a person is asked for, or holds the conversation
    handoff_lapsed: bool = False  # held, but the hold's time has run out
    handoff_id: int | None = None  # the active handoff's row, for its handlers

    @property
    def with_person(self) -> str | None:
        """"waiting" or "held" while a person is asked for or holds the conversation (a lapsed hold is over)."""
        return None if self.handoff_lapsed else self.handoff


@dataclass(frozen=True)
class Context:
    """Everything a turn may consult, all of it in memory. Built by the pipeline; the clock value is per turn."""

    now: datetime
    kb: KnowledgeBase
    matcher: Matcher
    i18n: I18n
    default_lang: str = DEFAULT_LANGUAGE
    new_id: Callable[[], str] = field(default=lambda: "")
    flows: tuple[Flow, ...] = ()  # every flow; free text is offered to their intercepts in this order
    gates: tuple[Flow, ...] = ()  # flows whose gate sees every message first, in this order (handoff first)
    menu: tuple[str, ...] = ()  # ids of the flows in the main menu, in menu order
    facts: Facts = field(default_factory=Facts)
    answers: Mapping[Any, Any] = field(default_factory=dict)  # ask → answer, read by the pipeline between steps
    config: Mapping[str, Any] = field(default_factory=dict)  # the concerns' policies and data, loaded at start-up

    def flow(self, flow_id: str | None) -> Flow | None:
        """The wired flow with this id, if any."""
        return next((f for f in self.flows if f.id == flow_id), None) if flow_id else None

    def menu_flows(self) -> list[Flow]:
        """The flows that appear in the main menu, in menu order."""
        return [f for f in (self.flow(i) for i in self.menu) if f is not None and f.label]


class NeedFact(Exception):
    """Raised by :meth:`Turn.ask` when the answer is not in the context yet; :func:`step` turns it into an event."""

    def __init__(self, ask: Any):
        super().__init__(ask)
        self.ask = ask


class Flow:
    """A conversation flow. Subclass, set ``id`` (and ``label`` to appear in the main menu); the wiring lists it."""

    id: str = ""
    label: str | None = None  # message key of the main-menu entry; None keeps it out of the menu

    def start(self, turn: Turn) -> None:
        """The worker chose this flow."""

    def handle(self, turn: Turn) -> None:
        """A message arrived while this flow is active."""

    def resume(self, turn: Turn) -> None:
        """The worker came BACK to this flow; by default it starts over."""
        self.start(turn)

    def intercept(self, turn: Turn) -> bool:
        """Free text outside any flow: handle it and return True if it is for this flow (e.g. ``STATUS X``)."""
        return False

    def fallback(self, turn: Turn) -> bool:
        """Free text nobody intercepted (the FAQ answers it); return True if handled."""
        return False

    def gate(self, turn: Turn) -> bool:
        """Runs first on every message (e.g. a person holds the conversation); return True to end the turn."""
        return False

    def offered_after(self, topic: str) -> str | None:
        """The label key of this flow's entry under an FAQ answer on ``topic`` (None: not offered there), e.g. the
        complaint intake under "my salary is not paid"."""
        return None


class Turn:
    """One message's worth of work: read the message, change the state, collect the reply."""

    def __init__(self, state: dict[str, Any], msg: InboundMessage, ctx: Context):
        self.state: dict[str, Any] = copy.deepcopy(state) if state else {}
        self.msg = msg
        self.ctx = ctx
        self.events: list[Event] = []
        self.text = (msg.text or "")[:MAX_TEXT].strip()
        self.norm = normalize(self.text)
        self._parts: list[Text] = []
        self._menu: list[MenuItem] | None = None
        self.lang = self._language()
        self.choice = self._choice()

    # -- reading ----------------------------------------------------------------------------------------------

    def _language(self) -> str:
        detected = detect(self.text)
        current = self.state.get("lang") or self.ctx.default_lang
        words = len(self.norm.split())
        if detected == "en" and current != "en" and self.state.get("turns") and words <= SHORT_LATIN:
            return current  # "ok", "thanks", "status plz": too short to move a contact who writes Urdu to English
        if detected == "en" and current == "ur-Latn" and self.state.get("flow") not in (None, "faq") \
                and words <= FORM_LATIN:
            return current  # a name typed into a form ("Al Safi Cleaning Company") is not a change of language
        if detected and detected != current:
            self.events.append(LanguageChanged(detected, explicit=False))
            return detected
        return current

    def _choice(self) -> str | None:
        shown = self.state.get("menu") or []  # [[id, label key, label params], ...]
        if self.msg.choice:
            return self.msg.choice if any(item[0] == self.msg.choice for item in shown) else None
        words = self.ctx.i18n
        labels = [(i, words.render(Text(k, p), self.lang)) for i, k, p in shown]
        found = numbered_choice(self.text, labels)
        if found is None and self.text:  # the short label an SMS showed ("K.sms"), typed back on any channel
            short = [(i, words.render(words.variant(Text(k, p), "sms", self.lang), self.lang)) for i, k, p in shown]
            found = numbered_choice(self.text, short) if short != labels else None
        return found

    @property
    def intent(self) -> tuple[str, float] | None:
        """What the worker wants to do, if the matcher recognises an intent (``("human", 0.93)``); read once."""
        if not hasattr(self, "_intent"):
            reader = getattr(self.ctx.matcher, "intent", None)
            self._intent = reader(self.text) if reader is not None and self.text and not self.choice else None
        return self._intent

    @property
    def flow(self) -> str | None:
        """The active flow's id."""
        return self.state.get("flow")

    @property
    def step(self) -> str | None:
        """The active flow's current step."""
        return self.state.get("step")

    @property
    def data(self) -> dict[str, Any]:
        """The active flow's own JSON data."""
        return self.state.setdefault("data", {})

    # -- writing ----------------------------------------------------------------------------------------------

    def say(self, key: str, **params: Any) -> None:
        """Add a paragraph to this turn's reply."""
        self._parts.append(Text(key, params))

    def say_first(self, key: str, **params: Any) -> None:
        """Put a paragraph before everything this turn's reply has so far (the emergency route comes first)."""
        self._parts.insert(0, Text(key, params))

    def menu(self, items: list[MenuItem]) -> None:
        """Show a menu with this reply; typed numbers and labels will map onto it."""
        self._menu = list(items)

    def main_menu(self, intro: str | None = "menu.title") -> None:
        """Leave any flow and show the main menu."""
        self.leave()
        if intro:
            self.say(intro)
        items = [MenuItem(f.id, Text(f.label or f.id)) for f in self.ctx.menu_flows()]
        self.menu(items)

    def ask(self, ask: Any) -> Any:
        """A fact only the database knows (see :mod:`helpline.engine.events`): the answer, once the pipeline read it."""
        if ask in self.ctx.answers:
            return self.ctx.answers[ask]
        raise NeedFact(ask)

    def emit(self, event: Event) -> None:
        """Record an event for the service."""
        self.events.append(event)

    def enter(self, flow_id: str, step: str | None = None, data: dict[str, Any] | None = None) -> None:
        """Make a flow active, remembering where we were for BACK."""
        if self.flow:
            history = self.state.setdefault("history", [])
            history.append({"flow": self.flow, "step": self.step, "data": self.data})
            del history[:-HISTORY_LIMIT]
        self.state.update(flow=flow_id, step=step, data=data or {})

    def goto(self, step: str, **data: Any) -> None:
        """Move the active flow to another step, updating its data."""
        self.state["step"] = step
        self.data.update(data)

    def leave(self) -> None:
        """End the active flow and forget its history."""
        for key in ("flow", "step", "data", "history"):
            self.state.pop(key, None)

    def set_language(self, lang: str) -> None:
        """The worker chose a language."""
        self.lang = lang
        self.emit(LanguageChanged(lang, explicit=True))

    def finish(self) -> tuple[dict[str, Any], list[Event]]:
        """Close the turn: one reply event, the menu remembered, the new state."""
        self.state["lang"] = self.lang
        self.state["turns"] = int(self.state.get("turns") or 0) + 1
        if self._parts or self._menu:
            menu = tuple(self._menu or ())
            self.events.append(ReplyCreated(Reply(self.lang, tuple(self._parts), menu)))
            self.state["menu"] = [[m.id, m.label.key, dict(m.label.params)] for m in menu]
        return self.state, self.events


def _global_word(norm: str) -> str | None:
    """Which global word a whole message is, if any."""
    for word, forms in GLOBAL_WORDS.items():
        if norm in forms:
            return word
    return None


def step(state: dict[str, Any], msg: InboundMessage, ctx: Context) -> tuple[dict[str, Any], list[Any]]:
    """Advance one contact's conversation by one inbound message.

    Returns the new state and the events; or, when a flow asked for a fact not in ``ctx.answers``, the state
    unchanged and a single :class:`~helpline.engine.events.FactNeeded` (step again with the answer added).
    """
    turn = Turn(state, msg, ctx)
    try:
        _dispatch(turn, first_contact=not state.get("turns"))
    except NeedFact as need:
        return state, [FactNeeded(need.ask)]
    return turn.finish()


def _dispatch(turn: Turn, *, first_contact: bool) -> None:
    flows = turn.ctx.flows
    if turn.ctx.facts.with_person:
        turn.emit(HandoffMessage())  # unread for staff, whatever the bot says
    if _danger(turn):
        return
    if any(flow.gate(turn) for flow in turn.ctx.gates):
        return
    if not turn.text and not turn.msg.choice and not turn.msg.attachments:
        turn.say("empty")
        return
    if _location_only(turn) and turn.flow in (None, "faq"):  # in a form, the form's flow takes it (as a file)
        turn.say("location.received")  # a shared location (WhatsApp): kept in the log for staff, never a question
        turn.main_menu(None)
        return
    if turn.msg.choice and turn.choice is None and not turn.text:  # a button from a menu no longer shown
        turn.main_menu("choice.invalid")
        return
    if turn.choice is not None:
        chosen = turn.ctx.flow(turn.choice)
        if chosen is not None:
            chosen.start(turn)
            return
        if turn.choice == MAIN_MENU:
            turn.main_menu()
            return
    word = None if turn.choice else _global_word(turn.norm)
    if word == "menu":
        # Telegram's /start opens a conversation (a new chat, or "Restart bot"): greet, don't just list the menu.
        turn.main_menu("welcome" if first_contact or turn.norm in START_COMMAND else "menu.title")
    elif word == "back":
        _back(turn)
    elif word == "help":
        turn.say("help.text")
        turn.main_menu(None)
    elif word == "language" and turn.ctx.flow("language"):
        turn.ctx.flow("language").start(turn)  # type: ignore[union-attr]
    elif turn.norm in LANGUAGE_WORDS:
        turn.set_language(LANGUAGE_WORDS[turn.norm])
        turn.say("lang.set")
        turn.main_menu(None)
    elif (active := turn.ctx.flow(turn.flow)) is not None:
        active.handle(turn)
    elif (any(flow.intercept(turn) for flow in flows) or _small_talk(turn, first_contact)
          or _intent(turn, first_contact)):
        pass
    elif not any(flow.fallback(turn) for flow in flows):
        turn.main_menu("choice.invalid")


MAIN_MENU = "menu.main"  # a menu item id that every flow may offer to go home


def _location_only(turn: Turn) -> bool:
    """A shared location and no words (WhatsApp sends a place as coordinates, :mod:`webhooks.twilio.decode`)."""
    return (not turn.text and not turn.msg.choice and bool(turn.msg.attachments)
            and all(a.kind == "location" for a in turn.msg.attachments))

GREETINGS = _forms(
    "salam", "hello", "hi", "hey", "salam alaikum", "salam alykum", "salam walaikum", "salam alaykum", "سلام",
    "السلام علیکم", "اسلام علیکم", "good morning", "good evening", "hello ji", "hi ji", "salam ji", "salam bhai",
)
THANKS = _forms(
    "thanks", "thank you", "shukriya", "thank you so much", "thanks a lot", "شکریہ", "جزاک اللہ", "jazakallah",
    "jazak allah", "shukriya bhai", "bohat shukriya", "ok thanks", "ok shukriya", "thx",
)


GREETING_WORDS = 4  # "assalam o alaikum bhai": longer than this, a greeting carries a question to answer


def _small_talk(turn: Turn, first_contact: bool) -> bool:
    norm = turn.norm
    salaam = norm.startswith(("salam alaik", normalize("السلام علیک"))) and len(norm.split()) <= GREETING_WORDS
    if norm in GREETINGS or salaam:
        turn.main_menu("welcome" if first_contact else greeting_reply(turn.text))
        return True
    if norm in THANKS or (norm.startswith(("shukriya", "thank", "jazak", "شکریہ", "جزاک")) and len(norm) < 40):
        turn.say("thanks")
        return True
    if first_contact and not turn.norm:
        turn.main_menu("welcome")
        return True
    return False


GREETING_TOKENS = frozenset(normalize(w) for w in (
    "assalam", "asalam", "assalamu", "salam", "salaam", "slam", "aoa", "o", "u", "alaikum", "alaykum", "alykum",
    "alekum", "walaikum", "wa", "hi", "hello", "hey", "hy", "bhai", "bhaijan", "ji", "jee", "sir", "dear", "good",
    "morning", "evening", "السلام", "اسلام", "علیکم", "سلام", "بھائی", "جی", "صاحب"))


SALAAM_TOKENS = frozenset(normalize(w) for w in (
    "assalam", "asalam", "assalamu", "salam", "salaam", "slam", "aoa", "alaikum", "alaykum", "alykum", "alekum",
    "walaikum", "السلام", "اسلام", "علیکم", "سلام", "وعلیکم"))


def greeting_reply(text: str) -> str:
    """The reply in kind: "Wa alaikum assalam" to a salam (``greeting``), "Assalam-o-alaikum" to a hello
    (``greeting.hello``)."""
    words = normalize(text.replace(",", " ").replace("،", " ")).split()
    return "greeting" if any(w in SALAAM_TOKENS for w in words[:GREETING_WORDS]) else "greeting.hello"


def _after_greeting(text: str) -> str:
    """The message without the greeting it starts with ("Assalam o alaikum bhai, ..." → "...")."""
    words = text.replace(",", " ").replace("،", " ").split()
    n = 0
    while n < len(words) and normalize(words[n]) in GREETING_TOKENS:
        n += 1
    return " ".join(words[n:])


# What an intent starts (the flow's id), when the worker is not in the middle of a form.
INTENT_FLOWS = {"complaint_file": "complaint", "complaint_track": "tracking", "status_check": "status_lookup",
                "human": "handoff", "oep_check": "oep"}
# Small talk: a short reply and the main menu (a message key, or None for just the reply).
SMALL_TALK = {"thanks": ("thanks", False), "goodbye": ("smalltalk.goodbye", False),
              "bot_question": ("smalltalk.bot", True), "anyone_there": ("smalltalk.anyone", True),
              "frustration": ("smalltalk.frustration", True)}


def _danger(turn: Turn) -> bool:
    """Danger is heard in every state, before anything else: the worker is told the emergency route at once, in
    their language, and staff see the conversation as urgent (:class:`DangerReported`). Then

    - while a person holds the conversation, that is all the bot says;
    - inside the complaint intake, the intake goes on and keeps the words as part of the story (words only there:
      the model is not asked about a story);
    - a message that opens a complaint ("Complaint: my boss beat me") starts the intake from it;
    - a question the FAQ answers outright with an urgent topic gets that answer (it tells the route too);
    - anywhere else, the worker is told briefly that a person will see it first (the handler queues them once).
    """
    if turn.choice is not None or not turn.text:
        return False
    in_intake = turn.flow == "complaint"
    reason = danger.detect(turn.text, None if in_intake else turn.intent)
    if reason is None:
        return False
    facts = turn.ctx.facts
    if facts.handoff == "held" and facts.handoff_lapsed:  # the hold ran out: end it first, then queue afresh
        turn.emit(HandoffLapsed())
        turn.ctx = dataclasses.replace(turn.ctx, facts=Facts())
        facts = turn.ctx.facts
    turn.emit(DangerReported(reason, turn.text[:500], turn.lang))
    route = {"contacts": turn.ctx.kb.fill("{mission_contacts}", turn.lang)}
    if facts.handoff == "held" or in_intake:
        turn.say_first("faq.urgent", **route)
        return facts.handoff == "held"
    if _opens_complaint(turn):  # "Complaint: my boss beat me": the intake starts from it (staff see it as urgent)
        turn.say_first("faq.urgent", **route)
        return True
    handoff = turn.ctx.flow("handoff")
    if _urgent_answer(turn):  # the answer tells the route too
        if handoff is not None:
            handoff.urgent(turn)  # type: ignore[attr-defined]
        return True
    turn.say_first("faq.urgent", **route)
    turn.leave()
    if handoff is not None:
        handoff.urgent(turn)  # type: ignore[attr-defined]
    else:
        turn.main_menu(None)
    return True


def _urgent_answer(turn: Turn) -> bool:
    """A question the FAQ answers outright with an urgent topic ("my brother is missing for 3 months"): the
    answer, which tells the emergency route too; True if so."""
    faq = turn.ctx.flow("faq")
    if faq is None:
        return False
    match = turn.ctx.matcher.match(turn.text)
    topic = turn.ctx.kb.topics.get(match.topic) if match.decision == "answer" and match.topic else None
    if topic is None or not topic.urgent:
        return False
    faq.question(turn, turn.text)  # type: ignore[attr-defined]
    return True


def _opens_complaint(turn: Turn) -> bool:
    """Whether the message opens a complaint (the complaint flow intercepts it, or it reads as wanting to file
    one), which then starts from it."""
    flow = turn.ctx.flow("complaint")
    if flow is None:
        return False
    if flow.intercept(turn):
        return True
    found = turn.intent
    if found is not None and found[0] == "complaint_file":
        flow.start(turn)
        return True
    return False


def with_team(turn: Turn) -> bool:
    """While the worker waits for a person, a message the bot cannot answer outright gets "your message is with
    the team" (the handoff flow's words) instead of a guess, "no answer yet" or "not something we handle"; True
    if so. Flows that would guess call it first (the FAQ)."""
    handoff = turn.ctx.flow("handoff")
    if turn.ctx.facts.with_person != "waiting" or handoff is None:
        return False
    handoff.with_team(turn)  # type: ignore[attr-defined]
    return True


# Small talk that, while the worker waits for a person, is a question for the team ("is anyone there?").
WAITING_TALK = frozenset({"anyone_there", "frustration"})


def _intent(turn: Turn, first_contact: bool) -> bool:
    """Free text that asks to do something (file or track a complaint, check a status, talk to a person) starts
    that flow; small talk gets a short reply. A greeting that carries a question is left for the FAQ."""
    found = turn.intent
    if found is None:
        return False
    name = found[0]
    if name in INTENT_FLOWS:
        flow = turn.ctx.flow(INTENT_FLOWS[name])
        if flow is None:
            return False
        flow.start(turn)
        return True
    if name == "greeting":
        question = _after_greeting(turn.text)
        faq = turn.ctx.flow("faq")
        if len(question.split()) >= 2 and faq is not None:  # "salam, protector kya hota hai": answer the question
            faq.question(turn, question)  # type: ignore[attr-defined]
            return True
        turn.main_menu("welcome" if first_contact else greeting_reply(turn.text))
        return True
    if name in WAITING_TALK and with_team(turn):
        return True
    if name in SMALL_TALK:
        key, with_menu = SMALL_TALK[name]
        if with_menu:
            turn.main_menu(key)
        else:
            turn.say(key)
        return True
    return False


def _back(turn: Turn) -> None:
    history = turn.state.get("history") or []
    previous = history.pop() if history else None
    flow = turn.ctx.flow(previous["flow"]) if previous else None
    if previous is None or flow is None:
        turn.main_menu()
        return
    turn.state.update(flow=previous["flow"], step=previous["step"], data=previous["data"])
    flow.resume(turn)

