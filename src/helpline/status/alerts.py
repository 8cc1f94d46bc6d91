"""Status-change alerts: an import that changes a watched record queues one outbox message per watch.

Called by the importer inside the import's transaction, so an alert exists if and only if the change was
committed. Each alert is in the worker's language (the contact's, else the one they watched in) and goes to the
contact's channel; its dedupe key (watch, new status, status date) keeps a re-run from queueing it twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.messages import Text
from helpline.notices import STATUS_ALERT, NoticeRef
from helpline.outbox import enqueue
from helpline.pipeline import contact_language
from helpline.status import codes as codebook
from helpline.status.factors import mask_number
from helpline.status.models import StatusRecord, StatusWatch
from helpline.storage.models import Contact

AlertRenderer = Callable[[Text, str], str]
"""Words for a message key in a language, e.g. ``I18n.render``."""


def alert_paragraphs(record: StatusRecord, lang: str, render: AlertRenderer) -> list[str]:
    """The alert's text: what changed, what to do next, and the office."""
    book = codebook.load()
    kind, code = book.kinds.get(record.kind), book.codes.get(record.status)
    number = mask_number(record.tracking_number)
    paragraphs = [render(Text("status_lookup.alert", {
        "kind": kind.name(lang) if kind else record.kind, "number": number,
        "status": code.text(lang) if code else record.status,
        "updated": record.status_updated_at.date().isoformat()}), lang)]
    if code:
        paragraphs.append(render(Text("status_lookup.next", {"next": code.next_step(lang)}), lang))
    if record.office:
        paragraphs.append(render(Text("status_lookup.office", {"office": record.office}), lang))
    return paragraphs


def alert_notice(record: StatusRecord, lang: str) -> NoticeRef:
    """The ``status_alert`` notice that stands in for an alert on WhatsApp after 24 hours of silence."""
    book = codebook.load()
    kind, code = book.kinds.get(record.kind), book.codes.get(record.status)
    return NoticeRef.of(STATUS_ALERT, document=kind.name(lang) if kind else record.kind,
                        number=mask_number(record.tracking_number), date=record.status_updated_at.date().isoformat(),
                        status=code.text(lang) if code else record.status)


def queue_alerts(session: Session, record_ids: list[int], now: datetime, render: AlertRenderer | None, *,
                 dry_run: bool = False) -> int:
    """Queue one alert per watch on these records whose status or office moved; return how many (would be) queued."""
    query = (select(StatusWatch, StatusRecord, Contact)
             .join(StatusRecord, StatusRecord.id == StatusWatch.record_id)
             .join(Contact, Contact.id == StatusWatch.contact_id)
             .where(StatusWatch.record_id.in_(record_ids)).order_by(StatusWatch.id))
    queued = 0
    book = codebook.load()
    for watch, record, contact in session.execute(query).all():
        if (watch.last_status, watch.last_office) == (record.status, record.office):
            continue
        queued += 1
        if dry_run or render is None:
            continue
        lang = contact_language(session, contact.id, watch.lang)
        key = f"status_alert:{watch.id}:{record.status}:{record.status_updated_at.isoformat()}"
        enqueue(session, contact, alert_paragraphs(record, lang, render), kind="status_alert", lang=lang, now=now,
                dedupe_key=key[:200], notice=alert_notice(record, lang))
        code = book.codes.get(record.status)
        if code is not None and code.final:
            session.delete(watch)  # nothing more will happen: the watch has done its job
        else:
            watch.last_status, watch.last_office, watch.notified_at = record.status, record.office, now
    return queued
