"""Queue, case view, actions, masking, CSV export, overview and knowledge pages through the Flask test client."""

from __future__ import annotations

import csv
import io
import logging
from datetime import timedelta

from sqlalchemy import select

from helpline.complaints.models import Complaint, ComplaintEvent
from helpline.console.models import AuditEntry
from helpline.outbox import OutboxMessage
from helpline.privacy import mask
from helpline.storage.models import UnansweredQuestion
from tests.conftest import FIXED_NOW
from tests.console.conftest import make_complaint, make_contact, post

RAW_CNIC = ("35202-1234567-1", "3520212345671")
RAW_PHONE = "923001234567"


def _seed(session_factory):
    with session_factory.begin() as session:
        contact = make_contact(session)
        old = make_complaint(session, contact=contact, created_at=FIXED_NOW - timedelta(days=10),
                             description="Seth ne passport rakh liya, mera number 0300-1234567")
        urgent = make_complaint(session, contact=contact, urgent=True, category="abuse", description="<script>alert(1)</script>",
                                created_at=FIXED_NOW - timedelta(hours=2), country="AE", cnic=None)
        closed = make_complaint(session, status="closed", description="done", country="QA")
        return {"old": old.id, "urgent": urgent.id, "closed": closed.id, "contact": contact.id,
                "refs": {"old": old.display_reference, "urgent": urgent.display_reference,
                         "closed": closed.display_reference}}


def _no_raw_pii(text: str) -> None:
    for raw in (*RAW_CNIC, RAW_PHONE, "0300-1234567"):
        assert raw not in text, raw


def test_queue_orders_urgent_first_then_oldest_and_masks(as_role, session_factory) -> None:
    seeded = _seed(session_factory)
    page = as_role("agent").get("/staff/").get_data(as_text=True)
    _no_raw_pii(page)
    assert page.index(seeded["refs"]["urgent"]) < page.index(seeded["refs"]["old"])
    assert seeded["refs"]["closed"] not in page  # open complaints by default
    assert "rag-red" in page  # the 10-day-old complaint is past its 4-day referral promise
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert mask("0300-1234567") in page


def test_queue_search_and_filters(as_role, session_factory) -> None:
    seeded = _seed(session_factory)
    client = as_role("agent")

    def refs(**args) -> set[str]:
        page = client.get("/staff/", query_string=args).get_data(as_text=True)
        return {name for name, ref in seeded["refs"].items() if ref in page}

    assert refs(q=seeded["refs"]["old"].lower().replace("-", " ")) == {"old"}
    assert refs(q=seeded["refs"]["old"][:4]) >= {"old"}
    assert refs(q="4567") == {"old", "urgent"}  # last digits of the phone number
    assert refs(q="45671") == {"old"}  # last digits of the CNIC
    assert refs(q="passport") == {"old"}
    assert refs(status="all", country="QA") == {"closed"}
    assert refs(urgent="yes") == {"urgent"}
    assert refs(overdue="1") == {"old"}
    assert refs(category="abuse") == {"urgent"}
    assert refs(assignee="none") == {"old", "urgent"}
    assert refs(body="FIA") == set()


def test_case_view_masks_until_an_audited_reveal(as_role, session_factory) -> None:
    seeded = _seed(session_factory)
    agent = as_role("agent")
    page = agent.get(f"/staff/complaints/{seeded['old']}").get_data(as_text=True)
    _no_raw_pii(page)
    assert "35202-*******-1" in page
    assert "salam, mera CNIC 35202-*******-1 hai" in page  # numbers inside the conversation too
    assert post(agent, f"/staff/complaints/{seeded['old']}/reveal", {"reason": "calling back"}).status_code == 403
    supervisor = as_role("supervisor")
    page = post(supervisor, f"/staff/complaints/{seeded['old']}/reveal", {"reason": "calling back"}).get_data(as_text=True)
    assert "35202-1234567-1" in page and "+923001234567" in page
    again = supervisor.get(f"/staff/complaints/{seeded['old']}").get_data(as_text=True)
    _no_raw_pii(again)  # the reveal lasts one page
    with session_factory() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "pii.reveal")).one()
        assert (entry.actor, entry.target_id, entry.detail) == ("sajid", str(seeded["old"]), {"reason": "calling back"})


