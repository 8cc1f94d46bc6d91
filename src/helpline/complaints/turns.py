"""The complaints concern's side of a turn: the answers to the flows' asks (reads) and the writers of complaint
events, all in the turn's transaction. :mod:`helpline.wiring` says which function takes which event or ask."""

from __future__ import annotations

import hmac
import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from helpline import throttle
from helpline.complaints import policy as policy_mod
from helpline.complaints import references
from helpline.complaints import service as csvc
from helpline.complaints.models import Complaint, ComplaintAttachment, ComplaintEvent
from helpline.complaints.view import ComplaintView
from helpline.engine.events import (ComplaintConfirmed, ComplaintLookup, ComplaintReopened, ComplaintVerify,
                                    LookupFailed, LookupFailures, NewReference, ResolutionConfirmed)
from helpline.oep.turns import oep_for_complaint
from helpline.pipeline import TurnScope
from helpline.privacy import mask_identity
from helpline.storage.models import Message

log = logging.getLogger(__name__)
THROTTLE_WINDOW = timedelta(hours=1)
THROTTLE_SCOPE = "complaint_lookup"  # key: contact:<id>


def policy(scope: TurnScope) -> policy_mod.Policy:
    """The policy the wiring loaded from the settings."""
    return scope.core.config["complaints.policy"]


def new_reference(scope: TurnScope, ask: NewReference) -> str:
    """A random reference with at least one letter, not used yet."""
    while True:
        ref = references.new_reference()
        if ref.isdigit():
            continue
        if scope.session.scalar(select(Complaint.id).where(Complaint.reference == ref)) is None:
            return ref


def _get(scope: TurnScope, reference: str) -> Complaint | None:
    return scope.session.scalars(select(Complaint).where(Complaint.reference == reference)).one_or_none()


def _view(scope: TurnScope, c: Complaint) -> ComplaintView:
    last = scope.session.scalars(
        select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id, ComplaintEvent.public.is_(True))
        .order_by(ComplaintEvent.at.desc(), ComplaintEvent.id.desc()).limit(1)).one_or_none()
    return ComplaintView(
        reference=c.reference, category=c.category, status=c.status, body=c.responsible_body, urgent=c.urgent,
        owned=c.contact_id is not None and c.contact_id == scope.contact.id,
        verifiable=c.verify_hash is not None, created_at=c.created_at,
        promised_referral_at=c.promised_referral_at, promised_resolution_at=c.promised_resolution_at,
        resolved_at=c.resolved_at, closed_at=c.closed_at,
        last_update=last.text if last else None, last_update_at=last.at if last else None)


def lookup(scope: TurnScope, ask: ComplaintLookup) -> ComplaintView | None:
    """The complaint with this reference, if any."""
    found = _get(scope, ask.reference)
    return _view(scope, found) if found else None


def verify(scope: TurnScope, ask: ComplaintVerify) -> ComplaintView | None:
    """The complaint when the CNIC's last four digits match its verification hash."""
    found = _get(scope, ask.reference)
    if found is None or found.verify_hash is None:
        return None
    if not hmac.compare_digest(found.verify_hash, policy(scope).verify_hash(ask.reference, ask.last4)):
        return None
    return _view(scope, found)


def failures_last_hour(scope: TurnScope, ask: LookupFailures) -> int:
    """Failed lookups by this contact in the last hour."""
    return throttle.recent(scope.session, THROTTLE_SCOPE, f"contact:{scope.contact.id}", scope.now - THROTTLE_WINDOW)


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


