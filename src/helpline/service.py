"""The one place that does I/O for a conversation turn.

:func:`handle_inbound` runs inside the caller's transaction (it receives a session, never creates one): it
de-duplicates on the provider's message id, loads the contact's state, steps the pure engine, and stores the new
state, the inbound and outbound messages and any unanswered question. :func:`run_turn` is the convenience
wrapper channels use: one transaction per turn, and a concurrent redelivery that loses the race on the unique
constraint is retried once, which reports it as a duplicate instead of an error.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from collections.abc import Iterator, Mapping
from typing import Any, Callable, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from helpline import engine as eng
from helpline import kb as kb_mod
from helpline.engine.events import LanguageChanged, ReplyCreated, Unanswered
from helpline.i18n import I18n, load_catalogs
from helpline.matcher import Matcher
from helpline.menus import layout
from helpline.messages import InboundMessage, Reply
from helpline.storage.models import Contact, Conversation, Message, UnansweredQuestion
from helpline.text import normalize

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    """The real clock (injected everywhere else)."""
    return datetime.now(timezone.utc)


@dataclass
class Core:
    """What a turn needs besides the database, built once at start-up and shared by every request."""

    kb: kb_mod.KnowledgeBase
    matcher: Matcher
    i18n: I18n
    default_lang: str = "en"
    clock: Callable[[], datetime] = utcnow

    @classmethod
    def load(cls, locales_dir: Path, deployment_file: Path | None = None, default_lang: str = "en") -> Core:
        """Read the knowledge base and catalogs from ``locales_dir`` and build the matcher index."""
        eng.load_flows()
        for module in CONCERN_MODULES:
            importlib.import_module(module)
        kb = kb_mod.load(locales_dir, deployment_file)
        return cls(kb, Matcher(kb), I18n(load_catalogs(locales_dir), kb, default_lang), default_lang)

    @classmethod
    def from_settings(cls, settings: Any) -> Core:
        """The core for a process (web app, CLI): loaded from the settings' paths, concerns configured from them."""
        core = cls.load(settings.locales_dir, settings.deployment_file, settings.default_language)
        for module in CONCERN_MODULES:
            apply = getattr(importlib.import_module(module), "apply_settings", None)
            if apply is not None:
                apply(settings)
        return core

    def context(self, now: datetime | None = None, ports: Mapping[str, Any] | None = None) -> eng.Context:
        """A fresh engine context with the clock read once for this turn."""
        return eng.Context(now=now or self.clock(), kb=self.kb, matcher=self.matcher, i18n=self.i18n,
                           default_lang=self.default_lang, ports=ports or {})

    def render(self, reply: Reply) -> RenderedReply:
        """Resolve a reply's keys into words in its language."""
        return RenderedReply(
            lang=reply.lang,
            paragraphs=[self.i18n.render(t, reply.lang) for t in reply.parts],
            menu=[(m.id, self.i18n.render(m.label, reply.lang)) for m in reply.menu],
        )


@dataclass
class RenderedReply:
    """A reply in words, ready for a channel to lay out (numbered lines on SMS, buttons on Telegram)."""

    lang: str
    paragraphs: list[str]
    menu: list[tuple[str, str]] = field(default_factory=list)

    def plain(self) -> str:
        """The channel-neutral text form stored in the message log: paragraphs, then a numbered menu."""
        return layout(self.paragraphs, self.menu)


@dataclass
class TurnScope:
    """What an event handler or port factory may use: the turn's session, contact, inbound row and clock."""

    session: Session
    contact: Contact
    inbound: Message
    now: datetime
    core: Core
    replies: list[RenderedReply]

    def reply(self, reply: Reply) -> RenderedReply:
        """Render a reply to the inbound message and hand it to the channel; it is logged when the turn ends."""
        rendered = self.core.render(reply)
        self.replies.append(rendered)
        return rendered


class ChannelRules(Protocol):
    """A channel's own rules around the engine (SMS: opt-out keywords, MORE paging), in the turn's transaction.

    ``before`` sees every new inbound message first and returns True when it handled it (the engine does not
    run); ``after`` may reshape ``scope.replies`` (e.g. into SMS pages) and the state once the engine ran. The
    replies are logged after both, so the message log holds exactly what the channel sends.
    """

    def before(self, scope: TurnScope, state: dict[str, Any]) -> bool: ...

    def after(self, scope: TurnScope, state: dict[str, Any]) -> None: ...


EventHandler = Callable[[TurnScope, Any], None]
PortFactory = Callable[[TurnScope], Any]
EVENT_HANDLERS: dict[type, EventHandler] = {}
# Modules that register event handlers and ports for a concern; imported by Core.load. A module may define
# ``apply_settings(settings)``: Core.from_settings calls it (promised dates, peppers, limits).
CONCERN_MODULES: tuple[str, ...] = ("helpline.console.holds", "helpline.status.turns", "helpline.complaints.turns")
PORTS: dict[str, PortFactory] = {}


def on_event(event_type: type) -> Callable[[EventHandler], EventHandler]:
    """Register the writer for a concern's engine event (e.g. ``ComplaintConfirmed`` → store the complaint)."""

    def deco(fn: EventHandler) -> EventHandler:
        EVENT_HANDLERS[event_type] = fn
        return fn

    return deco


def port(name: str) -> Callable[[PortFactory], PortFactory]:
    """Register a factory for a read-only port the engine sees as ``ctx.ports[name]`` during a turn."""

    def deco(fn: PortFactory) -> PortFactory:
        PORTS[name] = fn
        return fn

    return deco


class LazyPorts(Mapping[str, Any]):
    """The turn's ports, each built on first use (most turns need none, and each may cost a query)."""

    def __init__(self, scope: TurnScope):
        self._scope = scope
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            self._built[name] = PORTS[name](self._scope)
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(PORTS)

    def __len__(self) -> int:
        return len(PORTS)


