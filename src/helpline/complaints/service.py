"""Operations on complaints, shared by the engine's event handlers and the staff console.

Every function works inside the caller's transaction (it receives a session and never commits). Messages to the
worker go through :func:`helpline.outbox.enqueue`, so they exist if and only if the change is committed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline import outbox
from helpline.errors import InvalidInput
from helpline.complaints import references
from helpline.complaints.models import OPEN_STATUSES, STATUSES, TRANSITIONS, Complaint, ComplaintEvent
from helpline.complaints.taxonomy import load as load_taxonomy
from helpline.messages import Text
from helpline.notices import CASE_UPDATE, NoticeRef
from helpline.pipeline import contact_language
from helpline.storage.models import Contact

WORKER = "worker"
BOT = "bot"
# Status changes the worker is told about (by the outbox), when someone other than the worker made them.
_NOTIFY = {"referred", "in_progress", "resolved", "closed", "reopened"}


def _event(session: Session, complaint: Complaint, kind: str, *, actor: str, now: datetime,
           from_status: str | None = None, to_status: str | None = None, text: str | None = None,
           public: bool = False) -> ComplaintEvent:
    event = ComplaintEvent(complaint_id=complaint.id, at=now, actor=actor, kind=kind, from_status=from_status,
                           to_status=to_status, text=text, public=public)
    session.add(event)
    complaint.updated_at = now
    session.flush()
    return event


def worker_lang(session: Session, complaint: Complaint) -> str:
    """The language to write to the complaint's contact in (:func:`helpline.pipeline.contact_language`), else
    the complaint's own."""
    if complaint.contact_id is None:
        return complaint.lang
    return contact_language(session, complaint.contact_id, complaint.lang)


def _notify(session: Session, complaint: Complaint, core: Any, texts: list[Text], *, now: datetime,
            event: ComplaintEvent, kind: str = "case_update") -> None:
    """Queue a message about ``complaint`` to its contact (nothing for a complaint without one); on WhatsApp,
    after 24 hours of silence, the ``case_update`` notice stands in for it until the worker replies."""
    contact = session.get(Contact, complaint.contact_id) if complaint.contact_id else None
    if contact is None:
        return
    lang = worker_lang(session, complaint)
    paragraphs = [core.i18n.render(t, lang) for t in texts]
    outbox.enqueue(session, contact, paragraphs, kind=kind, lang=lang, now=now,
                   dedupe_key=f"complaint-event:{event.id}", notice=case_notice(complaint, core, lang))
    if complaint.first_response_at is None:
        complaint.first_response_at = now


def status_text(status: str) -> Text:
    """The worker-facing name of a status, as a message key."""
    return Text(f"complaint.status.{status}")


def case_notice(complaint: Complaint, core: Any, lang: str) -> NoticeRef:
    """The ``case_update`` notice for a message about ``complaint``: its ticket number and status in words."""
    return NoticeRef.of(CASE_UPDATE, reference=references.display(complaint.reference),
                        status=core.i18n.render(status_text(complaint.status), lang))


def change_status(session: Session, complaint: Complaint, to_status: str, *, actor: str, now: datetime, core: Any,
                  public_text: str | None = None) -> ComplaintEvent:
    """Move ``complaint`` to ``to_status`` (:class:`InvalidInput` if not allowed), record it, and tell the worker."""
    if to_status not in STATUSES:
        raise InvalidInput(f"unknown status {to_status!r}")
    from_status = complaint.status
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        raise InvalidInput(f"a complaint cannot go from {from_status!r} to {to_status!r}")
    complaint.status = to_status
    if to_status == "resolved":
        complaint.resolved_at = now
    elif to_status == "closed":
        complaint.closed_at = now
    elif to_status == "reopened":
        complaint.resolved_at = complaint.closed_at = None
    kind = "status"
    if to_status == "reopened":
        kind = "reopen"
    elif actor == WORKER and to_status == "closed":
        kind = "confirm"
    event = _event(session, complaint, kind, actor=actor, now=now, from_status=from_status, to_status=to_status,
                   text=public_text, public=public_text is not None)
    if actor != WORKER and to_status in _NOTIFY:
        ref = references.display(complaint.reference)
        texts = [Text("complaint.notify.status", {"ref": ref, "status": status_text(to_status)})]
        if public_text:
            texts.append(Text("complaint.notify.update", {"ref": ref, "text": public_text}))
        if to_status == "resolved":
            days = core.config["complaints.policy"].reopen_days
            texts.append(Text("complaint.notify.resolved", {"ref": ref, "days": days}))
        _notify(session, complaint, core, texts, now=now, event=event)
    return event


