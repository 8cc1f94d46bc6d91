"""WhatsApp's 24-hour window in the outbox, against the local fake of Twilio's REST API with the real twilio client.

Inside the window a message goes as written (``Body``); outside it the approved template of its notice goes in
its place (``ContentSid`` + ``ContentVariables``, no ``Body``) and the message itself is held until the worker
replies; with no template nothing goes free-form and the row is held with the reason. Twilio's WhatsApp errors
are classified: 63016 holds, 63024/63003 mark the contact unreachable, 63018 is retried.
"""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import select

from helpline.complaints import service as complaints
from helpline.notices import NoticeRef
from helpline.outbox import OutboxMessage, deliver_due, enqueue
from helpline.storage.models import Contact, Message
from tests.conftest import FIXED_NOW
from tests.factories import make_complaint, make_contact
from tests.harness import PUBLIC_URL, WA_NUMBER, sign
from tests.whatsapp.conftest import PAYLOADS, content_sid, whatsapp_sender

NOW = FIXED_NOW
WORKER = "whatsapp:+923001234567"


def contact_seen(session_factory, ago: timedelta, *, language: str = "en", address: str = WORKER) -> int:
    with session_factory.begin() as s:
        return make_contact(s, address, "whatsapp", now=NOW - ago, language=language).id


def rows(session_factory) -> list[OutboxMessage]:
    with session_factory() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def log(session_factory) -> list[tuple[str, str | None]]:
    with session_factory() as s:
        return [(m.text, m.status) for m in s.scalars(select(Message).where(Message.direction == "out")
                                                      .order_by(Message.id))]


def case_update(session_factory, core, contact_id: int, to_status: str = "referred", reference: str = "K7M4XQY") -> None:
    """A complaint of the contact's (made now, if it has none with that reference) moves on: its worker is told."""
    from helpline.complaints.models import Complaint

    with session_factory.begin() as s:
        contact = s.get(Contact, contact_id)
        complaint = (s.scalars(select(Complaint).where(Complaint.reference == reference)).one_or_none()
                     or make_complaint(s, contact, now=NOW - timedelta(days=3), reference=reference))
        complaints.change_status(s, complaint, to_status, actor="asma", now=NOW, core=core)


# -- the window ---------------------------------------------------------------------------------------------


def test_a_case_update_2_hours_after_the_worker_wrote_goes_as_written(session_factory, core, fake_twilio):
    contact_id = contact_seen(session_factory, timedelta(hours=2))
    case_update(session_factory, core, contact_id)
    stats = deliver_due(session_factory, {"whatsapp": whatsapp_sender(fake_twilio)}, NOW, worker="w")
    assert stats.sent == 1
    [request] = fake_twilio.delivered
    assert request.form["To"] == WORKER and request.form["From"] == WA_NUMBER
    assert "Your complaint K7M-4XQY is now: referred to the responsible body." in request.form["Body"]
    assert "ContentSid" not in request.form
    assert request.form["StatusCallback"] == PUBLIC_URL + "/webhooks/twilio/status"


@pytest.mark.parametrize("lang, status_words", [("en", "referred to the responsible body"),
                                                ("ur", "ذمہ دار ادارے کو بھیج دی گئی"),
                                                ("ur-Latn", "zimmedar idare ko bhej di gayi")])
def test_a_case_update_25_hours_after_goes_as_the_approved_template_then_in_full_when_they_reply(
        session_factory, core, fake_twilio, lang, status_words):
    contact_id = contact_seen(session_factory, timedelta(hours=25), language=lang)
    case_update(session_factory, core, contact_id)
    sender = {"whatsapp": whatsapp_sender(fake_twilio)}
    stats = deliver_due(session_factory, sender, NOW, worker="w")
    assert (stats.sent, stats.held) == (0, 1)
    [request] = fake_twilio.delivered
    assert request.form["ContentSid"] == content_sid("case_update", lang) and "Body" not in request.form
    assert json.loads(request.form["ContentVariables"]) == {"1": "K7M-4XQY", "2": status_words}
    [row] = rows(session_factory)
    assert row.status == "held" and "case_update template was sent in its place" in row.error_detail
    assert "25 h ago" in row.error_detail
    [(full, held), (doorbell, sent)] = log(session_factory)
    assert (held, sent) == ("held", "sent") and "K7M-4XQY" in doorbell and status_words in doorbell
    assert deliver_due(session_factory, sender, NOW + timedelta(hours=1), worker="w").total == 0  # still held

    # the worker replies: the window is open again and the message itself goes out, as written
    from helpline.outbox import release_held

    with session_factory.begin() as s:
        s.get(Contact, contact_id).last_seen_at = NOW + timedelta(hours=2)
        assert release_held(s, contact_id, NOW + timedelta(hours=2)) == 1
    assert deliver_due(session_factory, sender, NOW + timedelta(hours=2), worker="w").sent == 1
    assert fake_twilio.delivered[-1].form["Body"] == full
    assert rows(session_factory)[0].status == "sent"


