"""The turn pipeline: the one place that does I/O for a conversation turn, in one transaction.

Every channel runs a turn the same way, in one function of its own that reads top to bottom
(``webhooks.twilio.turn.sms_turn``, ``bot.turn.telegram_turn``, :func:`run_turn` for a channel without rules):

1. :func:`open_turn` — lock the contact (creating it on first contact), then in one query load the conversation
   state, the channel's own state (the SMS pager), the facts the engine needs (is a person holding the
   conversation?) and whether this provider message was seen before (a redelivery is answered from the log);
2. the channel's own keywords (SMS: STOP/START/HELP/MORE), which may end the turn here;
3. :func:`step` — the pure engine, stepped again with the answer whenever a flow asks for a fact;
4. the channel's rendering (SMS: one body within the segment budget, the rest kept for MORE);
5. :func:`close_turn` — log the inbound message, hand each event to its handler, log (or queue) the replies,
   save the state. :func:`transact` runs it all in one transaction, retrying a race on a unique constraint.

A handler (:data:`Handler`) writes one kind of event (store a complaint, queue a handoff); an answerer
(:data:`Answerer`) reads one kind of ask. Both get the :class:`TurnScope`. :mod:`helpline.wiring` says which
handles what; an event with no handler raises :class:`~helpline.errors.UnhandledEvent` when ``Core.strict``
(tests) and is logged otherwise.

Statements for a FAQ turn of a known contact: the lock (an UPDATE that returns the contact), the load, the
inbound INSERT, the reply INSERT, the state UPDATE — five, one commit. Telegram adds the outbox row.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, and_, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from helpline import engine as eng
from helpline import media, outbox
from helpline.engine.events import FactNeeded, LanguageChanged, ReplyCreated, SensitiveInbound, Unanswered
from helpline.errors import UnhandledEvent
from helpline.handoff.models import HANDOFF_ACTIVE, Handoff
from helpline.i18n import I18n
from helpline.kb import KnowledgeBase
from helpline.matcher import Matcher
from helpline.menus import layout
from helpline.messages import InboundMessage, Reply
from helpline.privacy import mask_identity
from helpline.storage.models import Contact, Conversation, Message, UnansweredQuestion
from helpline.teaching import worth_teaching
from helpline.text import normalize

log = logging.getLogger(__name__)

MAX_ASKS = 6  # a step that asks more often than this is a bug in a flow
RACE_RETRIES = 3  # a unique-constraint race (first contact, redelivery) settles on the next try
T = TypeVar("T")


def utcnow() -> datetime:
    """The real clock (injected everywhere else)."""
    return datetime.now(timezone.utc)


Handler = Callable[["TurnScope", Any], None]
Answerer = Callable[["TurnScope", Any], Any]


@dataclass
class Core:
    """What a turn needs besides the database, built once at start-up by :mod:`helpline.wiring`."""

    kb: KnowledgeBase
    matcher: Matcher
    i18n: I18n
    default_lang: str = "en"
    clock: Callable[[], datetime] = utcnow
    new_id: Callable[[], str] = field(default=lambda: uuid.uuid4().hex)
    flows: tuple[eng.Flow, ...] = ()
    gates: tuple[eng.Flow, ...] = ()
    menu: tuple[str, ...] = ()
    handlers: Mapping[type, Handler] = field(default_factory=dict)
    answerers: Mapping[type, Answerer] = field(default_factory=dict)
    config: Mapping[str, Any] = field(default_factory=dict)  # the concerns' policies, e.g. "complaints.policy"
    strict: bool = False  # an event without a handler raises (tests) instead of being logged
    locales_dir: Path | None = None  # where the matcher's training data is (for retraining)
    cache_dir: Path | None = None  # where trained models are cached
    taught: str | None = None  # the fingerprint of the staff-taught examples the matcher was trained with

    def retrain(self, sessions: sessionmaker[Session]) -> bool:
        """Train the matcher again with what staff taught (stored in the database), if that changed since the
        last training, and use it from the next turn on; True when it changed. A model for the same examples
        comes from the cache."""
        from helpline import teaching
        from helpline.classifier import TrainedMatcher

        with sessions() as session:
            version = teaching.version(session)
            if version == self.taught:
                return False
            extra = teaching.examples(session)
        if not extra and self.taught is None:  # nothing taught yet: the matcher from locales/ is the right one
            self.taught = version
            return False
        self.matcher = TrainedMatcher(self.kb, locales_dir=self.locales_dir, cache_dir=self.cache_dir, extra=extra)
        self.taught = version
        log.info("the matcher was trained again with %d example(s) taught by staff", len(extra))
        return True

    def context(self, now: datetime | None = None, facts: eng.Facts | None = None,
                answers: Mapping[Any, Any] | None = None) -> eng.Context:
        """A fresh engine context with the clock read once for this turn."""
        return eng.Context(now=now or self.clock(), kb=self.kb, matcher=self.matcher, i18n=self.i18n,
                           default_lang=self.default_lang, new_id=self.new_id, flows=self.flows, gates=self.gates,
                           menu=self.menu, facts=facts or eng.Facts(), answers=answers or {}, config=self.config)

    def render(self, reply: Reply, channel: str | None = None) -> RenderedReply:
        """Resolve a reply's keys into words in its language; on a ``channel`` with wordings of its own (SMS: the
        ``K.sms`` short labels and questions), those."""
        words = self.i18n
        return RenderedReply(
            lang=reply.lang,
            paragraphs=[words.render(words.variant(t, channel, reply.lang), reply.lang) for t in reply.parts],
            menu=[(m.id, words.render(words.variant(m.label, channel, reply.lang), reply.lang)) for m in reply.menu],
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
class ContactRow:
    """The turn's contact, as the locking statement returned it; changed fields are written when the turn closes."""

    id: int
    address: str
    channel: str
    language: str | None
    opted_out: bool
    opted_out_at: datetime | None = None
    changed: set[str] = field(default_factory=set)

    def set(self, **values: Any) -> None:
        """Change fields, to be written by :func:`close_turn`."""
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)
                self.changed.add(name)

    def __repr__(self) -> str:  # never the address: it is a phone number
        return f"ContactRow(id={self.id!r}, channel={self.channel!r})"


