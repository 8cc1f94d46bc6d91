"""Deletion requests (issue 16, item 6): a worker asked for their data to be deleted; an admin completes the task
here (a POST with CSRF, audited), which anonymises the contact's data (:func:`helpline.retention.complete_request`)
and tells the worker through the outbox."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import case, select

from helpline import retention
from helpline.console import security
from helpline.console.views import bp
from helpline.console.web import now, rt, transaction
from helpline.storage.models import Contact, DeletionRequest


@bp.route("/privacy")
@security.requires("admin")
def deletion_requests():  # type: ignore[no-untyped-def]
    """Open requests first (oldest first), then the latest completed ones."""
    with transaction() as db:
        rows = db.execute(select(DeletionRequest, Contact.address).outerjoin(
            Contact, Contact.id == DeletionRequest.contact_id).order_by(
            case((DeletionRequest.status == "open", 0), else_=1), DeletionRequest.requested_at,
            DeletionRequest.id).limit(200)).all()
        listing = [{"id": r.id, "status": r.status, "channel": r.channel, "lang": r.lang, "contact_id": r.contact_id,
                    "contact": address or "", "requested_at": r.requested_at, "completed_at": r.completed_at,
                    "completed_by": r.completed_by or "", "result": r.result or {}} for r, address in rows]
    return render_template("console/privacy.html", requests=listing, active="privacy")


@bp.route("/privacy/<int:request_id>/complete", methods=["POST"])
@security.requires("admin")
def deletion_complete(request_id: int):  # type: ignore[no-untyped-def]
    """Anonymise the worker's data, mark the request done, audit it and tell the worker."""
    at = now()
    with transaction() as db:
        found = db.get(DeletionRequest, request_id)
        if found is None:
            abort(404)
        if found.status != "open":
            flash("That request was already completed.", "error")
            return redirect(url_for("console.deletion_requests"))
        counts = retention.complete_request(db, found, current_user.username, at, rt().core)
        security.audit(db, "privacy.delete", "deletion_request", found.id, now=at, contact_id=found.contact_id,
                       **counts)
    flash(f"Deletion request {request_id} completed: "
          + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items()) + ".")
    return redirect(url_for("console.deletion_requests"))
