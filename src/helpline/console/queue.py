"""The complaint queue at ``/staff/``: what needs attention, filters, search, urgent first then oldest."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from helpline.complaints import service as complaints
from helpline.complaints.models import OPEN_STATUSES, STATUSES, Complaint
from helpline.complaints.taxonomy import load as load_taxonomy
from helpline.console.models import StaffUser
from helpline.handoff.models import Handoff
from helpline.console.queries import Filters, complaint_query, overdue_clause
from helpline.console.views import bp
from helpline.console.web import PAGE_SIZE, arg_int, now, transaction
from helpline.storage.models import Contact


def row_dict(complaint: Complaint, contact: Contact | None, at: Any) -> dict[str, Any]:
    """One complaint as the queue and the export show it (personal numbers still raw: templates mask)."""
    taxonomy = load_taxonomy()
    category = taxonomy.category(complaint.category)
    return {"id": complaint.id, "reference": complaint.display_reference, "status": complaint.status,
            "category": category.name("en") if category else complaint.category, "category_code": complaint.category,
            "country": complaint.country or "", "urgent": complaint.urgent, "urgent_reason": complaint.urgent_reason,
            "body": complaint.responsible_body, "assignee": complaint.assignee or "", "channel": complaint.channel,
            "lang": complaint.lang, "created_at": complaint.created_at, "updated_at": complaint.updated_at,
            "description": complaint.description, "rag": complaints.rag(complaint, at),
            "overdue": complaints.is_overdue(complaint, at), "due": complaints.deadline(complaint),
            "first_response_at": complaint.first_response_at, "contact": contact.address if contact else "",
            "worker_cnic": complaint.worker_cnic or ""}


def attention(db: Any, at: Any) -> dict[str, int]:
    """The counts a supervisor sees first: overdue, urgent unanswered, unassigned, waiting for a person."""
    open_ = Complaint.status.in_(OPEN_STATUSES)
    count = lambda *where: db.scalar(select(func.count(Complaint.id)).where(open_, *where)) or 0  # noqa: E731
    return {"overdue": count(overdue_clause(at)),
            "urgent": count(Complaint.urgent.is_(True), Complaint.first_response_at.is_(None)),
            "unassigned": count(Complaint.assignee.is_(None)),
            "open": count(),
            "waiting": db.scalar(select(func.count(Handoff.id)).where(Handoff.status == "waiting")) or 0}


@bp.route("/")
def queue():  # type: ignore[no-untyped-def]
    """The queue: filters from the query string, ``?q=`` search, pages of 50."""
    filters = Filters.from_args(request.args)
    page = arg_int("page", 1)
    at = now()
    query = complaint_query(filters, at, current_user.username)
    with transaction() as db:
        total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        rows = [{**row_dict(c, contact, at), "unread": bool(unread)} for c, contact, unread in
                db.execute(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()]
        counts = attention(db, at)
        staff = list(db.scalars(select(StaffUser.username).where(StaffUser.active.is_(True)).order_by(StaffUser.username)))
        countries = [c for c in db.scalars(select(Complaint.country).distinct()) if c]
    taxonomy = load_taxonomy()
    return render_template("console/queue.html", rows=rows, total=total, page=page, size=PAGE_SIZE, f=filters,
                           counts=counts, statuses=STATUSES, categories=taxonomy.categories,
                           bodies=sorted(taxonomy.bodies), staff=staff, countries=sorted(countries), active="queue", live=True)
