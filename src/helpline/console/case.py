"""One complaint: details, the whole conversation, attachments, history, and the actions staff take on it.

Every action goes through :mod:`helpline.complaints.service` (history + outbox to the worker) and is audited.
Personal numbers are masked until a supervisor or admin reveals them (a POST, audited, for that one page).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline import media
from helpline.complaints import service as complaints
from helpline.complaints.countries import load as load_countries
from helpline.complaints.models import TRANSITIONS, Complaint
from helpline.complaints.taxonomy import load as load_taxonomy
from helpline.console import security
from helpline.handoff import service as holds
from helpline.console.handoff import handoff_dict, messages_of
from helpline.console.models import StaffUser
from helpline.console.unread import mark_read
from helpline.console.views import bp
from helpline.console.web import form_text, now, rt, transaction
from helpline.storage.models import Contact


CONFIRM_STATUSES = ("resolved", "closed")  # ends the case for the worker: asks to confirm


def _complaint(db: Session, complaint_id: int) -> Complaint:
    complaint = db.get(Complaint, complaint_id)
    if complaint is None:
        abort(404)
    return complaint


def _actor() -> str:
    return f"staff:{current_user.username}"


def _page(complaint_id: int, *, revealed: bool = False) -> str:
    from helpline.console.replies import picked

    at = now()
    taxonomy = load_taxonomy()
    with transaction() as db:
        c = _complaint(db, complaint_id)
        contact = db.get(Contact, c.contact_id) if c.contact_id else None
        category = taxonomy.category(c.category)
        case: dict[str, Any] = {
            "id": c.id, "reference": c.display_reference, "status": c.status, "urgent": c.urgent,
            "urgent_reason": c.urgent_reason, "category": category.name("en") if category else c.category,
            "category_code": c.category, "country": c.country, "country_name": load_countries().name(c.country, "en") if c.country else "",
            "body": c.responsible_body, "body_name": taxonomy.body(c.responsible_body).name("en"),
            "assignee": c.assignee, "channel": c.channel, "lang": complaints.worker_lang(db, c), "description": c.description,
            "affected": c.affected, "filer_relation": c.filer_relation, "worker_name": c.worker_name,
            "worker_cnic": _cnic(c.worker_cnic), "worker_passport": c.worker_passport, "employer": c.employer,
            "agent": c.agent, "anonymous": c.anonymous, "created_at": c.created_at, "updated_at": c.updated_at,
            "promised_referral_at": c.promised_referral_at, "promised_resolution_at": c.promised_resolution_at,
            "first_response_at": c.first_response_at, "resolved_at": c.resolved_at, "closed_at": c.closed_at,
            "rag": complaints.rag(c, at), "overdue": complaints.is_overdue(c, at), "due": complaints.deadline(c),
            "contact_id": c.contact_id, "address": contact.address if contact else "",
            "opted_out": bool(contact and contact.opted_out),
        }
        events = [{"at": e.at, "actor": e.actor, "kind": e.kind, "from": e.from_status, "to": e.to_status,
                   "text": e.text, "public": e.public} for e in c.events]
        files = media.for_attachments(db, ((a.message_id, a.ref) for a in c.attachments))  # fetched copies
        attachments = [{"kind": a.kind, "ref": a.ref, "content_type": a.content_type,
                        "media": files.get((a.message_id, a.ref)) if a.message_id else None} for a in c.attachments]
        convo = messages_of(db, contact.id) if contact else []
        handoff = handoff_dict(holds.active_handoff(db, contact.id)) if contact else None
        staff = list(db.scalars(select(StaffUser.username).where(StaffUser.active.is_(True)).order_by(StaffUser.username)))
        transitions = sorted(TRANSITIONS.get(c.status, ()))
        mark_read(db, c.id, current_user.username, at)  # what the worker wrote until now is read, for this person
        reply_templates, reply_text = picked(db, c, case["lang"])  # canned replies in the worker's language
    g.pii_revealed = revealed
    return render_template("console/case.html", case=case, events=events, attachments=attachments, messages=convo,
                           handoff=handoff, staff=staff, transitions=transitions, bodies=sorted(taxonomy.bodies.items()),
                           categories=taxonomy.categories, countries=_countries(), confirm=CONFIRM_STATUSES,
                           reply_templates=reply_templates, reply_text=reply_text,
                           revealed=revealed, active="queue")


def _countries() -> list[tuple[str, str]]:
    """Every known country as (code, English name), by name."""
    names = load_countries().names
    return sorted(((code, n.get("en") or code) for code, n in names.items()), key=lambda item: item[1])


def _cnic(raw: str | None) -> str | None:
    """A stored 13-digit CNIC written the usual way (5-7-1), so masking shows ``35202-*******-1``."""
    if raw and len(raw) == 13 and raw.isdigit():
        return f"{raw[:5]}-{raw[5:12]}-{raw[12]}"
    return raw


@bp.route("/complaints/<int:complaint_id>")
def case(complaint_id: int):  # type: ignore[no-untyped-def]
    """The case view, personal numbers masked."""
    return _page(complaint_id)


@bp.route("/complaints/<int:complaint_id>/reveal", methods=["POST"])
@security.requires("supervisor")
def case_reveal(complaint_id: int):  # type: ignore[no-untyped-def]
    """Show this case once with personal numbers unmasked; audited."""
    with transaction() as db:
        _complaint(db, complaint_id)
        reason = form_text("reason", required=True, limit=200)  # 400 when empty (after control characters)
        security.audit(db, "pii.reveal", "complaint", complaint_id, now=now(), reason=reason)
    return _page(complaint_id, revealed=True)


def _done(complaint_id: int, message: str) -> Any:
    flash(message)
    return redirect(url_for("console.case", complaint_id=complaint_id))


@bp.route("/complaints/<int:complaint_id>/status", methods=["POST"])
def case_status(complaint_id: int):  # type: ignore[no-untyped-def]
    """Change the status (the worker is told, in their language); an optional public note goes with it."""
    to_status = form_text("status", required=True, limit=20)
    public_text = form_text("public_text", limit=1000) or None
    if to_status in CONFIRM_STATUSES and request.form.get("confirm") != "yes":
        flash(f"Not changed: tick the box to confirm that the case is {to_status} (the worker is told).", "error")
        return redirect(url_for("console.case", complaint_id=complaint_id))
    try:
        with transaction() as db:
            c = _complaint(db, complaint_id)
            before = c.status
            complaints.change_status(db, c, to_status, actor=_actor(), now=now(), core=rt().core,
                                     public_text=public_text)
            security.audit(db, "complaint.status", "complaint", c.id, now=now(), to=to_status,
                           **{"from": before})
    except ValueError as exc:
        flash(f"Not changed: {exc}.", "error")
        return redirect(url_for("console.case", complaint_id=complaint_id))
    return _done(complaint_id, f"Status changed to {to_status}; the worker will be told.")


@bp.route("/complaints/<int:complaint_id>/note", methods=["POST"])
def case_note(complaint_id: int):  # type: ignore[no-untyped-def]
    """Add an internal note (never sent to the worker)."""
    text = form_text("text", required=True)
    with transaction() as db:
        c = _complaint(db, complaint_id)
        event = complaints.add_note(db, c, text, actor=_actor(), now=now())
        security.audit(db, "complaint.note", "complaint", c.id, now=now(), event=event.id)
    return _done(complaint_id, "Note added.")


@bp.route("/complaints/<int:complaint_id>/reply", methods=["POST"])
def case_reply(complaint_id: int):  # type: ignore[no-untyped-def]
    """Send a public update to the worker in their channel and language (also shown in STATUS replies)."""
    text = form_text("text", required=True, limit=1000)
    with transaction() as db:
        c = _complaint(db, complaint_id)
        event = complaints.send_public_update(db, c, text, actor=_actor(), now=now(), core=rt().core)
        security.audit(db, "complaint.reply", "complaint", c.id, now=now(), event=event.id)
    return _done(complaint_id, "Reply queued for delivery to the worker.")


@bp.route("/complaints/<int:complaint_id>/assign", methods=["POST"])
def case_assign(complaint_id: int):  # type: ignore[no-untyped-def]
    """Assign the case: agents may take it themselves; supervisors assign anyone (or nobody)."""
    username = form_text("assignee", limit=64) or None
    if not current_user.can("supervisor") and username != current_user.username:
        abort(403)
    with transaction() as db:
        c = _complaint(db, complaint_id)
        if username and db.scalars(select(StaffUser).where(StaffUser.username == username,
                                                           StaffUser.active.is_(True))).first() is None:
            abort(400, description="no such active staff user")
        before = c.assignee
        complaints.assign(db, c, username, actor=_actor(), now=now())
        security.audit(db, "complaint.assign", "complaint", c.id, now=now(), to=username or "-", **{"from": before or "-"})
    return _done(complaint_id, f"Assigned to {username}." if username else "Unassigned.")


@bp.route("/complaints/<int:complaint_id>/body", methods=["POST"])
def case_body(complaint_id: int):  # type: ignore[no-untyped-def]
    """Set the responsible body."""
    body = form_text("body", required=True, limit=40)
    try:
        with transaction() as db:
            c = _complaint(db, complaint_id)
            before = c.responsible_body
            complaints.set_body(db, c, body, actor=_actor(), now=now(), core=rt().core)
            security.audit(db, "complaint.body", "complaint", c.id, now=now(), to=body, **{"from": before})
    except ValueError as exc:
        flash(f"Not changed: {exc}.", "error")
        return redirect(url_for("console.case", complaint_id=complaint_id))
    return _done(complaint_id, f"Responsible body set to {body}; the worker is told who handles it now.")


@bp.route("/complaints/<int:complaint_id>/correct", methods=["POST"])
def case_correct(complaint_id: int):  # type: ignore[no-untyped-def]
    """Correct the category and the country (internal: the worker is not told); each change recorded and audited."""
    category = form_text("category", required=True, limit=40)
    country = form_text("country", limit=2).upper()
    changed = []
    try:
        with transaction() as db:
            c = _complaint(db, complaint_id)
            if category != c.category:
                before = c.category
                complaints.set_category(db, c, category, actor=_actor(), now=now())
                security.audit(db, "complaint.category", "complaint", c.id, now=now(), to=category, **{"from": before})
                changed.append(f"category {category}")
            if (country or None) != c.country:
                before = c.country or "-"
                complaints.set_country(db, c, country or None, actor=_actor(), now=now())
                security.audit(db, "complaint.country", "complaint", c.id, now=now(), to=country or "-",
                               **{"from": before})
                changed.append(f"country {country or '—'}")
    except ValueError as exc:
        flash(f"Not changed: {exc}.", "error")
        return redirect(url_for("console.case", complaint_id=complaint_id))
    return _done(complaint_id, f"Corrected: {', '.join(changed)}." if changed else "Nothing changed.")
