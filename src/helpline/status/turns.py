"""The status concern's side of a turn: the answers to the lookup flow's asks and the writers of its events.

:mod:`helpline.wiring` says which function takes which ask or event. The answers only read (through a
:class:`RegistryPort` over the turn's session); the failure log and watches are written by the event handlers,
in the turn's transaction. The configuration (pepper, limits) and the :class:`StatusSource` factory are in the
core's config as ``"status.config"`` and ``"status.source"``.

Throttle consistency: turns of one contact are serialised by the service's lock on the contact row (and SQLite
has one writer at a time, taken before the port reads). Two contacts trying the same number at the same moment
on PostgreSQL are serialised by a transaction-scoped advisory lock on the number, taken before counting and
held until the turn commits its failure row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from helpline import throttle
from helpline.engine.events import StatusCheck, StatusChecked, StatusThrottled, StatusWatchRequested
from helpline.pipeline import WITHHELD as pipeline_withheld, TurnScope
from helpline.status import config as status_config
from helpline.status.factors import Factor, number_hash
from helpline.status.lookup import RegistrySource, StatusSource, StatusView
from helpline.status.models import StatusRecord, StatusWatch

WITHHELD = pipeline_withheld  # what the message log keeps of a verification answer


@dataclass(frozen=True)
class Outcome:
    """The answer to one check: ``found`` (with records), ``no_match`` or ``throttled``."""

    result: str
    records: tuple[StatusView, ...] = ()


THROTTLE_SCOPE = "status_lookup"  # keys: contact:<id>, number:<peppered HMAC of the number> (never the number)


def failure_keys(contact_id: int, pepper: bytes, number: str | None) -> tuple[str, ...]:
    """The throttle keys of a lookup: the contact, and the number's peppered hash when there is a number."""
    contact = f"contact:{contact_id}"
    return (contact,) if number is None else (contact, f"number:{number_hash(pepper, number)}")

SourceFactory = Callable[[Session, status_config.StatusConfig], StatusSource]


def registry_source(session: Session, cfg: status_config.StatusConfig) -> StatusSource:
    """The default :class:`StatusSource`: the registry staff import (another, e.g. an upstream API adapter, can
    be put in the core's config as ``"status.source"``)."""
    return RegistrySource(session, cfg.pepper)


class RegistryPort:
    """The status reads of one turn: the failure log for throttling, a :class:`StatusSource` for records."""

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


def _port(scope: TurnScope) -> RegistryPort:
    cfg: status_config.StatusConfig = scope.core.config["status.config"]
    factory: SourceFactory = scope.core.config.get("status.source", registry_source)
    return RegistryPort(scope.session, scope.contact.id, scope.now, cfg, factory(scope.session, cfg))


def throttled(scope: TurnScope, ask: StatusThrottled) -> bool:
    """Whether this contact (or number) has used up its failed lookups for now."""
    return _port(scope).throttled(ask.number)


def check(scope: TurnScope, ask: StatusCheck) -> Outcome:
    """Throttle first, then the records this number and factor unlock."""
    return _port(scope).check(ask.number, ask.factor)


def record_check(scope: TurnScope, event: StatusChecked) -> None:
    """Log a failure for the throttle (the flow marked the answer sensitive: the pipeline never logged its text)."""
    if event.outcome != "no_match":
        return
    cfg: status_config.StatusConfig = scope.core.config["status.config"]
    throttle.record(scope.session, THROTTLE_SCOPE, failure_keys(scope.contact.id, cfg.pepper, event.number), scope.now)
    # Rows older than two windows can no longer throttle anyone.
    throttle.prune(scope.session, scope.now - 2 * cfg.window, scope=THROTTLE_SCOPE)


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