@dataclass
class TurnScope:
    """One open turn: what :func:`open_turn` loaded, what the step produced, what :func:`close_turn` writes.

    Handlers and answerers get it: ``session`` (the turn's transaction), ``contact``, ``now``, ``core``,
    ``inbound_id`` (the logged inbound message, once :func:`close_turn` wrote it) and ``inbound_text`` (what is
    logged as the worker's words; a handler may withhold it, e.g. a verification answer).
    """

    session: Session
    core: Core
    msg: InboundMessage
    now: datetime
    contact: ContactRow
    state: dict[str, Any]
    pager: dict[str, Any] | None  # the channel's own state (SMS: pages waiting for MORE); never the engine's
    facts: eng.Facts
    new_conversation: bool
    duplicate_of: int | None = None  # the earlier delivery's logged message id
    events: list[Any] = field(default_factory=list)
    inbound_id: int | None = None
    inbound_text: str = ""

    @property
    def duplicate(self) -> bool:
        """This provider message was handled before: answer it from the log, run nothing."""
        return self.duplicate_of is not None


@dataclass
class TurnResult:
    """What a turn produced for the channel to send."""

    replies: list[RenderedReply]
    duplicate: bool = False
    contact_id: int | None = None
    opted_out: bool = False
    inbound_id: int | None = None  # the logged inbound message (the earlier one, for a duplicate)


# -- 1. open -----------------------------------------------------------------------------------------------


def language_of(chosen: str | None, state: Mapping[str, Any] | None, fallback: str) -> str:
    """The language to write to a contact in: the one the conversation last replied in (what they read now),
    else the one they chose, else ``fallback``. The one place this precedence is decided."""
    return (state or {}).get("lang") or chosen or fallback


def contact_language(session: Session, contact_id: int, fallback: str) -> str:
    """:func:`language_of` for a message outside a turn (a staff reply, a case update, a status alert);
    ``fallback`` is the language of what the message is about (the complaint's, the watch's), or the default."""
    row = session.execute(select(Contact.language, Conversation.state).outerjoin(
        Conversation, Conversation.contact_id == Contact.id).where(Contact.id == contact_id)).first()
    return language_of(row[0], row[1], fallback) if row else fallback


# The hot path's statements, built once: Core statements on the tables (no ORM unit of work), their parameters
# bound per turn, so SQLAlchemy compiles each one once per process.
_contacts, _conversations, _messages, _handoffs = (Contact.__table__, Conversation.__table__, Message.__table__,
                                                   Handoff.__table__)
