"""WhatsApp on a contact's page: the 24-hour window, the messages held outside it and why, and the template that
asks the worker to reply (issue 18; docs/whatsapp.md).

More than 24 hours after a worker last wrote, WhatsApp takes from us only approved templates. A staff member's
own words cannot go then: the outbox holds them (``held``, with the reason, shown in the conversation) and
sends them the moment the worker writes again. To make that happen, staff send the ``reply_waiting`` template
("A member of the helpline staff has written to you. Reply to this message to read it.") from here, in the
worker's language, when its Content SID is configured (``HELPLINE_WHATSAPP_TEMPLATES``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpline import notices, outbox
from helpline.console import security
from helpline.console.views import bp
from helpline.console.web import now, rt, transaction
from helpline.handoff.service import worker_lang
from helpline.outbox.model import OutboxMessage
from helpline.storage.models import Contact

INVITE = notices.NoticeRef.of(notices.REPLY_WAITING)


def window(db: Session, contact: Contact, at: datetime) -> dict[str, Any] | None:
    """For a WhatsApp contact: whether the window is open (and until when), how many messages are held, and the
    template staff may send (its text in the worker's language; None when it is not configured)."""
    if contact.channel != "whatsapp":
        return None
    since = at - contact.last_seen_at if contact.last_seen_at else None
    held = db.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.contact_id == contact.id, OutboxMessage.status == "held")) or 0
    lang = worker_lang(db, contact, rt().core)
    configured = lang in rt().settings.whatsapp_templates.get(notices.REPLY_WAITING, {})
    text = _texts()[notices.REPLY_WAITING].render(INVITE, lang)
    return {"open": notices.window_open(since), "until": contact.last_seen_at + notices.WINDOW,
            "last": contact.last_seen_at, "held": held, "lang": lang, "template": text if configured else None,
            "template_text": text, "opted_out": contact.opted_out}


def _texts() -> dict[str, notices.Notice]:
    core = rt().core
    return notices.load(core.locales_dir or rt().settings.locales_dir)


@bp.route("/contacts/<int:contact_id>/whatsapp/invite", methods=["POST"])
def whatsapp_invite(contact_id: int):  # type: ignore[no-untyped-def]
    """Send the ``reply_waiting`` template: the worker's reply opens the window and releases what is held."""
    with transaction() as db:
        contact = db.get(Contact, contact_id)
        if contact is None or contact.channel != "whatsapp":
            abort(404)
        info = window(db, contact, now())
        assert info is not None
        if info["template"] is None:
            abort(400, description="the reply_waiting template is not configured for this worker's language "
                                   "(HELPLINE_WHATSAPP_TEMPLATES)")
        row = outbox.enqueue(db, contact, [info["template"]], kind="whatsapp_invite", lang=info["lang"], now=now(),
                             notice=INVITE, notice_only=True)
        security.audit(db, "whatsapp.invite", "contact", contact.id, now=now(), outbox=row.id)
    flash("Template queued: when the worker replies, the held messages go out.")
    return redirect(url_for("console.conversation", contact_id=contact_id))
