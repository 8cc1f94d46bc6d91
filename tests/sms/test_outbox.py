"""The outbox against a local fake of Twilio's REST API: every message ends sent or visibly failed, none lost."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import select

from helpline import outbox
from helpline.outbox import delivery
from helpline.outbox import OutboxMessage, deliver_due, enqueue
from helpline.storage.models import Contact, Message
from tests.conftest import FIXED_NOW
from tests.factories import make_contact
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN
from tests.harness import PUBLIC_URL, sign
from webhooks.twilio.rest import TwilioSender

NOW = FIXED_NOW
LATER = NOW + timedelta(hours=2)  # past every backoff step


def _sender(fake, sender: str = "+15005550006", timeout: float = 0.5) -> TwilioSender:
    return TwilioSender(ACCOUNT_SID, AUTH_TOKEN, sender, api_url=fake.url, timeout=timeout,
                        status_callback=PUBLIC_URL + "/webhooks/twilio/status")


def _queue(session_factory, bodies: list[str], *, same_contact: bool = False, **contact_kw) -> list[int]:
    ids = []
    with session_factory.begin() as s:
        shared = make_contact(s, "tel:+923000000000", **contact_kw) if same_contact else None
        for n, body in enumerate(bodies):
            contact = shared or make_contact(s, f"tel:+9230000{n:05d}", **contact_kw)
            ids.append(enqueue(s, contact, [body], kind="staff_reply", lang="en", now=NOW).id)
    return ids


def _rows(session_factory) -> dict[str, OutboxMessage]:
    with session_factory() as s:
        rows = s.scalars(select(OutboxMessage)).all()
        return {r.payload["paragraphs"][0]: r for r in rows}


def test_every_answer_ends_delivered_or_visibly_failed(session_factory, fake_twilio):
    bodies = ["ok", "bad number", "opted out", "rate limited", "server error", "hangs"]
    _queue(session_factory, bodies)
    fake_twilio.script(201, (400, 21211), (400, 21610), 429, 500, "hang")
    senders = {"sms": _sender(fake_twilio)}
    first = deliver_due(session_factory, senders, NOW, worker="w1")
    assert (first.sent, first.failed, first.retried) == (1, 2, 3)
    rows = _rows(session_factory)
    assert rows["bad number"].status == "failed" and rows["bad number"].error_code == "21211"
    assert rows["opted out"].status == "failed" and rows["opted out"].error_code == "21610"
    assert {rows[b].error_code for b in ("rate limited", "server error", "hangs")} == {"20429", "20500", "timeout"}
    assert all(rows[b].status == "queued" for b in ("rate limited", "server error", "hangs"))
    assert deliver_due(session_factory, senders, NOW, worker="w1").total == 0  # backing off
    second = deliver_due(session_factory, senders, LATER, worker="w1")
    assert second.sent == 3
    rows = _rows(session_factory)
    assert Counter(r.status for r in rows.values()) == {"sent": 4, "failed": 2}
    assert all(r.provider_id and r.provider_id.startswith("SM") for r in rows.values() if r.status == "sent")
    with session_factory() as s:
        opted = s.scalars(select(Contact).where(Contact.opted_out)).all()
        assert len(opted) == 1  # 21610 marked that contact opted out
        statuses = Counter(s.scalars(select(Message.status).where(Message.direction == "out")))
    assert statuses == {"sent": 4, "failed": 2}  # the conversation log mirrors the outbox
    form = fake_twilio.delivered[0].form
    assert form["From"] == "+15005550006" and form["StatusCallback"].endswith("/webhooks/twilio/status")
    assert fake_twilio.connections < len(fake_twilio.requests)  # keep-alive: connections are reused


def test_opted_out_contacts_are_skipped_without_a_request(session_factory, fake_twilio):
    _queue(session_factory, ["one", "two"], same_contact=True, opted_out=True)
    stats = deliver_due(session_factory, {"sms": _sender(fake_twilio)}, NOW)
    assert stats.skipped == 2 and fake_twilio.requests == []
    assert {r.status for r in _rows(session_factory).values()} == {"skipped"}


def test_after_21610_later_messages_to_that_contact_are_skipped(session_factory, fake_twilio):
    _queue(session_factory, ["first", "second", "third"], same_contact=True)
    fake_twilio.script((400, 21610))
    stats = deliver_due(session_factory, {"sms": _sender(fake_twilio)}, NOW)
    assert (stats.failed, stats.skipped) == (1, 2) and len(fake_twilio.requests) == 1


def test_messaging_service_sender(session_factory, fake_twilio):
    _queue(session_factory, ["hello"])
    deliver_due(session_factory, {"sms": _sender(fake_twilio, sender="MG" + "0" * 32)}, NOW)
    form = fake_twilio.delivered[0].form
    assert form["MessagingServiceSid"] == "MG" + "0" * 32 and "From" not in form


def test_typographic_text_is_sent_as_gsm7(session_factory, fake_twilio):
    _queue(session_factory, ["Your case’s status changed – see “details”…"])
    deliver_due(session_factory, {"sms": _sender(fake_twilio)}, NOW)
    assert fake_twilio.delivered[0].form["Body"] == 'Your case\'s status changed - see "details"...'


def test_several_workers_never_send_one_row_twice(session_factory, fake_twilio):
    bodies = [f"message {n}" for n in range(40)]
    _queue(session_factory, bodies)
    senders = {"sms": _sender(fake_twilio, timeout=5)}
    barrier = threading.Barrier(4)

    def work(name: str) -> None:
        barrier.wait(timeout=10)
        while deliver_due(session_factory, senders, NOW, worker=name, limit=5).total:
            pass

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    sent = Counter(r.form["Body"] for r in fake_twilio.requests)
    assert sent == Counter(bodies)  # each exactly once
    assert {r.status for r in _rows(session_factory).values()} == {"sent"}


def test_a_lost_lease_is_not_sent(session_factory, fake_twilio):
    [row_id] = _queue(session_factory, ["slow batch"])
    assert outbox.claim(session_factory, "w1", NOW) == [row_id]
    assert outbox.claim(session_factory, "w2", NOW + outbox.LEASE + timedelta(seconds=1)) == [row_id]  # expired
    stats = outbox.DeliveryStats()
    delivery._deliver_one(session_factory, {"sms": _sender(fake_twilio)}, row_id, NOW + timedelta(seconds=5), "w1", stats)
    assert stats.total == 0 and fake_twilio.requests == []


def _status(client, name: str, sid: str):
    raw = (Path(__file__).parent / "payloads" / name).read_text().replace("SMSID", sid)
    form = dict(parse_qsl(raw))
    return client.post("/webhooks/twilio/status", data=raw, content_type="application/x-www-form-urlencoded",
                       headers={"X-Twilio-Signature": sign(form, PUBLIC_URL + "/webhooks/twilio/status")})


def test_status_callbacks_move_only_forward_and_21610_opts_out(app, fake_twilio):
    sessions = app.extensions["helpline"].sessions
    _queue(sessions, ["one", "two"])
    deliver_due(sessions, {"sms": _sender(fake_twilio)}, NOW)
    first, second = (r.sid for r in fake_twilio.delivered)
    client = app.test_client()
    assert _status(client, "status_delivered.txt", first).status_code == 204
    sent_late = {"MessageSid": first, "MessageStatus": "sent", "AccountSid": ACCOUNT_SID}
    response = client.post("/webhooks/twilio/status", data=sent_late,
                           headers={"X-Twilio-Signature": sign(sent_late, PUBLIC_URL + "/webhooks/twilio/status")})
    assert response.status_code == 204  # out of order: ignored
    assert _status(client, "status_undelivered_21610.txt", second).status_code == 204
    rows = _rows(sessions)
    assert rows["one"].status == "delivered"
    assert rows["two"].status == "failed" and rows["two"].error_code == "21610"
    with sessions() as s:
        assert dict(s.execute(select(Message.provider_id, Message.status).where(Message.direction == "out")).all()) == {
            first: "delivered", second: "undelivered"}
        contact = s.get(Contact, rows["two"].contact_id)
        assert contact.opted_out


@pytest.mark.parametrize("form", [{}, {"MessageSid": "SM1"}, {"MessageSid": "SM" + "a" * 32, "MessageStatus": "bogus"}])
def test_bad_status_callbacks_are_400(client, form):
    response = client.post("/webhooks/twilio/status", data=form,
                           headers={"X-Twilio-Signature": sign(form, PUBLIC_URL + "/webhooks/twilio/status")})
    assert response.status_code == 400


def test_unsigned_status_callbacks_are_403(client):
    form = {"MessageSid": "SM" + "a" * 32, "MessageStatus": "delivered"}
    assert client.post("/webhooks/twilio/status", data=form).status_code == 403


def test_unknown_message_status_is_accepted_and_ignored(client):
    form = {"MessageSid": "SM" + "b" * 32, "MessageStatus": "delivered"}
    response = client.post("/webhooks/twilio/status", data=form,
                           headers={"X-Twilio-Signature": sign(form, PUBLIC_URL + "/webhooks/twilio/status")})
    assert response.status_code == 204