_RETURNED = (_contacts.c.id, _contacts.c.address, _contacts.c.channel, _contacts.c.language, _contacts.c.opted_out,
             _contacts.c.opted_out_at)
_TOUCH = (update(_contacts).where(_contacts.c.address == bindparam("p_address"))
          .values(last_seen_at=bindparam("p_now"), unreachable_at=None).returning(*_RETURNED))
_CREATE = (insert(_contacts).values(address=bindparam("p_address"), channel=bindparam("p_channel"), opted_out=False,
                                    created_at=bindparam("p_now"), last_seen_at=bindparam("p_now"))
           .returning(*_RETURNED))
_SEEN = (select(_messages.c.id).where(_messages.c.channel == bindparam("p_channel"), _messages.c.direction == "in",
                                      _messages.c.provider_id == bindparam("p_provider_id"))
         .limit(1).scalar_subquery())
_HELD = (select(func.max(_handoffs.c.id)).where(_handoffs.c.contact_id == _contacts.c.id,
                                                 _handoffs.c.status.in_(HANDOFF_ACTIVE))
         .correlate(_contacts).scalar_subquery())
# Read only after the contact row is locked: joined into the locking statement, PostgreSQL would return the state
# as it was when that statement started, and concurrent turns would all act on it (tried: 8 concurrent "yes"
# then filed 8 complaints; tests/complaints/test_concurrency.py catches it).
_LOAD = (select(_conversations.c.state, _conversations.c.pager, _handoffs.c.status, _handoffs.c.until, _SEEN,
                _handoffs.c.id)
         .select_from(_contacts.outerjoin(_conversations, _conversations.c.contact_id == _contacts.c.id)
                      .outerjoin(_handoffs, _handoffs.c.id == _HELD))
         .where(_contacts.c.id == bindparam("p_contact_id")))
_LOG_IN = insert(_messages).returning(_messages.c.id)
_LOG_OUT = insert(_messages)
_SAVE = (update(_conversations).where(_conversations.c.contact_id == bindparam("p_contact_id"))
         .values(state=bindparam("p_state"), pager=bindparam("p_pager"), updated_at=bindparam("p_now")))
_START = insert(_conversations)


def open_turn(session: Session, msg: InboundMessage, core: Core) -> TurnScope:
    """Lock the contact and load everything the turn needs (two statements for a known contact)."""
    now = core.clock()
    db = session.connection()
    contact = _lock_contact(db, msg, now)
    row = db.execute(_LOAD, {"p_contact_id": contact.id, "p_channel": msg.channel,
                             "p_provider_id": msg.provider_id}).one()
    state, pager, handoff, until, duplicate_of, handoff_id = row
    state = dict(state) if state is not None else None
    facts = eng.Facts(handoff=handoff, handoff_lapsed=handoff == "held" and until is not None and until <= now,
                      handoff_id=handoff_id)
    scope = TurnScope(session=session, core=core, msg=msg, now=now, contact=contact, state=state or {},
                      pager=dict(pager) if pager else None, facts=facts, new_conversation=state is None,
                      duplicate_of=duplicate_of, inbound_text=msg.text or "")
    scope.state["lang"] = language_of(contact.language, scope.state, core.default_lang)
    return scope


def _lock_contact(db: Connection, msg: InboundMessage, now: datetime) -> ContactRow:
    """The contact at the message's address, locked for this transaction (an UPDATE takes the row lock and, on
    SQLite, the write lock); created on first contact. The worker wrote to us, so they are reachable again."""
    params = {"p_address": msg.address, "p_now": now, "p_channel": msg.channel}
    row = db.execute(_TOUCH, params).first()
    if row is None:  # first contact: the new row is ours until commit; a concurrent one fails here and is retried
        row = db.execute(_CREATE, params).one()
    return ContactRow(*row)


# -- 3. step -----------------------------------------------------------------------------------------------


