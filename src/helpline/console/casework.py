"""A handoff conversation becomes a complaint in one step (issue 15): the worker's own messages as the story, the
contact, their language and channel; category, country, employer and agent guessed from the story for staff to
check. The story is shown masked; when staff leave it as shown, the complaint keeps the worker's exact words."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.complaints import extract
from helpline.complaints import service as complaints
from helpline.console import security
from helpline.console.views import bp
from helpline.console.web import form_text, now, rt, transaction
from helpline.handoff import service as holds
from helpline.privacy import mask
from helpline.storage.models import Contact, Message
from helpline.handoff.flow import asks_for_person
from helpline.teaching import worth_teaching
from helpline.text import normalize

STORY_MESSAGES = 30  # the worker's latest messages considered


def story_of(db: Session, contact_id: int, since: datetime | None = None) -> str:
    """The worker's own messages (since the handoff was requested, when there is one), oldest first, keywords and
    bare numbers left out: the story a complaint filed from this conversation starts with."""
    query = select(Message.text).where(Message.contact_id == contact_id, Message.direction == "in")
    if since is not None:
        query = query.where(Message.created_at >= since)
    texts = list(db.scalars(query.order_by(Message.created_at.desc(), Message.id.desc()).limit(STORY_MESSAGES)))
    return "\n".join(t.strip() for t in reversed(texts)
                     if t and worth_teaching(t) and not asks_for_person(normalize(t)))


def prefill(db: Session, contact_id: int) -> dict[str, Any]:
    """What the "open a complaint" form starts with (the story masked: it is shown)."""
    active = holds.active_handoff(db, contact_id)
    story = story_of(db, contact_id, active.requested_at if active else None) or story_of(db, contact_id)
    said = extract.read(story) if story else extract.Said()
    return {"story": mask(story), "category": said.category or (said.likely[0] if said.likely else "other"),
            "country": said.country or "", "employer": mask(said.employer or ""), "agent": mask(said.agent or "")}


@bp.route("/contacts/<int:contact_id>/complaint", methods=["POST"])
def contact_complaint(contact_id: int):  # type: ignore[no-untyped-def]
    """File a complaint for this contact from the conversation; the worker gets the ticket number; audited."""
    story = form_text("story", required=True)
    category = form_text("category", required=True, limit=40)
    country = form_text("country", limit=2)
    fields = {k: form_text(k, limit=200) or None for k in ("employer", "agent", "worker_name")}
    try:
        with transaction() as db:
            contact = db.get(Contact, contact_id)
            if contact is None:
                abort(404)
            active = holds.active_handoff(db, contact_id)
            raw = story_of(db, contact_id, active.requested_at if active else None) or story_of(db, contact_id)
            if story.replace("\r\n", "\n") == mask(raw):
                story = raw  # left as shown: the worker's exact words, numbers included (masked on every screen)
            complaint = complaints.file_for_contact(db, contact, category=category, country=country or None,
                                                    description=story, actor=f"staff:{current_user.username}",
                                                    now=now(), core=rt().core, **fields)
            security.audit(db, "complaint.create", "complaint", complaint.id, now=now(), contact=contact_id,
                           source="handoff")
            complaint_id, reference = complaint.id, complaint.display_reference
    except ValueError as exc:
        flash(f"Not filed: {exc}.", "error")
        return redirect(url_for("console.conversation", contact_id=contact_id))
    flash(f"Complaint {reference} filed from the conversation; the worker is told the ticket number.")
    return redirect(url_for("console.case", complaint_id=complaint_id))
