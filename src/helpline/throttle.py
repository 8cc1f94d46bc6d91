"""Recent failures, counted to throttle guessing: one table (``throttle_failures``) shared by every concern.

Each concern keeps its own policy (limits, windows, which keys, locks, what it answers); this module only
stores failures and counts them. A failure is recorded under a ``scope`` (``"login"``, ``"status_lookup"``,
``"complaint_lookup"``) and one or more short keys, one row per key: ``user:<name>``, ``ip:<addr>``,
``contact:<id>``, ``number:<hmac>``. A key never holds a phone number, CNIC or tracking number in the clear:
hash those first (see ``helpline.status.factors.number_hash``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Index, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from helpline.storage.models import Base

SCOPE_LEN = 32
KEY_LEN = 100


class Failure(Base):
    """One failed attempt under one key of one scope; only the counts of recent rows matter."""

    __tablename__ = "throttle_failures"
    __table_args__ = (Index("ix_throttle_failures_scope_key_at", "scope", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(SCOPE_LEN))
    key: Mapped[str] = mapped_column(String(KEY_LEN))
    at: Mapped[datetime]

    def __repr__(self) -> str:  # the key may be an address: not in reprs
        return f"Failure(id={self.id!r}, scope={self.scope!r})"


def _key(key: str) -> str:
    """Keys longer than the column are cut the same way when stored and when counted."""
    return key[:KEY_LEN]


def recent(session: Session, scope: str, key: str, since: datetime) -> int:
    """How many failures ``key`` has in ``scope`` after ``since``."""
    query = select(func.count(Failure.id)).where(Failure.scope == scope, Failure.key == _key(key), Failure.at > since)
    return int(session.scalar(query) or 0)


def recent_counts(session: Session, scope: str, keys: Iterable[str], since: datetime) -> dict[str, int]:
    """Failures after ``since`` for each of ``keys`` in ``scope``, in one statement (0 for keys with none)."""
    keys = list(keys)
    if not keys:
        return {}
    query = (select(Failure.key, func.count(Failure.id))
             .where(Failure.scope == scope, Failure.key.in_({_key(k) for k in keys}), Failure.at > since)
             .group_by(Failure.key))
    found = {stored: int(n) for stored, n in session.execute(query)}
    return {k: found.get(_key(k), 0) for k in keys}


def record(session: Session, scope: str, keys: Iterable[str], now: datetime) -> None:
    """Add one failure at ``now`` under each of ``keys`` (in the caller's transaction)."""
    session.add_all([Failure(scope=scope, key=_key(k), at=now) for k in dict.fromkeys(keys)])


def prune(session: Session, before: datetime, scope: str | None = None) -> int:
    """Delete failures older than ``before`` (of one ``scope``, or of all); returns the rows deleted."""
    query = delete(Failure).where(Failure.at < before)
    if scope is not None:
        query = query.where(Failure.scope == scope)
    result = session.execute(query)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
