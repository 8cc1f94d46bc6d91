"""Handoff pages: workers waiting for a person, conversations held by staff, and one contact's conversation
with take / reply / release. While held, the bot stays quiet (see :mod:`helpline.handoff.flow`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline import media
from helpline.console import security
from helpline.handoff import service as holds
from helpline.handoff.models import HANDOFF_ACTIVE, Handoff
from helpline.console.views import bp
from helpline.console.web import form_text, now, rt, transaction
from helpline.outbox.model import OutboxMessage
from helpline.storage.models import Contact, Message

CONVERSATION_LIMIT = 300  # most recent messages shown


def timeout() -> timedelta:
    """How long a hold lasts without staff action."""
    return timedelta(minutes=rt().settings.handoff_timeout_minutes)


def messages_of(db: Session, contact_id: int, limit: int = CONVERSATION_LIMIT) -> list[dict[str, Any]]:
    """A contact's conversation, oldest first, as plain dicts for the templates (text masked there)."""
    rows = db.scalars(select(Message).where(Message.contact_id == contact_id)
                      .order_by(Message.created_at.desc(), Message.id.desc()).limit(limit)).all()
    sent = {m.id for m in rows if m.direction == "out"}  # why a message was not (yet) delivered, from the outbox
    reasons = {(message_id, status): detail for message_id, status, detail in db.execute(
        select(OutboxMessage.message_id, OutboxMessage.status, OutboxMessage.error_detail).where(
            OutboxMessage.message_id.in_(sent), OutboxMessage.status.in_(("failed", "held"))))} if sent else {}
    files = media.for_messages(db, (m.id for m in rows if m.attachments))  # fetched voice notes, photos, PDFs
    return [{"id": m.id, "direction": m.direction, "channel": m.channel, "text": m.text, "lang": m.lang,
             "status": m.status, "at": m.created_at, "attachments": _with_media(m.attachments, files.get(m.id)),
             "failure": reasons.get((m.id, "failed")), "held": reasons.get((m.id, "held"))} for m in reversed(rows)]