def step(scope: TurnScope) -> list[RenderedReply]:
    """Step the engine, answering its asks between steps; the replies in words (the events wait for close)."""
    answers: dict[Any, Any] = {}
    for _ in range(MAX_ASKS + 1):
        state, events = eng.step(scope.state, scope.msg, scope.core.context(scope.now, scope.facts, answers))
        if len(events) == 1 and isinstance(events[0], FactNeeded):
            ask = events[0].ask
            answers[ask] = _answerer(scope.core, ask)(scope, ask)
            continue
        scope.state, scope.events = state, events
        return [scope.core.render(e.reply, scope.msg.channel) for e in events if isinstance(e, ReplyCreated)]
    raise RuntimeError(f"a flow asked more than {MAX_ASKS} times in one step")


def _answerer(core: Core, ask: Any) -> Answerer:
    try:
        return core.answerers[type(ask)]
    except KeyError:
        raise UnhandledEvent(f"nothing answers {type(ask).__name__}: add it in helpline.wiring") from None


# -- 5. close ----------------------------------------------------------------------------------------------


def close_turn(scope: TurnScope, replies: list[RenderedReply], *,
               queue_for: str | None = None) -> list[outbox.Claimed]:
    """Log the inbound message, run the events' handlers, log the replies and save the state.

    ``replies`` are what the channel sends, as it sends them (SMS: the page that went out). With ``queue_for``
    (a worker name) each reply is also put in the outbox, already claimed by that worker so the channel can
    deliver it right after commit without reading them back: their snapshots are returned.
    """
    session, contact, now = scope.session, scope.contact, scope.now
    attachments = [{"kind": a.kind, "ref": a.ref, "content_type": a.content_type} for a in scope.msg.attachments]
    _withhold_sensitive(scope)
    scope.inbound_id = session.connection().execute(_LOG_IN, {
        "contact_id": contact.id, "direction": "in", "channel": scope.msg.channel, "reply_to_id": None,
        "provider_id": scope.msg.provider_id, "text": scope.inbound_text, "lang": scope.state.get("lang"),
        "status": None, "attachments": attachments or None, "created_at": now}).scalar_one()
    if attachments:  # provider media URLs, fetched later by the worker loop (helpline.media)
        media.enqueue(session, contact.id, scope.inbound_id, scope.msg.channel, scope.msg.attachments, now)
    for event in scope.events:
        if not isinstance(event, ReplyCreated):
            _handle(scope, event)
    session.flush()  # what the handlers added through the ORM, before the log refers to it
    queued: list[outbox.Claimed] = []
    if queue_for is not None:
        for r in replies:
            logged = Message(contact_id=contact.id, direction="out", channel=scope.msg.channel,
                             reply_to_id=scope.inbound_id, text=r.plain(), lang=r.lang, created_at=now)
            session.add(logged)
            row = outbox.enqueue(session, contact, r.paragraphs, kind=REPLY_KIND, lang=r.lang, now=now, menu=r.menu,
                                 logged=logged, claim_for=queue_for)
            queued.append(outbox.Claimed.of(row))
    elif replies:
        session.connection().execute(_LOG_OUT, [
            {"contact_id": contact.id, "direction": "out", "channel": scope.msg.channel, "provider_id": None,
             "reply_to_id": scope.inbound_id, "text": r.plain(), "lang": r.lang, "status": "created",
             "attachments": None, "created_at": now} for r in replies])
    _save(scope)
    return queued


REPLY_KIND = "reply"  # the outbox kind of a turn's own replies
WITHHELD = "[status check: verification answer not stored]"  # logged instead of a verification answer


def _withhold_sensitive(scope: TurnScope) -> None:
    """What of the worker's words may be kept, decided before anything is written: a verification answer (a date
    of birth, CNIC digits: the flow that asked says so) is logged as :data:`WITHHELD` and is never an unanswered
    question; any other message is logged with its CNIC and passport numbers masked (they are kept, encrypted, on
    the complaint that needs them)."""
    if any(isinstance(e, SensitiveInbound) for e in scope.events):
        scope.inbound_text = WITHHELD
        scope.events = [e for e in scope.events if not isinstance(e, (Unanswered, SensitiveInbound))]
    else:
        scope.inbound_text = mask_identity(scope.inbound_text)


def _handle(scope: TurnScope, event: Any) -> None:
    handler = scope.core.handlers.get(type(event))
    if handler is not None:
        handler(scope, event)
    elif scope.core.strict:
        raise UnhandledEvent(f"no handler for {type(event).__name__}: add one in helpline.wiring")
    else:
        log.warning("no handler for event %s; ignored", type(event).__name__)


