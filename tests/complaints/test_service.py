"""The complaints service used by the console: transitions, history, outbox messages, RAG, reference lookup."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from helpline.complaints import references
from helpline.complaints import service as csvc
from helpline.complaints.models import TRANSITIONS, ComplaintEvent
from helpline.outbox import OutboxMessage
from tests.factories import T0, make_complaint, make_contact


def _outbox(session):
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_status_changes_are_validated_recorded_and_sent_in_the_workers_language(session, core):
    contact = make_contact(session, language="ur-Latn")
    c = make_complaint(session, contact)
    with pytest.raises(ValueError, match="cannot go from 'new' to 'reopened'"):
        csvc.change_status(session, c, "reopened", actor="staff:amina", now=T0, core=core)
    with pytest.raises(ValueError, match="unknown status"):
        csvc.change_status(session, c, "lost", actor="staff:amina", now=T0, core=core)
    event = csvc.change_status(session, c, "referred", actor="staff:amina", now=T0 + timedelta(hours=1), core=core,
                               public_text="CWA Riyadh ko bhej diya")
    assert (event.kind, event.from_status, event.to_status, event.public, event.actor) == (
        "status", "new", "referred", True, "staff:amina")
    [msg] = _outbox(session)
    assert msg.lang == "ur-Latn" and msg.kind == "case_update"
    ref = references.display(c.reference)
    assert msg.payload["paragraphs"][0] == f"Aap ki shikayat {ref} ab: zimmedar idare ko bhej di gayi."
    assert "CWA Riyadh ko bhej diya" in msg.payload["paragraphs"][1]
    assert c.first_response_at == T0 + timedelta(hours=1)
    csvc.change_status(session, c, "resolved", actor="staff:amina", now=T0 + timedelta(days=2), core=core)
    assert c.resolved_at == T0 + timedelta(days=2)
    assert "DOBARA" in _outbox(session)[-1].payload["paragraphs"][-1]
    csvc.change_status(session, c, "closed", actor="staff:amina", now=T0 + timedelta(days=3), core=core)
    assert c.closed_at is not None
    csvc.change_status(session, c, "reopened", actor="staff:amina", now=T0 + timedelta(days=4), core=core)
    assert c.resolved_at is None and c.closed_at is None


def test_every_transition_target_is_a_status():
    for source, targets in TRANSITIONS.items():
        assert source in csvc.STATUSES and targets <= set(csvc.STATUSES)


def test_notes_are_internal_and_updates_are_public(session, core):
    c = make_complaint(session, make_contact(session))
    note = csvc.add_note(session, c, "called the CWA, no answer", actor="staff:bilal", now=T0)
    assert note.kind == "note" and not note.public and _outbox(session) == []
    update = csvc.send_public_update(session, c, "The CWA has your case.", actor="staff:bilal", now=T0, core=core)
    assert update.public and c.first_response_at == T0
    [msg] = _outbox(session)
    ref = references.display(c.reference)
    assert msg.payload["paragraphs"] == [f"Update on complaint {ref}: The CWA has your case."]


def test_a_complaint_without_contact_gets_no_message(session, core):
    c = make_complaint(session, None)
    csvc.send_public_update(session, c, "x", actor="staff:bilal", now=T0, core=core)
    assert _outbox(session) == []


def test_assign_and_body(session):
    c = make_complaint(session, make_contact(session))
    csvc.assign(session, c, "amina", actor="staff:boss", now=T0)
    csvc.set_body(session, c, "FIA", actor="staff:boss", now=T0)
    with pytest.raises(ValueError):
        csvc.set_body(session, c, "NASA", actor="staff:boss", now=T0)
    assert (c.assignee, c.responsible_body) == ("amina", "FIA")
    kinds = [e.kind for e in session.scalars(select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id))]
    assert kinds == ["created", "assign", "body"]


def test_rag_and_overdue(session):
    c = make_complaint(session, make_contact(session))  # referral due T0 + 4 days
    assert csvc.rag(c, T0 + timedelta(days=1)) == "green" and not csvc.is_overdue(c, T0 + timedelta(days=1))
    assert csvc.rag(c, T0 + timedelta(days=3, hours=5)) == "amber"
    assert csvc.rag(c, T0 + timedelta(days=5)) == "red" and csvc.is_overdue(c, T0 + timedelta(days=5))
    c.first_response_at = T0 + timedelta(days=1)  # answered: now the resolution date counts
    assert csvc.rag(c, T0 + timedelta(days=5)) == "green"
    assert csvc.rag(c, T0 + timedelta(days=29)) == "red"
    c.status = "closed"
    assert csvc.rag(c, T0 + timedelta(days=29)) == "green" and not csvc.is_overdue(c, T0 + timedelta(days=29))
    urgent = make_complaint(session, None, urgent=True, promised_referral_at=T0 + timedelta(hours=12))
    assert csvc.rag(urgent, T0 + timedelta(hours=1)) == "amber"


def test_find_by_reference_forgives_typing_but_not_typos(session):
    c = make_complaint(session, None, reference="K7M4XQY")
    assert csvc.find_by_reference(session, "k7m-4xqy") is c
    assert csvc.find_by_reference(session, "K۷M 4XQY") is c
    assert csvc.find_by_reference(session, "K7M-4XQA") is None
    assert csvc.find_by_reference(session, "nonsense") is None


def test_draft_key_and_reference_are_unique(session):
    from sqlalchemy.exc import IntegrityError

    first = make_complaint(session, None)
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            make_complaint(session, None, draft_key=first.draft_key)
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            make_complaint(session, None, reference=first.reference)


def test_policy_from_settings_and_no_secrets_in_reprs(settings):
    from helpline.complaints import policy
    from helpline.engine.events import ComplaintConfirmed

    pol = policy.from_settings(settings.model_copy(update={"complaint_referral_days": 3}))
    assert pol.referral_days == 3 and "pepper" not in repr(pol) and "CHANGE-ME" not in repr(settings)
    event = ComplaintConfirmed(
        draft_key="k", reference="K7M4XQY", lang="en", category="wages", country="SA", description="my CNIC ...",
        affected="self", filer_relation=None, worker_name="Aslam", worker_cnic="3520212345671",
        worker_passport="AB1234567", employer=None, agent=None, anonymous=False, urgent=False, urgent_reason=None,
        responsible_body="CWA", promised_referral_at="", promised_resolution_at="", started_at="")
    assert "3520212345671" not in repr(event) and "Aslam" not in repr(event) and "AB1234567" not in repr(event)
    # 20 working days from Wednesday 25 Nov 2026 skip four weekends.
    assert policy.add_working_days(T0.replace(year=2026, month=11, day=25), 20).day == 23


def test_close_stale_closes_resolved_complaints_after_the_reopen_window(session, core):
    fresh = make_complaint(session, make_contact(session), status="resolved", resolved_at=T0)
    old = make_complaint(session, make_contact(session, "tel:+923001111111"), status="resolved",
                         resolved_at=T0 - timedelta(days=31))
    closed = csvc.close_stale(session, T0, core)
    assert closed == [old] and old.status == "closed" and fresh.status == "resolved"
    assert "closed" in _outbox(session)[-1].payload["paragraphs"][0]


def test_cli_show_and_close_stale(settings, monkeypatch):
    from click.testing import CliRunner

    from webhooks.main import main
    from helpline.storage.db import make_engine, make_session_factory, upgrade

    monkeypatch.setenv("HELPLINE_DATABASE_URL", settings.database_url)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with make_session_factory(engine).begin() as s:
        c = make_complaint(s, None, reference="K7M4XQY", status="resolved", resolved_at=T0)
        csvc.add_note(s, c, "private", actor="staff:amina", now=T0)
    engine.dispose()
    runner = CliRunner()
    shown = runner.invoke(main, ["complaints", "show", "k7m 4xqy"])
    assert shown.exit_code == 0 and "K7M-4XQY wages resolved" in shown.output and "staff:amina note" in shown.output
    assert "private" not in shown.output
    assert runner.invoke(main, ["complaints", "show", "K7M-4XQA"]).exit_code != 0
    closed = runner.invoke(main, ["complaints", "close-stale"])
    assert closed.exit_code == 0 and "closed 1 complaint(s): K7M-4XQY" in closed.output
