"""Unread and live (issue 15): a worker message on a complaint that this staff member has not seen since it arrived
makes the complaint unread for them (per-user read marks in ``complaint_reads``); handoffs keep their own mark
(``handoffs.seen_at``, migration 0009). The navigation shows both counts; ``/staff/live.json`` lets the console's
static script refresh the queue and handoff pages and raise a browser notification for a new urgent item."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from flask import jsonify
from flask_login import current_user
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from helpline.complaints.models import OPEN_STATUSES, Complaint
from helpline.console.models import ComplaintRead
from helpline.console.views import bp
from helpline.console.web import now, transaction
from helpline.handoff.models import HANDOFF_ACTIVE, Handoff
from helpline.storage.models import Message


def unread_clause(username: str) -> Any:
    """SQL: the worker wrote on this complaint (after filing it) since ``username`` last opened it."""
    seen = (select(ComplaintRead.seen_at).where(ComplaintRead.complaint_id == Complaint.id,
                                                ComplaintRead.username == username)
            .correlate(Complaint).scalar_subquery())
    return exists().where(Message.contact_id == Complaint.contact_id, Message.direction == "in",
                          Message.created_at > func.coalesce(seen, Complaint.created_at))


def mark_read(db: Session, complaint_id: int, username: str, at: datetime) -> None:
    """``username`` opened the complaint at ``at`` (one row per person, moved forward; two tabs at once are fine)."""
    values = {"complaint_id": complaint_id, "username": username, "seen_at": at}
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(ComplaintRead).values(**values)
    db.execute(stmt.on_conflict_do_update(index_elements=["complaint_id", "username"],
                                          set_={"seen_at": stmt.excluded.seen_at}))


def _handoff_unread() -> Any:
    return and_(Handoff.status.in_(HANDOFF_ACTIVE), Handoff.last_worker_message_at.is_not(None),
                or_(Handoff.seen_at.is_(None), Handoff.seen_at < Handoff.last_worker_message_at))


def counts(db: Session, username: str) -> dict[str, int]:
    """Open complaints unread for ``username``, and active handoffs with unread messages."""
    complaints = db.scalar(select(func.count(Complaint.id)).where(Complaint.status.in_(OPEN_STATUSES),
                                                                  unread_clause(username))) or 0
    handoffs = db.scalar(select(func.count(Handoff.id)).where(_handoff_unread())) or 0
    return {"complaints": complaints, "handoffs": handoffs}


def urgent_items(db: Session) -> list[str]:
    """Urgent things a person should look at now: open urgent complaints with no reply yet, urgent handoffs."""
    ids = [f"c{i}" for i in db.scalars(select(Complaint.id).where(
        Complaint.status.in_(OPEN_STATUSES), Complaint.urgent.is_(True), Complaint.first_response_at.is_(None)))]
    ids += [f"h{i}" for i in db.scalars(select(Handoff.id).where(Handoff.status.in_(HANDOFF_ACTIVE),
                                                                  Handoff.urgent.is_(True)))]
    return sorted(ids)


@bp.context_processor
def _navigation_counts() -> dict[str, Any]:
    """The unread counters in the navigation of every console page a signed-in person sees."""
    if not getattr(current_user, "is_authenticated", False):
        return {}
    try:
        with transaction() as db:
            return {"unread": counts(db, current_user.username)}
    except Exception:  # an error page must still render
        return {}


@bp.route("/live.json")
def live():  # type: ignore[no-untyped-def]
    """What changed, for the console's refresh script: the unread counts, the urgent items, and a signature of
    everything the queue and handoff pages show (the page reloads when it changes)."""
    with transaction() as db:
        unread = counts(db, current_user.username)
        urgent = urgent_items(db)
        latest = db.scalar(select(func.max(Complaint.updated_at)))
        waiting = db.scalar(select(func.count(Handoff.id)).where(Handoff.status.in_(HANDOFF_ACTIVE)))
        last_in = db.scalar(select(func.max(Message.id)).where(Message.direction == "in"))
    signature = hashlib.sha256(repr((unread, urgent, latest, waiting, last_in)).encode()).hexdigest()[:16]
    response = jsonify(unread=unread, urgent=urgent, signature=signature, at=now().isoformat())
    return response
