"""A worker's request to delete their data (issue 16, item 6), end to end: the keyword in each language over SMS →
a task in the console that only an admin sees → the admin completes it (CSRF, audited) → the worker's messages,
draft and complaints are anonymised, the complaint rows and counts stay, and the worker is told."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from helpline import retention
from helpline.complaints.models import Complaint
from helpline.console.models import AuditEntry
from helpline.outbox.model import OutboxMessage
from helpline.storage.models import Contact, Conversation, DeletionRequest, Message
from tests.console.conftest import make_complaint, post
from tests.harness import ServiceDriver

ASKS = {"en": ("DELETE MY DATA", "yes", "deleted as you asked"),
        "ur-Latn": ("mera data delete kar do", "haan", "data delete kar diya gaya"),
        "ur": ("میرا ڈیٹا مٹا دیں", "ہاں", "ڈیٹا مٹا دیا گیا")}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_three_workers_ask_an_admin_completes_each_audited_and_anonymised(app, as_role, session_factory, core):
    core = dataclasses.replace(app.extensions["helpline"].core)
    workers = {}
    for n, (lang, (ask, yes, _)) in enumerate(ASKS.items()):
        worker = ServiceDriver(session_factory, core, address=f"tel:+92300000000{n}")
        worker.say("Complaint: my salary is not paid in Dubai for 4 months")
        worker.say(f"Aslam Khan 35202-987654{n}-1 AB765432{n}")  # the draft now holds name and numbers
        with session_factory.begin() as s:
            contact = s.scalars(select(Contact).where(Contact.address == worker.address)).one()
            make_complaint(s, contact=contact, description="Kafeel took my passport AB7654329", status="in_progress",
                           worker_name="Aslam Khan", worker_passport="AB7654329", lang=lang)
        worker.say(ask)
        worker.say(yes)
        workers[lang] = (worker, contact.id)
    with session_factory() as s:
        before = s.scalar(select(func.count(Complaint.id)))
        requests = {r.lang: r.id for r in s.scalars(select(DeletionRequest))}
    assert set(requests) == set(ASKS)

    assert as_role("agent").get("/staff/privacy").status_code == 403
    assert as_role("supervisor").get("/staff/privacy").status_code == 403
    admin = as_role("admin")
    page = admin.get("/staff/privacy").get_data(as_text=True)
    assert page.count("Delete this worker") == 3 and "+923000000000" not in page  # addresses masked
    rid = requests["ur"]
    assert admin.post(f"/staff/privacy/{rid}/complete").status_code == 400  # no CSRF token

    for lang, (worker, contact_id) in workers.items():
        response = post(admin, f"/staff/privacy/{requests[lang]}/complete")
        assert response.status_code == 302
        with session_factory() as s:
            texts = s.scalars(select(Message.text).where(Message.contact_id == contact_id)).all()
            assert texts[:-1] == [retention.DELETED] * (len(texts) - 1)
            assert ASKS[lang][2] in texts[-1]  # the worker is told, in their language, through the outbox
            [told] = s.scalars(select(OutboxMessage).where(OutboxMessage.contact_id == contact_id,
                                                           OutboxMessage.kind == "privacy")).all()
            assert told.status == "queued"
            state = s.get(Conversation, contact_id).state
            assert "complaint_draft" not in state and "flow" not in state
            [c] = s.scalars(select(Complaint).where(Complaint.contact_id == contact_id)).all()
            assert (c.worker_name, c.worker_cnic, c.worker_passport) == (None, None, None)
            assert c.description == retention.DELETED and c.anonymised_at is not None
            assert (c.category, c.status) == ("wages", "in_progress")  # the case and its counts stay
            request = s.get(DeletionRequest, requests[lang])
            assert (request.status, request.completed_by) == ("done", "amna")
            assert request.result["complaints"] == 1 and request.result["drafts"] == 1
            [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.delete",
                                                         AuditEntry.target_id == str(requests[lang]))).all()
            assert entry.actor == "amna" and entry.detail["messages"] >= 4

    again = post(admin, f"/staff/privacy/{rid}/complete", follow_redirects=True)
    assert "already completed" in again.get_data(as_text=True)
    assert post(admin, "/staff/privacy/999999/complete").status_code == 404
    with session_factory() as s:
        assert s.scalar(select(func.count(Complaint.id))) == before
        assert s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "privacy.delete")) == 3
        raw = " ".join(r[0] or "" for r in s.execute(select(Message.text)))
    assert "Aslam" not in raw and "9876540" not in raw
    done = admin.get("/staff/privacy").get_data(as_text=True)
    assert "done" in done and "Delete this worker" not in done