def test_script_in_a_complaint_renders_as_text(as_role, session_factory) -> None:
    seeded = _seed(session_factory)
    page = as_role("agent").get(f"/staff/complaints/{seeded['urgent']}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page


def test_actions_record_history_reach_the_outbox_and_are_audited(as_role, session_factory) -> None:
    seeded = _seed(session_factory)
    cid = seeded["old"]
    agent = as_role("agent")
    supervisor = as_role("supervisor")
    assert post(agent, f"/staff/complaints/{cid}/status", {"status": "referred", "public_text": "CWA ko bhej diya"}).status_code == 302
    assert post(agent, f"/staff/complaints/{cid}/status", {"status": "new"}).status_code == 302  # not allowed: flashed
    assert post(agent, f"/staff/complaints/{cid}/note", {"text": "Called the employer 0300-7654321"}).status_code == 302
    assert post(agent, f"/staff/complaints/{cid}/reply", {"text": "Hum aap ke case par kaam kar rahe hain"}).status_code == 302
    assert post(agent, f"/staff/complaints/{cid}/assign", {"assignee": "sajid"}).status_code == 403
    assert post(agent, f"/staff/complaints/{cid}/assign", {"assignee": "asma"}).status_code == 302
    assert post(supervisor, f"/staff/complaints/{cid}/assign", {"assignee": "ghost"}).status_code == 400
    assert post(supervisor, f"/staff/complaints/{cid}/body", {"body": "FIA"}).status_code == 302
    assert post(supervisor, f"/staff/complaints/{cid}/body", {"body": "NOPE"}).status_code == 302
    with session_factory() as session:
        complaint = session.get(Complaint, cid)
        assert (complaint.status, complaint.assignee, complaint.responsible_body) == ("referred", "asma", "FIA")
        kinds = session.scalars(select(ComplaintEvent.kind).where(ComplaintEvent.complaint_id == cid)
                                .order_by(ComplaintEvent.id)).all()
        assert kinds == ["status", "note", "public_update", "assign", "body"]
        queued = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        # status, reply, and the new responsible body (issue 15: the worker is told who handles it now)
        assert [q.channel for q in queued] == ["sms", "sms", "sms"] and all(q.lang == "ur-Latn" for q in queued)
        assert "Hum aap ke case par kaam kar rahe hain" in "\n".join(queued[1].payload["paragraphs"])
        assert "ab yeh idara dekhega" in "\n".join(queued[2].payload["paragraphs"])
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "complaint")).all()
        assert actions == ["complaint.status", "complaint.note", "complaint.reply", "complaint.assign", "complaint.body"]
    page = agent.get(f"/staff/complaints/{cid}").get_data(as_text=True)
    assert mask("0300-7654321") in page
    assert "Called the employer" in page and "internal" in page


def test_csv_export_is_masked_audited_and_for_supervisors(as_role, session_factory) -> None:
    seeded = _seed(session_factory)
    assert as_role("agent").get("/staff/export.csv").status_code == 403
    response = as_role("supervisor").get("/staff/export.csv?status=all")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    _no_raw_pii(text)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {r["reference"] for r in rows} == set(seeded["refs"].values())
    old = next(r for r in rows if r["reference"] == seeded["refs"]["old"])
    assert old["worker_cnic"] == "35202-*******-1" and old["overdue"] == "True" and old["rag"] == "red"
    with session_factory() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "export.csv")).one()
        assert entry.detail["rows"] == 3


def test_logs_never_carry_an_unmasked_number(as_role, session_factory, caplog) -> None:
    seeded = _seed(session_factory)
    caplog.set_level(logging.DEBUG)
    client = as_role("supervisor")
    client.get("/staff/?q=4567")
    client.get(f"/staff/complaints/{seeded['old']}")
    post(client, f"/staff/complaints/{seeded['old']}/note", {"text": "CNIC 35202-1234567-1"})
    client.get("/staff/export.csv")
    _no_raw_pii(caplog.text)


def test_overview_draws_svg_charts_for_supervisors(as_role, session_factory) -> None:
    _seed(session_factory)
    assert as_role("agent").get("/staff/overview").status_code == 403
    page = as_role("supervisor").get("/staff/overview").get_data(as_text=True)
    assert page.count("<svg") == 9
    for title in ("by status", "per week", "by category", "by responsible body", "by country", "Backlog ageing",
                  "first response", "Overdue", "OEPs with the most open complaints"):
        assert title in page
    assert "Saudi Arabia" in page


def test_knowledge_pages(as_role, session_factory) -> None:
    with session_factory.begin() as session:
        for text in ("visa kab milega", "Visa kab milega?", "mera number 03001234567 hai kya hoga"):
            from helpline.text import normalize

            session.add(UnansweredQuestion(text=text, normalized=normalize(text), lang="ur-Latn",
                                           best_topic="protector_registration", best_score=0.2, created_at=FIXED_NOW))
    client = as_role("agent")
    page = client.get("/staff/knowledge/unanswered").get_data(as_text=True)
    assert "<td>2</td>" in page and "03001234567" not in page
    assert "protector_registration" in client.get("/staff/knowledge/faq").get_data(as_text=True)
    topic = client.get("/staff/knowledge/faq/protector_registration").get_data(as_text=True)
    assert 'dir="auto"' in topic and "<h2>ur</h2>" in topic
    assert client.get("/staff/knowledge/faq/nope").status_code == 404


def test_passport_typed_with_a_space_is_masked_but_money_is_not() -> None:
    assert mask("passport ab 1234567 hai") == "passport AB*****67 hai"
    assert mask("AB-1234567") == "AB*****67"
    assert mask("agent ne Rs 4500000 liye") == "agent ne Rs 4500000 liye"
