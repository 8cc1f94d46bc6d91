"""Canned replies and bulk actions (issue 15).

Supervisors keep reply templates in the three languages (``/staff/replies``), with ``{reference}``, ``{due}`` and
``{body}`` filled from the case; on a case an agent picks one, the reply box is filled in the worker's language
(the contact's current one), the agent edits it and sends it as any reply. On the queue, supervisors assign or
change the status of the ticked complaints at once; each case goes through the service and is audited on its own.
"""

from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.complaints import fmt, references
from helpline.complaints import service as complaints
from helpline.complaints.models import STATUSES, TRANSITIONS, Complaint
from helpline.complaints.taxonomy import load as load_taxonomy
from helpline.console import security
from helpline.console.models import ReplyTemplate, StaffUser
from helpline.console.views import bp
from helpline.console.web import form_text, now, rt, transaction

PLACEHOLDERS = ("reference", "due", "body")
_PLACEHOLDER = re.compile(r"\{(reference|due|body)\}")
CONFIRM_STATUSES = ("resolved", "closed")
BULK_LIMIT = 200


def fill(text: str, complaint: Complaint, lang: str) -> str:
    """The template's words with the case's reference, current promised date and body, in ``lang``."""
    values = {"reference": references.display(complaint.reference),
              "due": fmt.day(complaints.deadline(complaint), lang) or "-",
              "body": load_taxonomy().body(complaint.responsible_body).name(lang)}
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def templates(db: Session, *, active_only: bool = True) -> list[ReplyTemplate]:
    """Reply templates by name."""
    query = select(ReplyTemplate).order_by(ReplyTemplate.name)
    if active_only:
        query = query.where(ReplyTemplate.active.is_(True))
    return list(db.scalars(query))


def picked(db: Session, complaint: Complaint, lang: str) -> tuple[list[dict[str, Any]], str]:
    """For the case page: the active templates, and the reply box's text when one was picked (``?template=``)."""
    rows = templates(db)
    wanted = request.args.get("template", "")
    text = ""
    for row in rows:
        if str(row.id) == wanted:
            text = fill(row.text(lang), complaint, lang)
    return [{"id": r.id, "name": r.name} for r in rows], text


@bp.route("/replies")
@security.requires("supervisor")
def reply_templates():  # type: ignore[no-untyped-def]
    """The canned replies, one form each, and a form for a new one."""
    with transaction() as db:
        rows = [{"id": r.id, "name": r.name, "en": r.text_en, "ur": r.text_ur, "ur_latn": r.text_ur_latn,
                 "active": r.active, "updated_by": r.updated_by, "updated_at": r.updated_at}
                for r in templates(db, active_only=False)]
    return render_template("console/replies.html", rows=rows, placeholders=PLACEHOLDERS, active="replies")


@bp.route("/replies", methods=["POST"])
@security.requires("supervisor")
def reply_template_save():  # type: ignore[no-untyped-def]
    """Create or update a template (``id`` empty: a new one); audited."""
    name = form_text("name", required=True, limit=80)
    texts = {"text_en": form_text("text_en", required=True, limit=1000),
             "text_ur": form_text("text_ur", limit=1000), "text_ur_latn": form_text("text_ur_latn", limit=1000)}
    active = request.form.get("active", "yes") == "yes"
    raw_id = form_text("id", limit=12)
    with transaction() as db:
        if raw_id:
            row = db.get(ReplyTemplate, int(raw_id)) if raw_id.isdigit() else None
            if row is None:
                abort(404)
        else:
            if db.scalar(select(ReplyTemplate.id).where(ReplyTemplate.name == name)) is not None:
                abort(400, description="a template with this name exists")
            row = ReplyTemplate(name=name, **texts, active=active, updated_by=current_user.username,
                                updated_at=now())
            db.add(row)
        row.name, row.active, row.updated_by, row.updated_at = name, active, current_user.username, now()
        for key, value in texts.items():
            setattr(row, key, value)
        db.flush()
        security.audit(db, "reply_template.save", "reply_template", row.id, now=now(), name=name, active=active)
    flash(f"Template “{name}” saved.")
    return redirect(url_for("console.reply_templates"))


def _back() -> str:
    back = request.form.get("back", "")
    return back if back.startswith("/staff/") and "//" not in back and "\\" not in back else url_for("console.queue")


@bp.route("/bulk", methods=["POST"])
@security.requires("supervisor")
def bulk():  # type: ignore[no-untyped-def]
    """Assign or change the status of the ticked complaints; each case changed through the service and audited."""
    ids = sorted({int(v) for v in request.form.getlist("ids") if v.isdigit()})[:BULK_LIMIT]
    action = form_text("action", required=True, limit=80)
    kind, _, value = action.partition(":")
    if not ids:
        flash("Tick at least one complaint.", "error")
        return redirect(_back())
    if kind == "status" and value in CONFIRM_STATUSES and request.form.get("confirm") != "yes":
        flash(f"Not changed: tick the box to confirm that {len(ids)} cases are {value} (each worker is told).", "error")
        return redirect(_back())
    if kind not in ("assign", "status") or (kind == "status" and value not in STATUSES):
        abort(400, description="unknown bulk action")
    actor, at, done, skipped = f"staff:{current_user.username}", now(), 0, 0
    with transaction() as db:
        username = value or None
        if kind == "assign" and username and db.scalar(select(StaffUser.id).where(
                StaffUser.username == username, StaffUser.active.is_(True))) is None:
            abort(400, description="no such active staff user")
        for complaint in db.scalars(select(Complaint).where(Complaint.id.in_(ids)).order_by(Complaint.id)):
            before = complaint.assignee if kind == "assign" else complaint.status
            if kind == "assign":
                complaints.assign(db, complaint, username, actor=actor, now=at)
            elif value in TRANSITIONS.get(complaint.status, ()):
                complaints.change_status(db, complaint, value, actor=actor, now=at, core=rt().core)
            else:
                skipped += 1  # not allowed from its status: left as it is
                continue
            security.audit(db, f"complaint.{kind}", "complaint", complaint.id, now=at, bulk=True,
                           to=value or "-", **{"from": before or "-"})
            done += 1
    what = (f"assigned to {value}" if value else "unassigned") if kind == "assign" else f"moved to {value}"
    flash(f"{done} complaint(s) {what}" + (f"; {skipped} could not be (not allowed from their status)." if skipped
                                           else "."))
    return redirect(_back())