def add_note(session: Session, complaint: Complaint, text: str, *, actor: str, now: datetime) -> ComplaintEvent:
    """Record an internal note (never sent to the worker)."""
    return _event(session, complaint, "note", actor=actor, now=now, text=text, public=False)


def send_public_update(session: Session, complaint: Complaint, text: str, *, actor: str, now: datetime,
                       core: Any) -> ComplaintEvent:
    """Record a public update (shown in STATUS replies) and send it to the worker."""
    event = _event(session, complaint, "public_update", actor=actor, now=now, text=text, public=True)
    ref = references.display(complaint.reference)
    _notify(session, complaint, core, [Text("complaint.notify.update", {"ref": ref, "text": text})], now=now,
            event=event)
    if complaint.first_response_at is None:
        complaint.first_response_at = now
    return event


def assign(session: Session, complaint: Complaint, username: str | None, *, actor: str,
           now: datetime) -> ComplaintEvent:
    """Give the complaint to a staff member (None: unassign)."""
    before = complaint.assignee
    complaint.assignee = username
    return _event(session, complaint, "assign", actor=actor, now=now, text=f"{before or '-'} -> {username or '-'}")


def set_body(session: Session, complaint: Complaint, body_code: str, *, actor: str, now: datetime,
             core: Any = None) -> ComplaintEvent:
    """Route the complaint to another responsible body (:class:`InvalidInput` for an unknown code). With ``core``,
    the worker is told which office now handles it (it matters to them: that is who will act); not when unchanged."""
    taxonomy = load_taxonomy()
    if body_code not in taxonomy.bodies:
        raise InvalidInput(f"unknown responsible body {body_code!r}")
    before = complaint.responsible_body
    complaint.responsible_body = body_code
    event = _event(session, complaint, "body", actor=actor, now=now, text=f"{before} -> {body_code}")
    if core is not None and before != body_code and complaint.status in OPEN_STATUSES:
        lang = worker_lang(session, complaint)
        _notify(session, complaint, core, [Text("complaint.notify.body", {
            "ref": references.display(complaint.reference), "body": taxonomy.body(body_code).name(lang)})],
            now=now, event=event)
    return event


def set_category(session: Session, complaint: Complaint, code: str, *, actor: str, now: datetime) -> ComplaintEvent:
    """Correct a wrongly chosen category (:class:`InvalidInput` for an unknown code). Internal: the worker is not
    told (the responsible body, which they are told about, is a separate correction)."""
    if load_taxonomy().category(code) is None:
        raise InvalidInput(f"unknown category {code!r}")
    before = complaint.category
    complaint.category = code
    return _event(session, complaint, "category", actor=actor, now=now, text=f"{before} -> {code}")


def set_country(session: Session, complaint: Complaint, code: str | None, *, actor: str,
                now: datetime) -> ComplaintEvent:
    """Correct the country (ISO alpha-2 known to the country list, or None); internal, the worker is not told."""
    from helpline.complaints.countries import load as load_countries

    code = (code or "").strip().upper() or None
    if code is not None and code not in load_countries().names:
        raise InvalidInput(f"unknown country {code!r}")
    before = complaint.country
    complaint.country = code
    return _event(session, complaint, "country", actor=actor, now=now, text=f"{before or '-'} -> {code or '-'}")