@dataclass
class TurnResult:
    """What a turn produced for the channel to send."""

    replies: list[RenderedReply]
    duplicate: bool = False
    contact_id: int | None = None
    opted_out: bool = False
    inbound_id: int | None = None  # the logged inbound message (the earlier one, for a duplicate)


def stored_replies(session: Session, inbound_id: int) -> list[RenderedReply]:
    """The replies logged for an inbound message, in order: what a redelivery must be answered with again."""
    rows = session.scalars(select(Message).where(Message.reply_to_id == inbound_id, Message.direction == "out")
                           .order_by(Message.id))
    return [RenderedReply(lang=row.lang or "en", paragraphs=[row.text]) for row in rows]


def contact_for(session: Session, address: str, channel: str, now: datetime) -> Contact:
    """The contact at an address, locked for this transaction; created on first contact."""
    query = select(Contact).where(Contact.address == address).with_for_update()
    contact = session.scalars(query).one_or_none()
    if contact is None:
        contact = Contact(address=address, channel=channel, created_at=now, last_seen_at=now)
        session.add(contact)
        session.flush()
    contact.last_seen_at = now
    return contact


def _already_seen(session: Session, msg: InboundMessage) -> tuple[int, int] | None:
    """``(message id, contact id)`` of an earlier delivery of this provider message, if any (every turn asks)."""
    if not msg.provider_id:
        return None
    query = select(Message.id, Message.contact_id).where(
        Message.channel == msg.channel, Message.direction == "in", Message.provider_id == msg.provider_id
    )
    row = session.execute(query).first()
    return (row[0], row[1]) if row else None


def handle_inbound(session: Session, msg: InboundMessage, core: Core, rules: ChannelRules | None = None) -> TurnResult:
    """Process one inbound message inside the caller's transaction (``rules``: the channel's, if it has any)."""
    seen = _already_seen(session, msg)
    if seen is not None:
        log.info("duplicate inbound %s/%s ignored", msg.channel, msg.provider_id)
        return TurnResult(replies=[], duplicate=True, contact_id=seen[1], inbound_id=seen[0])
    now = core.clock()
    contact = contact_for(session, msg.address, msg.channel, now)
    attachments = [{"kind": a.kind, "ref": a.ref, "content_type": a.content_type} for a in msg.attachments]
    inbound = Message(contact_id=contact.id, direction="in", channel=msg.channel, provider_id=msg.provider_id,
                      text=msg.text or "", attachments=attachments or None, created_at=now)
    session.add(inbound)
    session.flush()  # a concurrent redelivery fails here, on the unique constraint, before any other work
    replies: list[RenderedReply] = []
    scope = TurnScope(session=session, contact=contact, inbound=inbound, now=now, core=core, replies=replies)
    ctx = core.context(now, LazyPorts(scope))
    # Read the state only now, after the contact row is locked: joined into the locking query, PostgreSQL would
    # return the state as it was when the statement started, and concurrent turns would all act on it (tried:
    # 8 concurrent "yes" then filed 8 complaints; tests/complaints/test_concurrency.py catches it).
    conversation = session.get(Conversation, contact.id)
    state = dict(conversation.state) if conversation else {}
    if not state.get("lang") and contact.language:
        state["lang"] = contact.language
    engine_ran = rules is None or not rules.before(scope, state)
    new_state, events = eng.step(state, msg, ctx) if engine_ran else (state, [])
    for event in events:
        if isinstance(event, ReplyCreated):
            scope.reply(event.reply)
        elif isinstance(event, LanguageChanged):
            contact.language = event.lang
        elif isinstance(event, Unanswered):
            session.add(UnansweredQuestion(contact_id=contact.id, text=event.text, normalized=normalize(event.text)[:500],
                                           lang=event.lang, best_topic=event.best_topic, best_score=event.score,
                                           created_at=now))
        elif type(event) in EVENT_HANDLERS:
            EVENT_HANDLERS[type(event)](scope, event)
    if rules is not None and engine_ran:
        rules.after(scope, new_state)
    for rendered in replies:
        session.add(Message(contact_id=contact.id, direction="out", channel=inbound.channel, reply_to_id=inbound.id,
                            text=rendered.plain(), lang=rendered.lang, status="created", created_at=now))
    inbound.lang = new_state.get("lang")
    if conversation is None:
        session.add(Conversation(contact_id=contact.id, state=new_state, updated_at=now))
    else:
        conversation.state = new_state
        conversation.updated_at = now
    session.flush()
    return TurnResult(replies=replies, contact_id=contact.id, opted_out=contact.opted_out, inbound_id=inbound.id)


def run_turn(sessions: sessionmaker[Session], msg: InboundMessage, core: Core,
             rules: ChannelRules | None = None, *,
             then: Callable[[Session, TurnResult], None] | None = None) -> TurnResult:
    """One turn in its own transaction; a redelivery racing the first delivery is reported as a duplicate.

    ``then`` runs inside the same transaction after the turn (Telegram queues the replies in the outbox there,
    so a reply exists if and only if the turn was committed).
    """

    def turn(session: Session) -> TurnResult:
        result = handle_inbound(session, msg, core, rules)
        if then is not None:
            then(session, result)
        return result

    try:
        with sessions.begin() as session:
            return turn(session)
    except IntegrityError:
        # A concurrent delivery won a unique constraint: the same provider id (the retry finds it and reports a
        # duplicate) or the same new address (the retry finds the contact). Either way, one more try settles it.
        log.info("turn for %s raced another delivery; retrying once", msg.channel)
    with sessions.begin() as session:
        return turn(session)
