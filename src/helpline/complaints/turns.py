"""The complaints concern's side of a turn: the read-only port and the writers of complaint events."""

from __future__ import annotations

import hmac
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from helpline import throttle
from helpline.complaints import policy as policy_mod
from helpline.complaints import references
from helpline.complaints import service as csvc
from helpline.complaints.events import ComplaintConfirmed, ComplaintReopened, LookupFailed, ResolutionConfirmed
from helpline.complaints.models import Complaint, ComplaintAttachment, ComplaintEvent
from helpline.complaints.ports import ComplaintView
from helpline.service import TurnScope, on_event, port
from helpline.storage.models import Message

log = logging.getLogger(__name__)
THROTTLE_WINDOW = timedelta(hours=1)
THROTTLE_SCOPE = "complaint_lookup"  # key: contact:<id>


class DbComplaintsPort:
    """:class:`~helpline.complaints.ports.ComplaintsPort` over the turn's session (reads only)."""

    def __init__(self, scope: TurnScope):
        self._scope = scope

    def new_reference(self) -> str:
        """A random reference with at least one letter, not used yet."""
        session = self._scope.session
        while True:
            ref = references.new_reference()
            if ref.isdigit():
                continue
            if session.scalar(select(Complaint.id).where(Complaint.reference == ref)) is None:
                return ref

    def new_draft_key(self) -> str:
        """A random draft key."""
        return uuid.uuid4().hex

    def policy(self) -> policy_mod.Policy:
        """The policy in force."""
        return policy_mod.current()

    def _get(self, reference: str) -> Complaint | None:
        return self._scope.session.scalars(select(Complaint).where(Complaint.reference == reference)).one_or_none()

    def _view(self, c: Complaint) -> ComplaintView:
        last = self._scope.session.scalars(
            select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id, ComplaintEvent.public.is_(True))
            .order_by(ComplaintEvent.at.desc(), ComplaintEvent.id.desc()).limit(1)).one_or_none()
        return ComplaintView(
            reference=c.reference, category=c.category, status=c.status, body=c.responsible_body, urgent=c.urgent,
            owned=c.contact_id is not None and c.contact_id == self._scope.contact.id,
            verifiable=c.verify_hash is not None, created_at=c.created_at,
            promised_referral_at=c.promised_referral_at, promised_resolution_at=c.promised_resolution_at,
            resolved_at=c.resolved_at, closed_at=c.closed_at,
            last_update=last.text if last else None, last_update_at=last.at if last else None)

    def lookup(self, reference: str) -> ComplaintView | None:
        """The complaint with this reference, if any."""
        found = self._get(reference)
        return self._view(found) if found else None

    def verify(self, reference: str, last4: str) -> ComplaintView | None:
        """The complaint when ``last4`` matches its verification hash."""
        found = self._get(reference)
        if found is None or found.verify_hash is None:
            return None
        if not hmac.compare_digest(found.verify_hash, policy_mod.current().verify_hash(reference, last4)):
            return None
        return self._view(found)

    def failures_last_hour(self) -> int:
        """Failed lookups by this contact in the last hour."""
        return throttle.recent(self._scope.session, THROTTLE_SCOPE, f"contact:{self._scope.contact.id}",
                               self._scope.now - THROTTLE_WINDOW)


@port("complaints")
def _complaints_port(scope: TurnScope) -> DbComplaintsPort:
    return DbComplaintsPort(scope)


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


@on_event(ComplaintConfirmed)
def store_complaint(scope: TurnScope, ev: ComplaintConfirmed) -> None:
    """Store a confirmed draft once; a second confirmation of the same draft is ignored."""
    session = scope.session
    if session.scalar(select(Complaint.id).where(Complaint.draft_key == ev.draft_key)) is not None:
        log.info("complaint draft already filed; ignored")
        return
    pol = policy_mod.current()
    last4 = ev.worker_cnic[-4:] if ev.worker_cnic and not ev.anonymous else None
    complaint = Complaint(
        reference=ev.reference, draft_key=ev.draft_key, contact_id=scope.contact.id, channel=scope.inbound.channel,
        lang=ev.lang, category=ev.category, country=ev.country, description=ev.description, affected=ev.affected,
        filer_relation=ev.filer_relation, worker_name=ev.worker_name, worker_cnic=ev.worker_cnic,
        worker_passport=ev.worker_passport, employer=ev.employer, agent=ev.agent, anonymous=ev.anonymous,
        verify_hash=pol.verify_hash(ev.reference, last4) if last4 else None, status="new", urgent=ev.urgent,
        urgent_reason=ev.urgent_reason, responsible_body=ev.responsible_body,
        promised_referral_at=_dt(ev.promised_referral_at), promised_resolution_at=_dt(ev.promised_resolution_at),
        created_at=scope.now, updated_at=scope.now)
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
                                                      content_type=item.get("content_type")))
    for ref in wanted:
        scope.session.add(ComplaintAttachment(complaint_id=complaint.id, kind="media", ref=ref[:500]))


def _own(scope: TurnScope, reference: str) -> Complaint | None:
    found = scope.session.scalars(select(Complaint).where(Complaint.reference == reference)).one_or_none()
    return found if found is not None and found.contact_id == scope.contact.id else None


@on_event(ComplaintReopened)
def reopen(scope: TurnScope, ev: ComplaintReopened) -> None:
    """Reopen the contact's own resolved or closed complaint, with fresh promised dates."""
    complaint = _own(scope, ev.reference)
    if complaint is None or complaint.status not in ("resolved", "closed"):
        return
    csvc.change_status(scope.session, complaint, "reopened", actor=csvc.WORKER, now=scope.now, core=scope.core)
    complaint.promised_referral_at, complaint.promised_resolution_at = policy_mod.current().promised(
        scope.now, complaint.urgent)


@on_event(ResolutionConfirmed)
def confirm_resolution(scope: TurnScope, ev: ResolutionConfirmed) -> None:
    """Close the contact's own resolved complaint: the worker says it is solved."""
    complaint = _own(scope, ev.reference)
    if complaint is not None and complaint.status == "resolved":
        csvc.change_status(scope.session, complaint, "closed", actor=csvc.WORKER, now=scope.now, core=scope.core)


@on_event(LookupFailed)
def record_failure(scope: TurnScope, ev: LookupFailed) -> None:
    """Count a failed lookup towards the contact's hourly limit (the reference tried is not stored)."""
    throttle.record(scope.session, THROTTLE_SCOPE, [f"contact:{scope.contact.id}"], scope.now)
    throttle.prune(scope.session, scope.now - 2 * THROTTLE_WINDOW, scope=THROTTLE_SCOPE)  # can no longer count


def apply_settings(settings: Any) -> None:
    """Use the deployment's promised dates, reopen window and pepper (called by ``Core.from_settings``)."""
    policy_mod.configure(policy_mod.from_settings(settings))