def file_for_contact(session: Session, contact: Contact, *, category: str, country: str | None, description: str,
                     actor: str, now: datetime, core: Any, employer: str | None = None, agent: str | None = None,
                     worker_name: str | None = None) -> Complaint:
    """A staff member files a complaint for a contact (from a handoff conversation): the worker's language and
    channel, the category's body and urgency, the promised dates; the worker is told the ticket number, the body
    and the dates in their language, as if they had filed it themselves."""
    from helpline.complaints.countries import load as load_countries

    taxonomy = load_taxonomy()
    cat = taxonomy.category(category)
    if cat is None:
        raise InvalidInput(f"unknown category {category!r}")
    country = (country or "").strip().upper() or None
    if country is not None and country not in load_countries().names:
        raise InvalidInput(f"unknown country {country!r}")
    if not description.strip():
        raise InvalidInput("the story is empty")
    policy = core.config["complaints.policy"]
    while True:
        ref = references.new_reference()
        if not ref.isdigit() and session.scalar(select(Complaint.id).where(Complaint.reference == ref)) is None:
            break
    lang = contact_language(session, contact.id, core.default_lang)
    urgent_reason = taxonomy.urgent_reason(description)
    urgent = cat.urgent or urgent_reason is not None
    referral, resolution = policy.promised(now, urgent)
    complaint = Complaint(
        reference=ref, draft_key=f"staff:{contact.id}:{ref}", contact_id=contact.id, channel=contact.channel,
        lang=lang, category=cat.code, country=country, description=description, affected="self",
        worker_name=worker_name or None, employer=employer or None, agent=agent or None, anonymous=False,
        status="new", urgent=urgent, urgent_reason=(f"category:{cat.code}" if cat.urgent else
                                                   f"word:{urgent_reason}" if urgent_reason else None),
        responsible_body=cat.body, promised_referral_at=referral, promised_resolution_at=resolution,
        created_at=now, updated_at=now)
    session.add(complaint)
    session.flush()
    event = _event(session, complaint, "created", actor=actor, now=now, to_status="new")
    from helpline.complaints import fmt

    display = references.display(ref)
    texts = [Text("complaint.filed", {"ref": display, "body": taxonomy.body(cat.body).name(lang),
                                      "referral": fmt.day(referral, lang), "resolution": fmt.day(resolution, lang)}),
             Text("complaint.filed.this_phone", {"ref": display})]
    outbox.enqueue(session, contact, [core.i18n.render(t, lang) for t in texts], kind="case_update", lang=lang,
                   now=now, dedupe_key=f"complaint-event:{event.id}", notice=case_notice(complaint, core, lang))
    return complaint


def deadline(complaint: Complaint) -> datetime | None:
    """The promise that matters now: referral while new and unanswered or reopened, else resolution."""
    if (complaint.status == "new" and complaint.first_response_at is None) or complaint.status == "reopened":
        return complaint.promised_referral_at
    return complaint.promised_resolution_at


def is_overdue(complaint: Complaint, now: datetime) -> bool:
    """True when an open complaint has passed its current promised date."""
    due = deadline(complaint)
    return complaint.status in OPEN_STATUSES and due is not None and now > due


def rag(complaint: Complaint, now: datetime) -> str:
    """Red (overdue), amber (a fifth of the time or less left, or urgent and unanswered) or green."""
    if complaint.status not in OPEN_STATUSES:
        return "green"
    due = deadline(complaint)
    if due is None:
        return "green"
    if now > due:
        return "red"
    if complaint.urgent and complaint.first_response_at is None:
        return "amber"
    span = (due - complaint.created_at).total_seconds()
    left = (due - now).total_seconds()
    return "amber" if span <= 0 or left <= span / 5 else "green"


def find_by_reference(session: Session, text: str) -> Complaint | None:
    """The complaint a typed reference names (case, spaces, dashes, Urdu digits forgiven; check symbol verified)."""
    reference, _ = references.parse(text)
    if reference is None:
        return None
    return session.scalars(select(Complaint).where(Complaint.reference == reference)).one_or_none()


def close_stale(session: Session, now: datetime, core: Any) -> list[Complaint]:
    """Close every "resolved" complaint whose reopen window has passed (the worker is told); returns them."""
    window = timedelta(days=core.config["complaints.policy"].reopen_days)
    stale = list(session.scalars(select(Complaint).where(Complaint.status == "resolved",
                                                         Complaint.resolved_at < now - window)
                                 .order_by(Complaint.id).with_for_update()))
    for complaint in stale:
        change_status(session, complaint, "closed", actor=BOT, now=now, core=core)
    return stale
