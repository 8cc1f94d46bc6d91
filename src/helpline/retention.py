"""Less at rest, for less time (issue 16, item 6): the retention purge and the worker's request to delete their data.

:func:`purge` (``helpline privacy purge``, run daily from cron) replaces what workers wrote with a marker once it
is older than the retention periods in the settings, and forgets unfinished complaint drafts past their lifetime;
closed complaints lose their personal fields. Rows are kept, so every count the console's overview shows (messages,
complaints per category, country, body, OEP, month, time to resolution) stays right. It is idempotent: a marked row
is not counted again.

:func:`complete_request` (an admin, in the console) anonymises one contact the same way, at once, for everything
of theirs: messages, unanswered questions, handoff reasons, the conversation state (drafts), status watches and
their complaints' personal fields. The contact row (the channel address) stays: it is how the worker is told the
request is done, and how a later message finds the conversation.

What a complaint keeps: reference, category, country, status and its history's dates, responsible body, urgency,
employer and agent (the parties complained about: the OEP statistics need them). What it loses: the worker's name,
CNIC, passport number, the family relation, the story and the text of notes and updates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from helpline import media
from helpline.complaints.models import Complaint, ComplaintEvent
from helpline.crypto import SEALED_PARTS
from helpline.handoff.models import HANDOFF_ACTIVE, Handoff
from helpline.outbox.model import OutboxMessage
from helpline.storage.models import Contact, Conversation, DeletionRequest, Message, UnansweredQuestion

PURGED = "[removed after the retention period]"
DELETED = "[deleted on request]"
MARKERS = (PURGED, DELETED)
_PENDING_OUTBOX = ("queued", "sending")  # still to be delivered: their text is needed


@dataclass(frozen=True)
class Periods:
    """Retention periods in days (from the settings)."""

    messages: int
    closed_cases: int
    drafts: int

    @classmethod
    def from_settings(cls, settings: Any) -> Periods:
        return cls(messages=settings.retention_message_days, closed_cases=settings.retention_closed_case_days,
                   drafts=settings.complaint_draft_days)


def purge(session: Session, now: datetime, periods: Periods, *, dry_run: bool = False) -> dict[str, int]:
    """Anonymise what is past its retention period, in the caller's transaction; the counts of rows changed (or,
    with ``dry_run``, that would change: nothing is written)."""
    old = now - timedelta(days=periods.messages)
    counts: dict[str, int] = {}
    where_messages = (Message.created_at < old, Message.text.not_in(MARKERS))
    counts["messages"] = _count(session, Message.id, *where_messages)
    # The outbox's copy of what was sent (staff replies quote cases), while its logged message is not marked yet.
    unmarked = select(Message.id).where(Message.text.not_in(MARKERS))
    where_outbox = (OutboxMessage.created_at < old, OutboxMessage.status.not_in(_PENDING_OUTBOX),
                    OutboxMessage.message_id.in_(unmarked))
    counts["outbox"] = _count(session, OutboxMessage.id, *where_outbox)
    where_questions = (UnansweredQuestion.created_at < old, UnansweredQuestion.text.not_in(MARKERS))
    counts["unanswered_questions"] = _count(session, UnansweredQuestion.id, *where_questions)
    where_handoffs = (Handoff.requested_at < old, Handoff.status.not_in(HANDOFF_ACTIVE),
                      (Handoff.reason.is_not(None)) | (Handoff.urgent_reason.is_not(None)))
    counts["handoffs"] = _count(session, Handoff.id, *where_handoffs)
    closed = list(session.scalars(select(Complaint).where(
        Complaint.status == "closed", Complaint.closed_at < now - timedelta(days=periods.closed_cases),
        Complaint.anonymised_at.is_(None))))
    counts["complaints"] = len(closed)
    idle = [c for c in session.scalars(select(Conversation).where(
        Conversation.updated_at < now - timedelta(days=periods.drafts)))
        if _has_personal_state(c.state) or c.pager is not None]
    stale = [c for c in idle if _has_personal_state(c.state)]
    counts["drafts"] = len(stale)
    if dry_run:
        return counts
    session.execute(update(OutboxMessage).where(*where_outbox).values(payload={"paragraphs": [PURGED], "menu": []})
                    .execution_options(synchronize_session=False))  # before the messages: it looks at them
    media.forget(session, message_ids=select(Message.id).where(*where_messages))  # voice notes, photos: with them
    session.execute(update(Message).where(*where_messages).values(text=PURGED, attachments=None)
                    .execution_options(synchronize_session=False))
    session.execute(update(UnansweredQuestion).where(*where_questions)
                    .values(text=PURGED, normalized="", resolution=func.coalesce(UnansweredQuestion.resolution,
                                                                                 "noise"),
                            resolved_by=func.coalesce(UnansweredQuestion.resolved_by, "retention"),
                            resolved_at=func.coalesce(UnansweredQuestion.resolved_at, now))
                    .execution_options(synchronize_session=False))
    session.execute(update(Handoff).where(*where_handoffs).values(reason=None, urgent_reason=None)
                    .execution_options(synchronize_session=False))
    for complaint in closed:
        anonymise_complaint(session, complaint, PURGED, now)
    for conversation in idle:  # the draft, and SMS pages still waiting for MORE (they quote the conversation)
        conversation.state = _without_personal_state(conversation.state)
        conversation.pager = None
    session.flush()
    return counts


def _count(session: Session, column: Any, *where: Any) -> int:
    return session.scalar(select(func.count(column)).where(*where)) or 0


def _has_personal_state(state: dict[str, Any] | None) -> bool:
    return bool(state) and any(k in state for k in SEALED_PARTS)  # type: ignore[operator]


def _without_personal_state(state: dict[str, Any] | None) -> dict[str, Any]:
    """The state with no draft, no flow (its data is gone) and no history: the language and turn count stay."""
    kept = {k: v for k, v in (state or {}).items() if k not in SEALED_PARTS and k not in ("flow", "step", "menu")}
    return kept


def anonymise_complaint(session: Session, complaint: Complaint, marker: str, now: datetime) -> None:
    """Remove a complaint's personal fields, keeping the row (and so every count) and its history's dates."""
    complaint.worker_name = complaint.worker_cnic = complaint.worker_passport = complaint.filer_relation = None
    complaint.verify_hash = None  # nothing left to verify against: STATUS <ref> by others is refused
    complaint.description = marker
    complaint.anonymised_at = now
    session.execute(update(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id,
                                                 ComplaintEvent.text.is_not(None)).values(text=marker)
                    .execution_options(synchronize_session=False))


# -- a worker's request ------------------------------------------------------------------------------------


def on_deletion_requested(scope: Any, event: Any) -> None:
    """Open a deletion request for the turn's contact (one open request at a time: asking again changes nothing)."""
    session = scope.session
    open_one = session.scalar(select(DeletionRequest.id).where(DeletionRequest.contact_id == scope.contact.id,
                                                               DeletionRequest.status == "open"))
    if open_one is None:
        session.add(DeletionRequest(contact_id=scope.contact.id, channel=scope.msg.channel, lang=event.lang,
                                    status="open", requested_at=scope.now))


