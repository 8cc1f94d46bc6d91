"""Issue 15 through the Flask test client: safe actions (no preselected status, confirm before resolving or
closing, category / country / body corrections), a handoff conversation filed as a complaint in one step."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from helpline.complaints.models import Complaint, ComplaintEvent
from helpline.console.models import AuditEntry
from helpline.handoff.models import Handoff
from helpline.outbox import OutboxMessage
from helpline.storage.models import Message
from tests.conftest import FIXED_NOW
from tests.console.conftest import make_complaint, make_contact, post


def _case(session_factory, **kw) -> tuple[int, int]:
    with session_factory.begin() as session:
        contact = make_contact(session)
        complaint = make_complaint(session, contact=contact, **kw)
        return complaint.id, contact.id


def test_the_status_select_starts_empty_and_required(as_role, session_factory) -> None:
    cid, _ = _case(session_factory)
    page = as_role("agent").get(f"/staff/complaints/{cid}").get_data(as_text=True)
    select_html = re.search(r'<select id="status"[^>]*>(.*?)</select>', page, re.S)
    assert select_html and "required" in select_html.group(0)
    options = re.findall(r"<option[^>]*>", select_html.group(1))
    assert options[0] == '<option value="" selected disabled>' and all("selected" not in o for o in options[1:])


def test_resolving_or_closing_needs_the_confirm_box(as_role, session_factory) -> None:
    cid, _ = _case(session_factory)
    client = as_role("agent")
    assert post(client, f"/staff/complaints/{cid}/status", {"status": ""}).status_code == 400
    response = post(client, f"/staff/complaints/{cid}/status", {"status": "closed"}, follow_redirects=True)
    assert "tick the box to confirm" in response.get_data(as_text=True)
    with session_factory() as session:
        assert session.get(Complaint, cid).status == "new"
        assert session.scalars(select(OutboxMessage)).first() is None  # nobody told
    post(client, f"/staff/complaints/{cid}/status", {"status": "referred"})  # no confirmation needed
    post(client, f"/staff/complaints/{cid}/status", {"status": "resolved", "confirm": "yes"})
    with session_factory() as session:
        assert session.get(Complaint, cid).status == "resolved"


def test_category_and_country_corrected_internally_body_told_to_the_worker(as_role, session_factory) -> None:
    cid, _ = _case(session_factory, lang="ur")
    client = as_role("agent")
    response = post(client, f"/staff/complaints/{cid}/correct", {"category": "documents_held", "country": "AE"},
                    follow_redirects=True)
    assert "Corrected: category documents_held, country AE" in response.get_data(as_text=True)
    assert post(client, f"/staff/complaints/{cid}/correct", {"category": "nope"}).status_code == 302
    assert post(client, f"/staff/complaints/{cid}/correct", {"category": "wages", "country": "ZZ"}).status_code == 302
    with session_factory() as session:
        c = session.get(Complaint, cid)
        assert (c.category, c.country) == ("documents_held", "AE")
        kinds = [e.kind for e in c.events]
        assert kinds == ["category", "country"]
        assert session.scalars(select(OutboxMessage)).first() is None  # the worker is not told
        actions = set(session.scalars(select(AuditEntry.action)))
        assert {"complaint.category", "complaint.country"} <= actions
    post(client, f"/staff/complaints/{cid}/body", {"body": "FIA"})
    with session_factory() as session:
        told = session.scalars(select(OutboxMessage)).one()
        assert told.lang == "ur-Latn" and "ab yeh idara dekhega" in " ".join(told.payload["paragraphs"])
        assert session.get(Complaint, cid).responsible_body == "FIA"


def test_a_handoff_conversation_becomes_a_complaint(as_role, session_factory) -> None:
    with session_factory.begin() as session:
        contact = make_contact(session, lang="ur-Latn")
        session.add(Handoff(contact_id=contact.id, status="waiting", lang="ur-Latn", requested_at=FIXED_NOW,
                            reason="agent"))
        for i, text in enumerate(["agent", "Kafeel ne 3 mahine se tankhwah nahi di, Dubai mein hoon",
                                  "mera CNIC 35202-7654321-3 hai", "2"]):
            session.add(Message(contact_id=contact.id, direction="in", channel="sms", text=text,
                                created_at=FIXED_NOW + timedelta(minutes=i)))
        contact_id = contact.id
    client = as_role("agent")
    page = client.get(f"/staff/contacts/{contact_id}").get_data(as_text=True)
    assert "Kafeel ne 3 mahine se tankhwah nahi di" in page and "7654321" not in page  # masked where shown
    story = re.search(r'<textarea id="story"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert 'value="wages" selected' in page and 'value="AE" selected' in page
    response = post(client, f"/staff/contacts/{contact_id}/complaint",
                    {"story": story.replace("&#39;", "'"), "category": "wages", "country": "AE",
                     "employer": "Al Noor Trading", "worker_name": "Bilal"})
    assert response.status_code == 302 and "/staff/complaints/" in response.location
    with session_factory() as session:
        c = session.scalars(select(Complaint)).one()
        assert c.description == "Kafeel ne 3 mahine se tankhwah nahi di, Dubai mein hoon\nmera CNIC 35202-7654321-3 hai"
        assert (c.contact_id, c.lang, c.channel, c.category, c.country, c.responsible_body) == (
            contact_id, "ur-Latn", "sms", "wages", "AE", "CWA")
        assert (c.employer, c.worker_name) == ("Al Noor Trading", "Bilal")
        assert c.promised_referral_at > FIXED_NOW
        told = session.scalars(select(OutboxMessage)).one()
        assert c.display_reference in " ".join(told.payload["paragraphs"]) and told.lang == "ur-Latn"
        assert session.scalars(select(ComplaintEvent.kind)).all() == ["created"]
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "complaint.create")).one()


def test_a_worker_message_makes_the_case_unread_per_staff_member(as_role, session_factory) -> None:
    with session_factory.begin() as session:
        quiet = make_complaint(session, contact=make_contact(session, address="tel:+923001111111"),
                               created_at=FIXED_NOW - timedelta(hours=23))  # after its contact's one message
        contact = make_contact(session)
        wrote = make_complaint(session, contact=contact, created_at=FIXED_NOW - timedelta(hours=22))
        session.add(Message(contact_id=contact.id, direction="in", channel="sms", created_at=FIXED_NOW - timedelta(hours=1),
                            text="haan, main abhi bhi kamre mein band hoon"))
        quiet_ref, wrote_ref, wrote_id = quiet.display_reference, wrote.display_reference, wrote.id
    agent, supervisor = as_role("agent"), as_role("supervisor")
    page = agent.get("/staff/").get_data(as_text=True)
    assert page.index(wrote_ref) < page.index(quiet_ref)  # unread first among equals (neither urgent)
    assert 'class=" unread"' in page and 'id="unread-complaints"' in page and "1 unread" in page
    assert agent.get("/staff/live.json").get_json()["unread"] == {"complaints": 1, "handoffs": 0}
    assert wrote_ref in agent.get("/staff/?unread=1").get_data(as_text=True)
    agent.get(f"/staff/complaints/{wrote_id}")  # opened: read for the agent
    page = agent.get("/staff/").get_data(as_text=True)
    assert "unread-mark" not in page and 'id="unread-complaints"' not in page
    assert page.index(quiet_ref) < page.index(wrote_ref)  # oldest first again
    assert wrote_ref not in agent.get("/staff/?unread=1").get_data(as_text=True)
    assert "1 unread" in supervisor.get("/staff/").get_data(as_text=True)  # not for the supervisor
    agent.get(f"/staff/complaints/{wrote_id}")  # twice is fine
    assert agent.get("/staff/live.json").get_json()["unread"]["complaints"] == 0


def test_deadlines_as_time_left_urgent_reason_in_words_and_times_per_body(as_role, session_factory) -> None:
    from helpline.console.words import span, time_left

    assert time_left(FIXED_NOW + timedelta(hours=5, minutes=10), FIXED_NOW) == "due in 5 h"
    assert time_left(FIXED_NOW - timedelta(days=2, hours=3), FIXED_NOW) == "overdue 2 d"
    assert span(40 * 60) == "40 min" and span(30 * 3600) == "30 h"
    with session_factory.begin() as session:
        late = make_complaint(session, created_at=FIXED_NOW - timedelta(days=6))  # referral promised 2 d ago
        hurt = make_complaint(session, urgent=True, urgent_reason="word:medical",
                              description="Bhai hospital mein hai, kafeel ne chhutti nahi di",
                              created_at=FIXED_NOW - timedelta(hours=2))
        make_complaint(session, status="resolved", body="FIA", created_at=FIXED_NOW - timedelta(days=3),
                       first_response_at=FIXED_NOW - timedelta(days=3) + timedelta(hours=4),
                       resolved_at=FIXED_NOW - timedelta(days=1))
        late_id, hurt_id = late.id, hurt.id
    supervisor = as_role("supervisor")
    page = supervisor.get("/staff/").get_data(as_text=True)
    assert "overdue 2 d" in page and "said: hospital" in page and "word:medical" not in page
    case = supervisor.get(f"/staff/complaints/{hurt_id}").get_data(as_text=True)
    assert "urgent: said: hospital" in case and "due in" in case
    assert "overdue 2 d" in supervisor.get(f"/staff/complaints/{late_id}").get_data(as_text=True)
    overview = supervisor.get("/staff/overview").get_data(as_text=True)
    table = overview[overview.index('id="per-body"'):]
    assert "Federal Investigation Agency" in table or "FIA" in table
    assert "4.0 h" in table and "48.0 h" in table  # FIA: first response after 4 h, resolved after 2 days


def test_one_box_finds_people_parties_and_words_of_the_story(as_role, session_factory) -> None:
    with session_factory.begin() as session:
        contact = make_contact(session, address="tel:+923334445566")
        a = make_complaint(session, contact=contact, worker_name="Muhammad Aslam 35202-1234567-1",
                           employer="Al Noor Trading LLC", agent="Sitara Manpower",
                           description="Kafeel ne passport rakh liya aur tankhwah nahi di")
        b = make_complaint(session, worker_name="Bilal", employer="Gulf Star", cnic="3520299998888",
                           description="مالک نے تین مہینے سے تنخواہ نہیں دی")
        refs = {"a": a.display_reference, "b": b.display_reference}
    client = as_role("agent")

    def found(q: str) -> set[str]:
        page = client.get("/staff/", query_string={"q": q}).get_data(as_text=True)
        assert "1234567" not in page  # masking still applies to what is shown
        return {k for k, ref in refs.items() if ref in page}

    assert found("al noor") == {"a"} and found("GULF") == {"b"}  # employer, any case
    assert found("aslam") == {"a"} and found("bilal") == {"b"}  # worker's name
    assert found("sitara") == {"a"}  # agent / OEP
    assert found(refs["a"].lower()) == {"a"} and found(refs["b"].replace("-", "")) == {"b"}  # reference
    assert found("5566") == {"a"} and found("8888") == {"b"}  # last digits of phone / CNIC
    assert found("passport tankhwah") == {"a"}  # words of the story, not side by side
    assert found("تنخواہ") == {"b"}
    assert found("nobody here") == set()


def test_canned_replies_in_the_workers_language_and_bulk_actions(as_role, session_factory) -> None:
    from helpline.console.models import ReplyTemplate

    with session_factory.begin() as session:
        urdu = make_complaint(session, contact=make_contact(session, lang="ur"), lang="ur")
        roman = make_complaint(session, contact=make_contact(session, address="tel:+923001112223"))
        closed = make_complaint(session, status="closed")
        ids = (urdu.id, roman.id, closed.id)
        ref = urdu.display_reference
    supervisor, agent = as_role("supervisor"), as_role("agent")
    assert agent.get("/staff/replies").status_code == 403
    assert post(supervisor, "/staff/replies", {"name": "Referred", "text_en": "Case {reference} went to {body}.",
                                               "text_ur": "آپ کا کیس {reference} {body} کو بھیج دیا گیا۔ تاریخ: {due}",
                                               "text_ur_latn": "Case {reference} {body} ko bhej diya."}).status_code == 302
    assert post(supervisor, "/staff/replies", {"name": "Referred", "text_en": "x"}).status_code == 400  # one name
    with session_factory() as session:
        template_id = session.scalars(select(ReplyTemplate.id)).one()
    page = agent.get(f"/staff/complaints/{ids[0]}", query_string={"template": template_id}).get_data(as_text=True)
    reply = re.search(r'<textarea id="reply"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert reply.startswith(f"آپ کا کیس {ref} ") and "{" not in reply and "2026" in reply
    page = agent.get(f"/staff/complaints/{ids[1]}", query_string={"template": template_id}).get_data(as_text=True)
    assert re.search(r'<textarea id="reply"[^>]*>Case [A-Z0-9-]+ .+ ko bhej diya\.</textarea>', page)
    assert post(agent, "/staff/bulk", {"ids": [ids[0]], "action": "assign:asma"}).status_code == 403
    response = post(supervisor, "/staff/bulk", {"ids": list(ids), "action": "assign:asma", "back": "/staff/?q=x"})
    assert response.status_code == 302 and response.location.endswith("/staff/?q=x")
    post(supervisor, "/staff/bulk", {"ids": list(ids), "action": "status:resolved"})  # no confirmation: nothing
    with session_factory() as session:
        assert [session.get(Complaint, i).status for i in ids] == ["new", "new", "closed"]
    post(supervisor, "/staff/bulk", {"ids": list(ids), "action": "status:resolved", "confirm": "yes"})
    with session_factory() as session:
        rows = [session.get(Complaint, i) for i in ids]
        assert [c.status for c in rows] == ["resolved", "resolved", "closed"]  # closed → resolved is not allowed
        assert [c.assignee for c in rows] == ["asma"] * 3
        audited = session.scalars(select(AuditEntry).where(AuditEntry.action.in_(("complaint.assign",
                                                                                  "complaint.status")))).all()
        assert sorted((a.action, a.target_id) for a in audited) == sorted(
            [("complaint.assign", str(i)) for i in ids] + [("complaint.status", str(i)) for i in ids[:2]])
        assert len(session.scalars(select(OutboxMessage)).all()) == 2  # each worker told
    assert post(supervisor, "/staff/bulk", {"ids": [ids[0]], "action": "explode:now"}).status_code == 400


def test_export_gains_parties_urgency_and_times_still_masked(as_role, session_factory) -> None:
    import csv
    import io

    with session_factory.begin() as session:
        make_complaint(session, urgent=True, urgent_reason="word:medical", employer="=HYPERLINK(\"x\") Trading",
                       agent="Sitara Manpower 0300-7654321", description="Hospital mein hoon",
                       created_at=FIXED_NOW - timedelta(days=3), first_response_at=FIXED_NOW - timedelta(days=2, hours=18),
                       status="resolved", resolved_at=FIXED_NOW - timedelta(days=1))
    text = as_role("supervisor").get("/staff/export.csv?status=all").get_data(as_text=True)
    row = next(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row["urgent_reason"] == "said: hospital"
    assert (row["first_response_hours"], row["resolution_hours"]) == ("6.0", "48.0")
    assert row["employer"].startswith("'=HYPERLINK")  # formula neutralised
    assert "7654321" not in text and row["agent"].startswith("Sitara Manpower")  # masked


def test_the_urdu_font_ships_with_its_licence(app) -> None:
    from helpline.console import views

    static = views.bp.static_folder
    client = app.test_client()
    with client.get("/staff/static/console.css") as response:
        css = response.get_data(as_text=True)
    assert "@font-face" in css and "Helpline Naskh" in css and "U+0600-06FF" in css
    with client.get("/staff/static/fonts/noto-naskh-arabic-arabic-400-normal.woff2") as font:
        assert font.status_code == 200 and font.get_data()[:4] == b"wOF2"
    with open(f"{static}/fonts/OFL.txt", encoding="utf-8") as file:
        licence = file.read()
    assert "SIL Open Font License, Version 1.1" in licence and "Noto Project Authors" in licence
