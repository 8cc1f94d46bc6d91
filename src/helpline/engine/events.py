"""What the engine emits, and what it may ask for. Every event and every ask of every flow is named here.

An **event** is a fact about the turn for the pipeline to act on (goflow's ``msg_created``): a reply to send, a
complaint to store. The wiring module (:mod:`helpline.wiring`) gives each event type one handler; an event with
no handler is an error in tests and a logged warning in production (:class:`Event` lists them all).

An **ask** is a fact a flow cannot know before the message arrives (the complaint a worker names, whether a
tracking number and a date of birth unlock a record). The step stops at the ask, the pipeline reads the answer,
and the step runs again with it (:func:`helpline.engine.core.step`). The engine itself reads nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from helpline.messages import Reply

# -- events of the engine itself ---------------------------------------------------------------------------


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


@dataclass(frozen=True)
class SensitiveInbound:
    """The message answers a verification question (a date of birth, CNIC digits): the pipeline logs a placeholder
    instead of its text and keeps it out of the unanswered questions. Emitted by the flow that asked."""

    reason: str  # "verification"


# -- handoff ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HandoffRequested:
    """The worker asked for a person; the handler puts them in the handoff queue."""

    lang: str
    text: str


@dataclass(frozen=True)
class HandoffLapsed:
    """A hold's time ran out while the worker was writing: the bot takes the conversation back."""


@dataclass(frozen=True)
class HandoffMessage:
    """The worker wrote while waiting for a person or while one holds the conversation: unread for staff."""


@dataclass(frozen=True)
class DangerReported:
    """Danger heard in the worker's message, in any state: the handler marks the contact's handoff urgent with
    ``reason`` (in words, for staff), asking for a person if nobody was asked yet."""

    reason: str
    text: str = field(repr=False)
    lang: str


# -- complaints ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintConfirmed:
    """The worker confirmed a draft: store it (once per ``draft_key``) under ``reference``."""

    draft_key: str
    reference: str
    lang: str
    category: str
    country: str | None
    description: str = field(repr=False)
    affected: str
    filer_relation: str | None = field(repr=False)
    worker_name: str | None = field(repr=False)
    worker_cnic: str | None = field(repr=False)
    worker_passport: str | None = field(repr=False)
    employer: str | None = field(repr=False)
    agent: str | None = field(repr=False)
    anonymous: bool
    urgent: bool
    urgent_reason: str | None
    responsible_body: str
    promised_referral_at: str  # ISO 8601, exactly what the worker was told
    promised_resolution_at: str
    started_at: str  # when the draft began: attachments since then are linked
    attachment_refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class ComplaintReopened:
    """The filing contact sent ``REOPEN <ref>`` within the window."""

    reference: str


@dataclass(frozen=True)
class ResolutionConfirmed:
    """The filing contact confirmed that a resolved complaint is solved."""

    reference: str


@dataclass(frozen=True)
class LookupFailed:
    """A ``STATUS <ref>`` lookup failed (unknown reference or wrong verification): counts towards throttling."""

    reference: str | None


# -- passport / protector status ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusChecked:
    """The worker answered the verification question; ``outcome`` is found, no_match, throttled or unreadable.

    The handler withholds the answer from the message log, and records a failure for ``no_match``.
    """

    number: str
    outcome: str

    def __repr__(self) -> str:  # the number stays out of logs
        return f"StatusChecked(outcome={self.outcome!r})"


@dataclass(frozen=True)
class StatusWatchRequested:
    """After a successful lookup, the worker asked to be told when these records change."""

    record_ids: tuple[int, ...]
    lang: str


# -- privacy ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataDeletionRequested:
    """The worker confirmed they want their data deleted: the handler opens a task for an admin (once)."""

    lang: str


Event = (ReplyCreated | LanguageChanged | FaqAnswered | Unanswered | SensitiveInbound | HandoffRequested
         | HandoffLapsed | HandoffMessage | DangerReported
         | ComplaintConfirmed | ComplaintReopened | ResolutionConfirmed | LookupFailed | StatusChecked
         | StatusWatchRequested | DataDeletionRequested)
"""Every event a step can emit."""

EVENT_TYPES: tuple[type, ...] = Event.__args__  # type: ignore[attr-defined]


# -- asks: facts read between steps -------------------------------------------------------------------------


@dataclass(frozen=True)
class NewReference:
    """A complaint reference nobody has yet (canonical form)."""


@dataclass(frozen=True)
class ComplaintLookup:
    """The complaint with this reference, as the asking contact may see it: a ``ComplaintView`` or None."""

    reference: str


@dataclass(frozen=True)
class ComplaintVerify:
    """The complaint if ``last4`` matches the CNIC given at filing (a ``ComplaintView``), else None."""

    reference: str
    last4: str = field(repr=False)


@dataclass(frozen=True)
class LookupFailures:
    """How many failed complaint lookups the asking contact made in the last hour (an int)."""


@dataclass(frozen=True)
class StatusThrottled:
    """Whether this contact (or this number, if given) has used up its failed status lookups (a bool)."""

    number: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class StatusCheck:
    """The status records this number and verification factor unlock, throttle first (a status ``Outcome``)."""

    number: str = field(repr=False)
    factor: Any = field(repr=False)  # helpline.status.factors.Factor


@dataclass(frozen=True)
class OepLookup:
    """Recruiting agents (OEPs) on the registry matching a licence number, or a name narrowed by city: a
    ``(result, views, list date)`` triple: ``result`` one of found, candidates, none, unavailable; views as dicts;
    the newest list's ISO date."""

    licence: str | None = None
    name: str = ""
    city: str | None = None


Ask = (NewReference | ComplaintLookup | ComplaintVerify | LookupFailures | StatusThrottled | StatusCheck
       | OepLookup)
"""Every fact a step can ask for."""

ASK_TYPES: tuple[type, ...] = Ask.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class FactNeeded:
    """The step stopped at an ask: the pipeline answers ``ask`` and steps again (not an event for handlers)."""

    ask: Any