def anonymise_contact(session: Session, contact_id: int, now: datetime) -> dict[str, int]:
    """Everything the contact told us, replaced by :data:`DELETED` (rows kept for the counts); the counts changed."""
    from helpline.status.models import StatusWatch

    counts: dict[str, int] = {}
    result = session.execute(update(Message).where(Message.contact_id == contact_id, Message.text != DELETED)
                             .values(text=DELETED, attachments=None).execution_options(synchronize_session=False))
    counts["messages"] = result.rowcount or 0
    media.forget(session, contact_id=contact_id)  # the voice notes and photos they sent go with their messages
    result = session.execute(update(OutboxMessage).where(OutboxMessage.contact_id == contact_id,
                                                         OutboxMessage.status.not_in(_PENDING_OUTBOX))
                             .values(payload={"paragraphs": [DELETED], "menu": []})
                             .execution_options(synchronize_session=False))
    counts["outbox"] = result.rowcount or 0
    result = session.execute(update(UnansweredQuestion).where(UnansweredQuestion.contact_id == contact_id)
                             .values(text=DELETED, normalized="",
                                     resolution=func.coalesce(UnansweredQuestion.resolution, "noise"),
                                     resolved_by=func.coalesce(UnansweredQuestion.resolved_by, "deletion"),
                                     resolved_at=func.coalesce(UnansweredQuestion.resolved_at, now))
                             .execution_options(synchronize_session=False))
    counts["unanswered_questions"] = result.rowcount or 0
    result = session.execute(update(Handoff).where(Handoff.contact_id == contact_id)
                             .values(reason=None, urgent_reason=None).execution_options(synchronize_session=False))
    counts["handoffs"] = result.rowcount or 0
    complaints = list(session.scalars(select(Complaint).where(Complaint.contact_id == contact_id)))
    for complaint in complaints:
        anonymise_complaint(session, complaint, DELETED, now)
    counts["complaints"] = len(complaints)
    conversation = session.get(Conversation, contact_id)
    counts["drafts"] = int(conversation is not None and _has_personal_state(conversation.state))
    if conversation is not None:
        conversation.state = _without_personal_state(conversation.state)
        conversation.pager = None  # pages waiting for MORE quote the conversation
    watches = list(session.scalars(select(StatusWatch).where(StatusWatch.contact_id == contact_id)))
    for watch in watches:
        session.delete(watch)
    counts["status_watches"] = len(watches)
    session.flush()
    return counts


def complete_request(session: Session, request: DeletionRequest, actor: str, now: datetime,
                     core: Any = None) -> dict[str, int]:
    """Anonymise the request's contact, mark the request done and tell the worker (through the outbox, in their
    language, when ``core`` is given and the contact can be reached); the counts. Auditing is the caller's."""
    counts = anonymise_contact(session, request.contact_id, now) if request.contact_id is not None else {}
    request.status, request.completed_at, request.completed_by, request.result = "done", now, actor, counts
    contact = session.get(Contact, request.contact_id) if request.contact_id is not None else None
    if core is not None and contact is not None and not contact.opted_out:
        from helpline import outbox
        from helpline.messages import Text
        from helpline.pipeline import contact_language

        lang = contact_language(session, contact.id, request.lang)
        outbox.enqueue(session, contact, [core.i18n.render(Text("privacy.delete.done"), lang)], kind="privacy",
                       lang=lang, now=now, dedupe_key=f"deletion-request:{request.id}")
    session.flush()
    return counts
