"""The upstream seam: where a status comes from. Today the registry table; later, perhaps an upstream API.

The dialog never sees this module's classes directly: it asks the ``status`` port (:mod:`helpline.status.turns`),
which asks a :class:`StatusSource`. A deployment with an upstream API writes one class with a ``find`` method
and installs it with :func:`helpline.status.turns.use_source`; nothing in the dialog changes.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from helpline.status.factors import Factor, factor_hash
from helpline.status.models import StatusRecord


@dataclass(frozen=True)
class StatusView:
    """What a verified worker may be told about one record (plain JSON-able values)."""

    kind: str
    number: str
    status: str
    office: str | None
    updated: str  # ISO date of the last status change
    record_id: int | None = None  # the registry row, when there is one (watches need it)

    def __repr__(self) -> str:  # the number stays out of logs
        return f"StatusView(kind={self.kind!r}, status={self.status!r}, record_id={self.record_id!r})"


class StatusSource(Protocol):
    """Finds the records whose tracking number is ``number`` and whose stored factor matches ``factor``."""

    def find(self, number: str, factor: Factor) -> list[StatusView]:
        """Verified records for a canonical number; empty when not found OR not verified (never say which)."""
        ...


class RegistrySource:
    """:class:`StatusSource` over the ``status_records`` table (read-only)."""

    def __init__(self, session: Session, pepper: bytes):
        self.session = session
        self._pepper = pepper

    def __repr__(self) -> str:
        return "RegistrySource()"

    def find(self, number: str, factor: Factor) -> list[StatusView]:
        """Every kind with this number whose hash of the given factor matches (constant-time comparison)."""
        wanted = factor_hash(self._pepper, factor.kind, number, factor.value)
        found = []
        for row in self.session.execute(_BY_NUMBER, {"number": number}):
            stored = row.dob_hash if factor.kind == "dob" else row.cnic4_hash
            if stored is not None and hmac.compare_digest(stored, wanted):
                found.append(view(row))
        return found


# Built once: columns, not ORM objects, since a lookup only reads.
_BY_NUMBER = (select(StatusRecord.id, StatusRecord.kind, StatusRecord.tracking_number, StatusRecord.status,
                     StatusRecord.office, StatusRecord.dob_hash, StatusRecord.cnic4_hash,
                     StatusRecord.status_updated_at)
              .where(StatusRecord.tracking_number == bindparam("number")).order_by(StatusRecord.kind))


def view(row: Any) -> StatusView:
    """The worker-facing view of a registry row."""
    updated: datetime = row.status_updated_at
    return StatusView(kind=row.kind, number=row.tracking_number, status=row.status, office=row.office,
                      updated=updated.date().isoformat(), record_id=row.id)
