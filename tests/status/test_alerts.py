"""Watches and alerts: an import that changes a watched record queues exactly one message per watch."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from helpline.outbox import OutboxMessage
from helpline.status.models import StatusWatch
from tests.conftest import FIXED_NOW
from tests.status.conftest import Worker, load

CHANGE = "kind,tracking_number,status\npassport,12345678901,ready_for_collection\n"


def outbox(sessions) -> list[OutboxMessage]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_an_import_that_changes_a_watched_record_queues_exactly_one_alert(registry, core):
    worker = Worker(core, registry)
    worker.say("passport status 12345678901")
    worker.say("14-05-1990")
    assert "send you a message when this status changes" in worker.say("1")
    report = load(registry, CHANGE, core=core, now=FIXED_NOW + timedelta(days=1))
    assert report.alerts == 1
    [alert] = outbox(registry)
    assert (alert.kind, alert.channel, alert.address, alert.lang) == ("status_alert", "sms", "tel:+923001234567", "en")
    text = " ".join(alert.payload["paragraphs"])
    assert "Status update for your Passport application *******8901" in text and "Ready for collection" in text
    assert "Regional Passport Office Lahore" in text
    # the same file again changes nothing and queues nothing
    assert load(registry, CHANGE, core=core, now=FIXED_NOW + timedelta(days=2)).alerts == 0
    assert len(outbox(registry)) == 1


def test_the_alert_is_in_the_workers_language_and_a_final_status_ends_the_watch(registry, core):
    worker = Worker(core, registry, "telegram:42", channel="telegram")
    worker.say("mera passport kahan hai")
    worker.say("12345678901")
    worker.say("0123")
    worker.say("1")
    load(registry, "kind,tracking_number,status\npassport,12345678901,collected\n", core=core)
    [alert] = outbox(registry)
    assert alert.lang == "ur-Latn" and alert.channel == "telegram"
    assert "Wusool ho gaya" in alert.payload["paragraphs"][0]
    with registry() as session:
        assert session.scalars(select(StatusWatch)).all() == []


def test_unwatched_changes_dry_runs_and_rejected_imports_queue_nothing(registry, core):
    worker = Worker(core, registry)
    worker.say("passport status 12345678901")
    worker.say("14-05-1990")
    worker.say("1")
    load(registry, "kind,tracking_number,status\nprotector,AB1234567,collected\n", core=core)  # not watched
    dry = load(registry, CHANGE, core=core, dry_run=True)
    assert dry.alerts == 1  # would be queued
    bad = load(registry, CHANGE + "passport,1,received\n", core=core)
    assert bad.rejected == 1
    assert outbox(registry) == []


def test_two_watchers_get_one_alert_each(registry, core):
    for n, address in enumerate(("tel:+923001111111", "tel:+923002222222")):
        worker = Worker(core, registry, address)
        worker.say("passport status 12345678901")
        worker.say("14-05-1990" if n == 0 else "0123")
        worker.say("1")
    load(registry, CHANGE, core=core)
    assert sorted(m.address for m in outbox(registry)) == ["tel:+923001111111", "tel:+923002222222"]