def _save(scope: TurnScope) -> None:
    session, contact = scope.session, scope.contact
    if contact.changed:
        values = {name: getattr(contact, name) for name in contact.changed}
        session.execute(update(Contact).where(Contact.id == contact.id).values(**values))
        contact.changed.clear()
    db = session.connection()
    if scope.new_conversation:
        db.execute(_START, {"contact_id": contact.id, "state": scope.state, "pager": scope.pager,
                            "updated_at": scope.now})
    else:
        db.execute(_SAVE, {"p_contact_id": contact.id, "p_state": scope.state, "p_pager": scope.pager,
                           "p_now": scope.now})


def stored_replies(session: Session, inbound_id: int) -> list[RenderedReply]:
    """The replies logged for an inbound message, in order: what a redelivery must be answered with again."""
    rows = session.execute(select(Message.text, Message.lang).where(
        and_(Message.reply_to_id == inbound_id, Message.direction == "out")).order_by(Message.id))
    return [RenderedReply(lang=lang or "en", paragraphs=[text]) for text, lang in rows]


class SqliteWriter:
    """Turns on one SQLite file take their turn here: the threads of a process on a lock, the processes on an
    ``flock`` of a file beside the database.

    SQLite has one writer at a time, and a turn writes from its first statement. Left to SQLite's busy handler,
    a waiting turn sleeps and polls (1, 2, 5 … 100 ms), so the slowest turns waited far longer than the turns
    ahead of them took; a kernel lock wakes the next writer as soon as the last one commits.
    """

    def __init__(self) -> None:
        self._thread_lock = threading.Lock()

    @contextlib.contextmanager
    def hold(self, database: str | None) -> Iterator[None]:
        """Hold the writer's turn for ``database`` (a file path; nothing to share for an in-memory database)."""
        with self._thread_lock:
            if not database or database == ":memory:":
                yield
                return
            fd = os.open(f"{database}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # releases the flock


_SQLITE_WRITER = SqliteWriter()


def transact(sessions: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction; a race on a unique constraint (a first contact or a redelivery arriving
    twice at once) is run again, and the next try finds the winner's rows. On SQLite, turns queue for the one
    writer in :class:`SqliteWriter`."""
    bind = sessions.kw["bind"]
    sqlite = bind.dialect.name == "sqlite"
    for attempt in range(RACE_RETRIES):
        try:
            writer = _SQLITE_WRITER.hold(bind.url.database) if sqlite else contextlib.nullcontext()
            with writer, sessions.begin() as session:
                return work(session)
        except IntegrityError:
            if attempt == RACE_RETRIES - 1:
                raise
            log.info("a turn raced another delivery; trying again")
    raise AssertionError("unreachable")


# -- the engine's own events -------------------------------------------------------------------------------


def on_language_changed(scope: TurnScope, event: LanguageChanged) -> None:
    """Remember a language the worker chose (written when the turn closes); a detected one lives in the state."""
    if event.explicit:
        scope.contact.set(language=event.lang)


def on_unanswered(scope: TurnScope, event: Unanswered) -> None:
    """Keep a question the knowledge base could not answer, for staff (not keywords, numbers or a stray letter)."""
    if not worth_teaching(event.text):
        return
    text = mask_identity(event.text)  # identity numbers are no part of a question
    scope.session.add(UnansweredQuestion(contact_id=scope.contact.id, text=text,
                                         normalized=normalize(text)[:500], lang=event.lang,
                                         best_topic=event.best_topic, best_score=event.score, created_at=scope.now))


def ignore(scope: TurnScope, event: Any) -> None:
    """For events that are facts for tests and logs only (e.g. ``FaqAnswered``)."""


# -- a channel without rules of its own ---------------------------------------------------------------------


def run_turn(sessions: sessionmaker[Session], msg: InboundMessage, core: Core) -> TurnResult:
    """One turn of a channel with no keywords or paging of its own: open, step, close, in one transaction."""

    def turn(session: Session) -> TurnResult:
        scope = open_turn(session, msg, core)
        if scope.duplicate:
            return TurnResult([], duplicate=True, contact_id=scope.contact.id, inbound_id=scope.duplicate_of)
        replies = step(scope)
        close_turn(scope, replies)
        return TurnResult(replies, contact_id=scope.contact.id, opted_out=scope.contact.opted_out,
                          inbound_id=scope.inbound_id)

    return transact(sessions, turn)