def _with_media(attachments: list[dict[str, Any]] | None, files: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """A message's attachments, each with its fetched file (``media``: see :func:`helpline.media.store.describe`)."""
    by_position = {f["position"]: f for f in files or ()}
    return [{**a, "media": by_position.get(n)} for n, a in enumerate(attachments or [])]


def handoff_dict(row: Handoff | None) -> dict[str, Any] | None:
    """A handoff for the templates."""
    if row is None:
        return None
    return {"id": row.id, "status": row.status, "held_by": row.held_by, "until": row.until, "lang": row.lang,
            "requested_at": row.requested_at, "reason": row.reason, "contact_id": row.contact_id,
            "urgent": row.urgent, "urgent_reason": row.urgent_reason, "urgent_at": row.urgent_at,
            "unread": row.unread, "last_at": row.last_worker_message_at}


def _queue_order(item: dict[str, Any]) -> tuple[Any, ...]:
    """Urgent first, then those with unread messages, then the longest waiting."""
    return (not item["urgent"], not item["unread"], item["requested_at"], item["id"])


@bp.route("/handoff")
def handoffs():  # type: ignore[no-untyped-def]
    """Waiting workers and held conversations, each urgent first (danger heard, with the reason), then unread, then
    oldest; with the worker's latest message (masked in the template). Lapsed holds are handed back first."""
    with transaction() as db:
        holds.expire_due(db, rt().core, now())
        rows = db.execute(select(Handoff, Contact, Message.text).join(Contact, Contact.id == Handoff.contact_id)
                          .outerjoin(Message, Message.id == Handoff.last_worker_message_id)
                          .where(Handoff.status.in_(HANDOFF_ACTIVE))).all()
        files = media.sent_since(db, {h.contact_id: h.requested_at for h, _, _ in rows})  # voice notes: played here
        items = sorted(({**(handoff_dict(h) or {}), "channel": c.channel, "address": c.address, "latest": text,
                         "media": files.get(h.contact_id, [])} for h, c, text in rows), key=_queue_order)
    waiting = [i for i in items if i["status"] == "waiting"]
    held = [i for i in items if i["status"] == "held"]
    return render_template("console/handoff.html", waiting=waiting, held=held, active="handoff", live=True)


def _contact(db: Session, contact_id: int) -> Contact:
    contact = db.get(Contact, contact_id)
    if contact is None:
        abort(404)
    return contact


@bp.route("/contacts/<int:contact_id>")
def conversation(contact_id: int):  # type: ignore[no-untyped-def]
    """One contact's whole conversation (masked), their complaints and the handoff controls."""
    from helpline.complaints.models import Complaint

    with transaction() as db:
        holds.expire_due(db, rt().core, now())
        contact = _contact(db, contact_id)
        info = {"id": contact.id, "channel": contact.channel, "address": contact.address,
                "language": holds.worker_lang(db, contact, rt().core),
                "opted_out": contact.opted_out, "created_at": contact.created_at, "last_seen_at": contact.last_seen_at}
        active = holds.active_handoff(db, contact.id)
        handoff = handoff_dict(active)  # as it was before this visit: unread until now
        if active is not None:
            holds.mark_seen(db, active, now())
        complaints = [{"id": c.id, "reference": c.display_reference, "status": c.status, "category": c.category}
                      for c in db.scalars(select(Complaint).where(Complaint.contact_id == contact.id)
                                          .order_by(Complaint.id.desc()))]
        convo = messages_of(db, contact.id)
        from helpline.console.whatsapp import window  # WhatsApp's 24-hour window and held messages (issue 18)
        whatsapp = window(db, contact, now())
        from helpline.console.casework import prefill  # the "open a complaint" form (issue 15)
        new_complaint = prefill(db, contact.id)
    from helpline.complaints.taxonomy import load as load_taxonomy
    from helpline.console.case import _countries
    return render_template("console/conversation.html", contact=info, handoff=handoff, complaints=complaints,
                           messages=convo, active="handoff", new_complaint=new_complaint, whatsapp=whatsapp,
                           categories=load_taxonomy().categories, countries=_countries())


@bp.route("/contacts/<int:contact_id>/take", methods=["POST"])
def handoff_take(contact_id: int):  # type: ignore[no-untyped-def]
    """Hold the conversation: the bot goes quiet and the worker is told a person joined."""
    with transaction() as db:
        contact = _contact(db, contact_id)
        row = holds.take(db, contact, current_user.username, now=now(), core=rt().core, timeout=timeout())
        security.audit(db, "handoff.take", "contact", contact.id, now=now(), handoff=row.id)
    flash("You hold this conversation: the bot is quiet until you release it or it times out.")
    return redirect(url_for("console.conversation", contact_id=contact_id))


@bp.route("/contacts/<int:contact_id>/reply", methods=["POST"])
def handoff_reply(contact_id: int):  # type: ignore[no-untyped-def]
    """Send your words to the worker in their channel (taking the conversation if nobody holds it)."""
    text = form_text("text", required=True, limit=1600)
    with transaction() as db:
        contact = _contact(db, contact_id)
        row = holds.active_handoff(db, contact.id)
        if row is None or row.status != "held":
            holds.take(db, contact, current_user.username, now=now(), core=rt().core, timeout=timeout())
        queued = holds.staff_reply(db, contact, text, current_user.username, now=now(), core=rt().core,
                                   timeout=timeout())
        security.audit(db, "handoff.reply", "contact", contact.id, now=now(), outbox=queued.id, chars=len(text))
        from helpline.console.whatsapp import window
        closed = (window(db, contact, now()) or {"open": True})["open"] is False
    flash("WhatsApp's 24-hour window is closed: your reply is held until the worker writes again (see below)."
          if closed else "Reply queued for delivery.")
    return redirect(url_for("console.conversation", contact_id=contact_id))


@bp.route("/contacts/<int:contact_id>/release", methods=["POST"])
def handoff_release(contact_id: int):  # type: ignore[no-untyped-def]
    """Hand the conversation back to the bot (or dismiss the request) and tell the worker."""
    with transaction() as db:
        contact = _contact(db, contact_id)
        row = holds.release(db, contact, current_user.username, now=now(), core=rt().core)
        if row is not None:
            security.audit(db, "handoff.release", "contact", contact.id, now=now(), handoff=row.id)
    flash("Released: the bot answers this worker again." if row else "Nothing to release.")
    return redirect(url_for("console.conversation", contact_id=contact_id))