def test_without_an_approved_template_nothing_goes_free_form_and_the_row_is_held(session_factory, core,
                                                                                 fake_twilio):
    contact_id = contact_seen(session_factory, timedelta(hours=25))
    case_update(session_factory, core, contact_id)
    stats = deliver_due(session_factory, {"whatsapp": whatsapp_sender(fake_twilio, templates={})}, NOW, worker="w")
    assert stats.held == 1 and fake_twilio.requests == []
    [row] = rows(session_factory)
    assert row.status == "held" and row.error_code == "window"
    assert row.error_detail.startswith("outside WhatsApp's 24-hour window (the worker last wrote 25 h ago); no "
                                       "approved template")
    assert log(session_factory)[0][1] == "held"


def test_a_staff_reply_long_after_the_worker_wrote_is_held(session_factory, fake_twilio):
    with session_factory.begin() as s:
        contact = make_contact(s, WORKER, "whatsapp", now=NOW)
        enqueue(s, contact, ["Hello"], kind="staff_reply", lang="en", now=NOW)
    with session_factory.begin() as s:  # as if no inbound time were known
        s.get(Contact, contact.id).last_seen_at = NOW - timedelta(days=400)
    assert deliver_due(session_factory, {"whatsapp": whatsapp_sender(fake_twilio)}, NOW, worker="w").held == 1
    assert "(the worker last wrote 400 d 0 h ago)" in rows(session_factory)[0].error_detail


def test_notices_that_would_be_stale_are_dropped_outside_the_window(session_factory, core, fake_twilio):
    from helpline.handoff import service as holds

    contact_id = contact_seen(session_factory, timedelta(hours=30))
    with session_factory.begin() as s:
        holds.take(s, s.get(Contact, contact_id), "asma", now=NOW, core=core, timeout=timedelta(minutes=30))
    stats = deliver_due(session_factory, {"whatsapp": whatsapp_sender(fake_twilio)}, NOW, worker="w")
    assert stats.skipped == 1 and fake_twilio.requests == []  # "a person joined" a day later would mislead
    assert rows(session_factory)[0].status == "skipped"


def test_the_invitation_template_goes_as_a_template_and_needs_one(session_factory, fake_twilio):
    def invite() -> None:
        with session_factory.begin() as s:
            contact = s.scalars(select(Contact)).one()
            enqueue(s, contact, ["A member of the helpline staff has written to you."], kind="whatsapp_invite",
                    lang="ur", now=NOW, notice=NoticeRef.of("reply_waiting"), notice_only=True)

    with session_factory.begin() as s:
        make_contact(s, WORKER, "whatsapp", now=NOW - timedelta(days=3))
    invite()
    deliver_due(session_factory, {"whatsapp": whatsapp_sender(fake_twilio)}, NOW, worker="w")
    [request] = fake_twilio.delivered
    assert request.form["ContentSid"] == content_sid("reply_waiting", "ur")
    assert json.loads(request.form["ContentVariables"]) == {}
    invite()
    stats = deliver_due(session_factory, {"whatsapp": whatsapp_sender(fake_twilio, templates={})}, NOW, worker="w")
    assert stats.failed == 1 and rows(session_factory)[1].error_code == "template"


# -- Twilio's WhatsApp errors -------------------------------------------------------------------------------


def test_twilio_63016_on_a_free_form_send_falls_back_to_the_template(session_factory, core, fake_twilio):
    contact_id = contact_seen(session_factory, timedelta(hours=20))  # we think the window is open
    case_update(session_factory, core, contact_id)
    fake_twilio.script((400, 63016))  # Twilio knows better
    stats = deliver_due(session_factory, {"whatsapp": whatsapp_sender(fake_twilio)}, NOW, worker="w")
    assert stats.held == 1
    assert [("Body" in r.form, "ContentSid" in r.form) for r in fake_twilio.requests] == [(True, False), (False, True)]


