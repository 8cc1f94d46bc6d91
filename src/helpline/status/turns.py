"""The status concern's side of a turn: the read-only ``status`` port and the writers for its events.

Registered with :mod:`helpline.service` on import (listed in ``CONCERN_MODULES``). The port only reads; the
failure log and watches are written by the event handlers, in the turn's transaction.

Throttle consistency: turns of one contact are serialised by the service's lock on the contact row (and SQLite
has one writer at a time, taken before the port reads). Two contacts trying the same number at the same moment
on PostgreSQL are serialised by a transaction-scoped advisory lock on the number, taken before counting and
held until the turn commits its failure row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Protocol

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from helpline import throttle
from helpline.service import TurnScope, on_event, port
from helpline.status import config as status_config
from helpline.status.events import StatusChecked, StatusWatchRequested
from helpline.status.factors import Factor, number_hash
from helpline.status.lookup import RegistrySource, StatusSource, StatusView
from helpline.status.models import StatusRecord, StatusWatch

WITHHELD = "[status check: verification answer not stored]"


@dataclass(frozen=True)
class Outcome:
    """The answer to one check: ``found`` (with records), ``no_match`` or ``throttled``."""

    result: str
    records: tuple[StatusView, ...] = ()


class StatusPort(Protocol):
    """What the dialog may ask (``ctx.ports["status"]``); reads only."""

    window_minutes: int  # how long a throttle can last, for the message

    def throttled(self, number: str | None = None) -> bool:
        """True when this contact, or this number if given, has used up its failed lookups for now."""
        ...

    def check(self, number: str, factor: Factor) -> Outcome:
        """Throttle first, then the records this number and factor unlock."""
        ...


THROTTLE_SCOPE = "status_lookup"  # keys: contact:<id>, number:<peppered HMAC of the number> (never the number)


def failure_keys(contact_id: int, pepper: bytes, number: str | None) -> tuple[str, ...]:
    """The throttle keys of a lookup: the contact, and the number's peppered hash when there is a number."""
    contact = f"contact:{contact_id}"
    return (contact,) if number is None else (contact, f"number:{number_hash(pepper, number)}")

SourceFactory = Callable[[Session, status_config.StatusConfig], StatusSource]
_source_factory: SourceFactory = lambda session, cfg: RegistrySource(session, cfg.pepper)  # noqa: E731


def use_source(factory: SourceFactory) -> None:
    """Install another :class:`StatusSource` (e.g. an upstream API adapter) for every later turn."""
    global _source_factory
    _source_factory = factory


class RegistryPort:
    """:class:`StatusPort` for one turn: the failure log for throttling, a :class:`StatusSource` for records."""

    def __init__(self, session: Session, contact_id: int, now: datetime, cfg: status_config.StatusConfig,
                 source: StatusSource):
        self.session, self.contact_id, self.now, self.cfg, self.source = session, contact_id, now, cfg, source
        self.window_minutes = int(cfg.window.total_seconds() // 60)

    def __repr__(self) -> str:
        return f"RegistryPort(contact_id={self.contact_id!r})"

    def throttled(self, number: str | None = None) -> bool:
        """True when the contact's or the number's failures in the window reached the limit."""
        keys = failure_keys(self.contact_id, self.cfg.pepper, number)
        counts = throttle.recent_counts(self.session, THROTTLE_SCOPE, keys, self.now - self.cfg.window)  # one query
        return max(counts.values()) >= self.cfg.max_failures

    def check(self, number: str, factor: Factor) -> Outcome:
        """Lock the number (PostgreSQL), apply the throttle, then ask the source."""
        if self.session.get_bind().dialect.name == "postgresql":
            key = int(number_hash(self.cfg.pepper, number)[:15], 16)  # < 2**63, a valid bigint
            self.session.execute(_LOCK, {"key": key})
        if self.throttled(number):
            return Outcome("throttled")
        records = tuple(self.source.find(number, factor))
        return Outcome("found", records) if records else Outcome("no_match")


_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


@port("status")
def status_port(scope: TurnScope) -> RegistryPort:
    """The ``status`` port for one turn."""
    cfg = status_config.current()
    return RegistryPort(scope.session, scope.contact.id, scope.now, cfg, _source_factory(scope.session, cfg))


@on_event(StatusChecked)
def record_check(scope: TurnScope, event: StatusChecked) -> None:
    """Keep the verification answer out of the message log; log a failure for the throttle."""
    scope.inbound.text = WITHHELD
    if event.outcome != "no_match":
        return
    cfg = status_config.current()
    throttle.record(scope.session, THROTTLE_SCOPE, failure_keys(scope.contact.id, cfg.pepper, event.number), scope.now)
    # Rows older than two windows can no longer throttle anyone.
    throttle.prune(scope.session, scope.now - 2 * cfg.window, scope=THROTTLE_SCOPE)


@on_event(StatusWatchRequested)
def create_watches(scope: TurnScope, event: StatusWatchRequested) -> None:
    """Watch each verified record for this contact (again: the language and status are refreshed)."""
    for record_id in event.record_ids:
        record = scope.session.get(StatusRecord, record_id)
        if record is None:
            continue
        query = select(StatusWatch).where(StatusWatch.record_id == record_id, StatusWatch.contact_id == scope.contact.id)
        watch = scope.session.scalars(query).one_or_none()
        if watch is None:
            scope.session.add(StatusWatch(record_id=record_id, contact_id=scope.contact.id, lang=event.lang,
                                          last_status=record.status, last_office=record.office, created_at=scope.now))
        else:
            watch.lang, watch.last_status, watch.last_office = event.lang, record.status, record.office


def apply_settings(settings: Any) -> None:
    """Use the deployment's pepper and throttle limits (called by ``Core.from_settings``)."""
    status_config.configure(status_config.from_settings(settings))