def store_complaint(scope: TurnScope, ev: ComplaintConfirmed) -> None:
    """Store a confirmed draft once; a second confirmation of the same draft is ignored."""
    session = scope.session
    if session.scalar(select(Complaint.id).where(Complaint.draft_key == ev.draft_key)) is not None:
        log.info("complaint draft already filed; ignored")
        return
    pol = policy(scope)
    last4 = ev.worker_cnic[-4:] if ev.worker_cnic and not ev.anonymous else None
    complaint = Complaint(
        reference=ev.reference, draft_key=ev.draft_key, contact_id=scope.contact.id, channel=scope.msg.channel,
        # identity numbers typed into the story are masked: the complaint keeps them encrypted in their own fields
        lang=ev.lang, category=ev.category, country=ev.country, description=mask_identity(ev.description),
        affected=ev.affected,
        filer_relation=ev.filer_relation, worker_name=ev.worker_name, worker_cnic=ev.worker_cnic,
        worker_passport=ev.worker_passport, employer=ev.employer, agent=ev.agent, anonymous=ev.anonymous,
        verify_hash=pol.verify_hash(ev.reference, last4) if last4 else None, status="new", urgent=ev.urgent,
        urgent_reason=ev.urgent_reason, responsible_body=ev.responsible_body,
        promised_referral_at=_dt(ev.promised_referral_at), promised_resolution_at=_dt(ev.promised_resolution_at),
        created_at=scope.now, updated_at=scope.now,
        oep_id=oep_for_complaint(session, scope.core, scope.now.date(), ev.agent, ev.description))
    session.add(complaint)
    session.flush()  # a concurrent filing of the same draft fails here; the service retries the turn
    session.add(ComplaintEvent(complaint_id=complaint.id, at=scope.now, actor=csvc.WORKER, kind="created",
                               to_status="new", public=False))
    _link_attachments(scope, complaint, ev)


def _link_attachments(scope: TurnScope, complaint: Complaint, ev: ComplaintConfirmed) -> None:
    """Link files that arrived during intake (their messages are in the log) to the complaint."""
    wanted = set(ev.attachment_refs)
    if not wanted:
        return
    rows = scope.session.scalars(select(Message).where(
        Message.contact_id == scope.contact.id, Message.direction == "in", Message.attachments.is_not(None),
        Message.created_at >= _dt(ev.started_at)).order_by(Message.id))
    for msg in rows:
        for item in msg.attachments or []:
            if item.get("ref") in wanted:
                wanted.discard(item["ref"])
                scope.session.add(ComplaintAttachment(complaint_id=complaint.id, message_id=msg.id,
                                                      kind=str(item.get("kind") or "media")[:20],
                                                      ref=str(item["ref"])[:500],
                                                      # stored before the edge checked it: cut to the column
                                                      content_type=(item.get("content_type") or None) and
                                                      str(item["content_type"])[:100]))
    for ref in wanted:
        scope.session.add(ComplaintAttachment(complaint_id=complaint.id, kind="media", ref=ref[:500]))


def _own(scope: TurnScope, reference: str) -> Complaint | None:
    found = scope.session.scalars(select(Complaint).where(Complaint.reference == reference)).one_or_none()
    return found if found is not None and found.contact_id == scope.contact.id else None


def reopen(scope: TurnScope, ev: ComplaintReopened) -> None:
    """Reopen the contact's own resolved or closed complaint, with fresh promised dates."""
    complaint = _own(scope, ev.reference)
    if complaint is None or complaint.status not in ("resolved", "closed"):
        return
    csvc.change_status(scope.session, complaint, "reopened", actor=csvc.WORKER, now=scope.now, core=scope.core)
    complaint.promised_referral_at, complaint.promised_resolution_at = policy(scope).promised(
        scope.now, complaint.urgent)


def confirm_resolution(scope: TurnScope, ev: ResolutionConfirmed) -> None:
    """Close the contact's own resolved complaint: the worker says it is solved."""
    complaint = _own(scope, ev.reference)
    if complaint is not None and complaint.status == "resolved":
        csvc.change_status(scope.session, complaint, "closed", actor=csvc.WORKER, now=scope.now, core=scope.core)


def record_failure(scope: TurnScope, ev: LookupFailed) -> None:
    """Count a failed lookup towards the contact's hourly limit (the reference tried is not stored)."""
    throttle.record(scope.session, THROTTLE_SCOPE, [f"contact:{scope.contact.id}"], scope.now)
    throttle.prune(scope.session, scope.now - 2 * THROTTLE_WINDOW, scope=THROTTLE_SCOPE)  # can no longer count
