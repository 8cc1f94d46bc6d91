"""A message the outbox gave up on shows, with the reason, in the conversation on the case and contact pages."""

from __future__ import annotations

from sqlalchemy import update

from helpline.outbox import OutboxMessage, enqueue
from helpline.storage.models import Message
from tests.conftest import FIXED_NOW
from tests.console.conftest import make_complaint, make_contact


def test_a_failed_message_shows_why_it_was_not_delivered(as_role, session_factory):
    with session_factory.begin() as s:
        contact = make_contact(s)
        complaint = make_complaint(s, contact=contact)
        logged = Message(contact_id=contact.id, direction="out", channel="sms", text="Your case was referred",
                         created_at=FIXED_NOW)
        s.add(logged)
        s.flush()
        row = enqueue(s, contact, ["Your case was referred"], kind="case_update", lang="en", now=FIXED_NOW,
                      logged=logged)
        s.flush()
        s.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(
            status="failed", error_code="error", error_detail="gave up after 8 attempts: no send finished"))
        ids = complaint.id, contact.id
    client = as_role("agent")
    for path in (f"/staff/complaints/{ids[0]}", f"/staff/contacts/{ids[1]}"):
        page = client.get(path).get_data(as_text=True)
        assert "not delivered: gave up after 8 attempts: no send finished" in page, path