def test_a_failed_template_send_holds_the_message_unless_the_worker_cannot_be_reached(session_factory, core,
                                                                                      fake_twilio):
    first = contact_seen(session_factory, timedelta(hours=25), address="whatsapp:+923001110001")
    second = contact_seen(session_factory, timedelta(hours=25), address="whatsapp:+923001110002")
    third = contact_seen(session_factory, timedelta(hours=25), address="whatsapp:+923001110003")
    for n, contact_id in enumerate((first, second, third)):
        with session_factory.begin() as s:
            contact = s.get(Contact, contact_id)
            complaint = make_complaint(s, contact, now=NOW - timedelta(days=3), reference=f"K7M4XQ{n}")
            complaints.change_status(s, complaint, "referred", actor="asma", now=NOW, core=core)
    fake_twilio.script((400, 63027), (400, 63024), 429)  # no such template / not a WhatsApp user / rate limited
    stats = deliver_due(session_factory, {"whatsapp": whatsapp_sender(fake_twilio)}, NOW, worker="w")
    assert (stats.held, stats.failed, stats.retried) == (1, 1, 1)
    held, failed, retried = rows(session_factory)
    assert held.status == "held" and "Twilio 63027" in held.error_detail
    assert failed.status == "failed" and failed.error_code == "63024"
    assert retried.status == "queued" and retried.error_code == "20429"
    with session_factory() as s:
        assert s.get(Contact, second).unreachable_at == NOW  # until they write again
        assert s.get(Contact, first).unreachable_at is None


def test_rate_limits_63018_are_retried(session_factory, core, fake_twilio):
    contact_id = contact_seen(session_factory, timedelta(hours=1))
    case_update(session_factory, core, contact_id)
    fake_twilio.script((400, 63018))
    sender = {"whatsapp": whatsapp_sender(fake_twilio)}
    assert deliver_due(session_factory, sender, NOW, worker="w").retried == 1
    assert deliver_due(session_factory, sender, NOW + timedelta(minutes=5), worker="w").sent == 1


def _callback(client, name: str, sid: str):
    form = dict(parse_qsl((PAYLOADS / name).read_text(encoding="utf-8"), keep_blank_values=True))
    form["MessageSid"] = form["SmsSid"] = sid
    url = PUBLIC_URL + "/webhooks/twilio/status"
    return client.post("/webhooks/twilio/status", data=form, headers={"X-Twilio-Signature": sign(form, url)})


def test_status_callbacks_63016_holds_until_the_worker_writes_63024_unreachable_read_forward(
        session_factory, core, fake_twilio, client, wa):
    contact_id = contact_seen(session_factory, timedelta(hours=3))
    case_update(session_factory, core, contact_id)
    sender = {"whatsapp": whatsapp_sender(fake_twilio)}
    deliver_due(session_factory, sender, NOW, worker="w")
    sid = rows(session_factory)[0].provider_id
    assert _callback(client, "status_failed_63016.txt", sid).status_code == 204
    [row] = rows(session_factory)
    assert row.status == "held" and row.error_code == "63016" and log(session_factory)[0][1] == "held"
    wa.messages("ok", sender=WORKER)  # the worker writes: released, and sent as written
    assert rows(session_factory)[0].status == "queued"
    assert deliver_due(session_factory, sender, NOW, worker="w").sent == 1
    sid = rows(session_factory)[0].provider_id
    assert _callback(client, "status_read.txt", sid).status_code == 204
    with session_factory() as s:
        assert s.scalars(select(Message.status).where(Message.provider_id == sid)).one() == "read"
    assert _callback(client, "status_undelivered_63024.txt", sid).status_code == 204
    with session_factory() as s:
        assert s.get(Contact, contact_id).unreachable_at is not None


def test_the_window_is_the_worker_s_last_message_wherever_the_turn_ran(session_factory, core, fake_twilio, wa,
                                                                      monkeypatch):
    """contacts.last_seen_at is written by the turn's own locking UPDATE: whichever instance ran the turn, the
    sender reads the same time."""
    monkeypatch.setattr(core, "clock", lambda: NOW - timedelta(hours=23))
    wa.messages("salam", sender=WORKER)
    with session_factory() as s:
        contact = s.scalars(select(Contact).where(Contact.address == WORKER)).one()
        assert contact.last_seen_at == NOW - timedelta(hours=23) and contact.channel == "whatsapp"
    case_update(session_factory, core, contact.id)
    deliver_due(session_factory, {"whatsapp": whatsapp_sender(fake_twilio)}, NOW, worker="w")
    assert "Body" in fake_twilio.delivered[-1].form  # 23 h: still inside
    case_update_again = NOW + timedelta(hours=1, minutes=1)  # 24 h 1 min after: outside
    with session_factory.begin() as s:
        enqueue(s, s.get(Contact, contact.id), ["later"], kind="case_update", lang="en", now=case_update_again,
                notice=NoticeRef.of("case_update", reference="K7M-4XQY", status="closed"))
    deliver_due(session_factory, {"whatsapp": whatsapp_sender(fake_twilio)}, case_update_again, worker="w")
    assert "ContentSid" in fake_twilio.delivered[-1].form
