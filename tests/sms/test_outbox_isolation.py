"""One bad outbox row never jams the rest: a poison row among 50 good ones, a failure after the provider took a
message, a row whose sends never finish. Against the local fake of Twilio's REST API, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from helpline.outbox import MAX_ATTEMPTS, LEASE, OutboxMessage, deliver_due, deliver_now, delivery, enqueue
from helpline.storage.models import Message
from tests.conftest import FIXED_NOW
from tests.factories import make_contact
from tests.sms.test_outbox import _sender

NOW = FIXED_NOW


def _queue(session_factory, count: int, *, logged: bool = False) -> list[int]:
    ids = []
    with session_factory.begin() as s:
        for n in range(count):
            contact = make_contact(s, f"tel:+9230011{n:05d}")
            message = None
            if logged:
                message = Message(contact_id=contact.id, direction="out", channel="sms", text=f"good {n}",
                                  created_at=NOW)
                s.add(message)
                s.flush()
            ids.append(enqueue(s, contact, [f"good {n}"], kind="staff_reply", lang="en", now=NOW, logged=message).id)
    return ids


def _poison(session_factory, row_id: int) -> None:
    """A row its sender cannot even render (a paragraph that is not text): the sender raises AttributeError."""
    with session_factory.begin() as s:
        s.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                  .values(payload={"paragraphs": [{"not": "text"}], "menu": []}))


def _row(session_factory, row_id: int) -> OutboxMessage:
    with session_factory() as s:
        return s.get(OutboxMessage, row_id)


def test_a_poison_row_among_50_good_ones_delays_none_and_ends_failed_with_the_reason(session_factory, fake_twilio):
    poison, *good = _queue(session_factory, 51)  # the poison row is first in the batch
    _poison(session_factory, poison)
    senders = {"sms": _sender(fake_twilio)}
    first = deliver_due(session_factory, senders, NOW, worker="w1", limit=100)
    assert (first.sent, first.retried) == (50, 1)  # every good row went out in the same pass
    assert len(fake_twilio.requests) == 50
    assert all(_row(session_factory, i).status == "sent" for i in good)
    row = _row(session_factory, poison)
    assert row.status == "queued" and row.lease_owner is None and "AttributeError" in row.error_detail
    at = NOW
    for _ in range(MAX_ATTEMPTS + 2):  # past every backoff step, again and again
        at += timedelta(hours=1)
        deliver_due(session_factory, senders, at, worker="w1", limit=100)
    row = _row(session_factory, poison)
    assert (row.status, row.attempts, row.error_code) == ("failed", MAX_ATTEMPTS, "error")
    assert row.error_detail.startswith("AttributeError")
    assert len(fake_twilio.requests) == 50  # no good row was ever sent twice


def test_a_failure_after_the_provider_took_the_message_records_it_sent_and_never_resends(
        session_factory, fake_twilio, monkeypatch):
    ids = _queue(session_factory, 3, logged=True)
    real = delivery._record

    def flaky(session, worker, outcome, now, stats):
        if outcome.row.id == ids[1]:
            raise OperationalError("UPDATE outbox", {}, Exception("server closed the connection unexpectedly"))
        return real(session, worker, outcome, now, stats)

    monkeypatch.setattr(delivery, "_record", flaky)
    senders = {"sms": _sender(fake_twilio)}
    deliver_due(session_factory, senders, NOW, worker="w1")
    assert len(fake_twilio.requests) == 3
    row = _row(session_factory, ids[1])
    assert row.status == "sent" and row.lease_owner is None and "recording the provider's answer failed" in row.error_detail
    for hours in (1, 2, 5, 24):  # every lease long expired: nothing is claimed, nothing is sent again
        deliver_due(session_factory, senders, NOW + LEASE + timedelta(hours=hours), worker="w2")
    assert len(fake_twilio.requests) == 3
    assert [_row(session_factory, i).status for i in ids] == ["sent"] * 3


def test_a_turns_replies_are_recorded_each_on_their_own_when_one_cannot_be(session_factory, fake_twilio, monkeypatch):
    ids = _queue(session_factory, 4)
    real = delivery._record

    def flaky(session, worker, outcome, now, stats):
        if outcome.row.id == ids[2]:
            raise OperationalError("UPDATE outbox", {}, Exception("value too long"))
        return real(session, worker, outcome, now, stats)

    monkeypatch.setattr(delivery, "_record", flaky)
    deliver_now(session_factory, {"sms": _sender(fake_twilio)}, ids, NOW, worker="w1")
    assert len(fake_twilio.requests) == 4
    assert [_row(session_factory, i).status for i in ids] == ["sent"] * 4
    deliver_due(session_factory, {"sms": _sender(fake_twilio)}, NOW + LEASE + timedelta(hours=1), worker="w2")
    assert len(fake_twilio.requests) == 4


def test_a_row_whose_sends_never_finish_ends_failed_at_the_attempt_cap(session_factory, fake_twilio):
    (row_id,) = _queue(session_factory, 1)
    with session_factory.begin() as s:  # claimed MAX_ATTEMPTS times; its worker died each time mid-send
        s.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(
            status="sending", attempts=MAX_ATTEMPTS, lease_owner="dead", lease_until=NOW - timedelta(minutes=1)))
    stats = deliver_due(session_factory, {"sms": _sender(fake_twilio)}, NOW, worker="w1")
    assert stats.total == 0 and fake_twilio.requests == []
    row = _row(session_factory, row_id)
    assert (row.status, row.error_code, row.lease_owner) == ("failed", "attempts", None)
    assert f"gave up after {MAX_ATTEMPTS} attempts" in row.error_detail


def test_a_provider_id_longer_than_its_column_is_still_recorded(session_factory):
    class LongIds:
        channel = "sms"

        def send(self, item):
            return "SM" + "x" * 500

    (row_id,) = _queue(session_factory, 1)
    deliver_due(session_factory, {"sms": LongIds()}, NOW, worker="w1")
    row = _row(session_factory, row_id)
    assert row.status == "sent" and len(row.provider_id) == 100
