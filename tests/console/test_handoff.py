"""Handoff on both channels, at the service level: ask for a person, staff take over (the bot stays quiet and the
worker's messages are stored), release or timeout hands back to the bot; the worker is told at each step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from helpline.handoff import service as holds
from helpline.handoff.models import Handoff
from helpline.handoff.flow import asks_for_person
from helpline.messages import InboundMessage
from helpline.outbox import OutboxMessage
from helpline.pipeline import run_turn
from helpline.storage.models import Contact, Message
from helpline.text import normalize
from tests.conftest import FIXED_NOW

ADDRESS = {"sms": "tel:+923001112233", "telegram": "telegram:55501234"}
TIMEOUT = timedelta(minutes=30)


@pytest.fixture
def turn(session_factory, core):
    counter = iter(range(1, 10_000))

    def send(channel: str, text: str, **kw):
        msg = InboundMessage(channel=channel, address=ADDRESS[channel], text=text, provider_id=f"p{next(counter)}", **kw)
        return run_turn(session_factory, msg, core)

    return send


def _contact(session, channel: str) -> Contact:
    return session.scalars(select(Contact).where(Contact.address == ADDRESS[channel])).one()


def _outbox_texts(session, contact_id: int) -> list[str]:
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.contact_id == contact_id)
                           .order_by(OutboxMessage.id)).all()
    return ["\n".join(r.payload["paragraphs"]) for r in rows]


@pytest.mark.parametrize("channel", ["sms", "telegram"])
def test_the_bot_is_quiet_while_held_and_answers_after_release(channel, turn, session_factory, core) -> None:
    result = turn(channel, "insaan se baat karni hai")
    text = "\n".join(p for r in result.replies for p in r.paragraphs)
    assert "line mein" in text  # queued, in Roman Urdu
    assert turn(channel, "agent").replies[0].paragraphs[0].startswith("Aap pehle se line mein")
    with session_factory.begin() as session:
        contact = _contact(session, channel)
        row = session.scalars(select(Handoff)).one()
        assert (row.status, row.contact_id) == ("waiting", contact.id)
        holds.take(session, contact, "asma", now=FIXED_NOW, core=core, timeout=TIMEOUT)
        holds.staff_reply(session, contact, "Main Asma hoon, bataiye", "asma", now=FIXED_NOW, core=core,
                          timeout=TIMEOUT)
    quiet = turn(channel, "meri tankhwah 3 mahine se nahi mili")
    assert quiet.replies == [] and not quiet.duplicate
    quiet = turn(channel, "menu")
    assert quiet.replies == []  # global words too: a person is talking
    for other_flows_word in ("status K7M-4XQY", "shikayat tankhwah saudia 3 mahine se nahi mili",
                             "mera passport kahan hai"):
        assert turn(channel, other_flows_word).replies == []  # no other flow's gate or intercept answers either
    with session_factory.begin() as session:
        contact = _contact(session, channel)
        stored = session.scalars(select(Message.text).where(Message.contact_id == contact.id,
                                                            Message.direction == "in")).all()
        assert "meri tankhwah 3 mahine se nahi mili" in stored
        texts = _outbox_texts(session, contact.id)
        assert texts[0].startswith("Helpline ka numainda aa gaya hai")  # joined, in their language
        assert texts[1] == "Main Asma hoon, bataiye"
        holds.release(session, contact, "asma", now=FIXED_NOW, core=core)
        assert _outbox_texts(session, contact.id)[-1].startswith("Numainde se baat khatam ho gayi")
        assert session.scalars(select(OutboxMessage.channel)).all() == [channel] * 3
    back = turn(channel, "menu")
    assert back.replies and back.replies[0].menu  # the bot answers again


@pytest.mark.parametrize("channel", ["sms", "telegram"])
def test_a_lapsed_hold_hands_back_on_the_next_message(channel, turn, session_factory, core, monkeypatch) -> None:
    turn(channel, "agent")
    with session_factory.begin() as session:
        holds.take(session, _contact(session, channel), "asma", now=FIXED_NOW, core=core, timeout=TIMEOUT)
    assert turn(channel, "hello?").replies == []
    monkeypatch.setattr(core, "clock", lambda: FIXED_NOW + TIMEOUT + timedelta(seconds=1))
    result = turn(channel, "protector kya hota hai")
    paragraphs = [p for r in result.replies for p in r.paragraphs]
    assert paragraphs[0].startswith("Abhi koi numainda farigh nahi")
    assert len(paragraphs) > 1  # and the question is answered in the same reply
    with session_factory() as session:
        assert session.scalars(select(Handoff.status)).one() == "expired"


def test_the_sweep_expires_holds_and_tells_the_worker(turn, session_factory, core) -> None:
    turn("sms", "انسان سے بات")
    with session_factory.begin() as session:
        holds.take(session, _contact(session, "sms"), "asma", now=FIXED_NOW, core=core, timeout=TIMEOUT)
    with session_factory.begin() as session:
        assert holds.expire_due(session, core, FIXED_NOW + TIMEOUT / 2) == 0
        assert holds.expire_due(session, core, FIXED_NOW + TIMEOUT) == 1
        contact = _contact(session, "sms")
        assert _outbox_texts(session, contact.id)[-1].startswith("ابھی کوئی نمائندہ فارغ نہیں")  # Urdu, as they wrote
    assert turn("sms", "menu").replies


def test_the_main_menu_offers_a_person_and_the_choice_queues(turn, session_factory) -> None:
    menu = turn("telegram", "menu").replies[0].menu
    ids = [item_id for item_id, _ in menu]
    assert "handoff" in ids
    result = turn("telegram", "", choice="handoff")
    assert "queue" in result.replies[0].paragraphs[0]
    with session_factory() as session:
        assert session.scalars(select(Handoff.status)).one() == "waiting"


def test_which_messages_ask_for_a_person() -> None:
    for text in ("agent", "Agent", "insaan se baat", "kisi insaan se baat karao", "انسان سے بات", "talk to a person"):
        assert asks_for_person(normalize(text)), text
    for text in ("agent ne paisa le liya aur visa nahi diya", "salam", "protector kya hai",
                 "insaan se baat " + "x" * 100):
        assert not asks_for_person(normalize(text)), text
    assert not asks_for_person("agent", phrases_only=True)  # e.g. answering "who sent you abroad?"
    assert asks_for_person(normalize("insaan se baat karni hai"), phrases_only=True)


def test_console_actions_and_views(app, as_role, turn, session_factory) -> None:
    from tests.console.conftest import post

    turn("sms", "agent")
    client = as_role("agent")
    page = client.get("/staff/handoff").get_data(as_text=True)
    assert "+92********33" in page and "+923001112233" not in page
    with session_factory() as session:
        contact_id = _contact(session, "sms").id
    assert post(client, f"/staff/contacts/{contact_id}/take").status_code == 302
    assert turn("sms", "hello").replies == []
    assert post(client, f"/staff/contacts/{contact_id}/reply", {"text": "Assalam o alaikum"}).status_code == 302
    page = client.get(f"/staff/contacts/{contact_id}").get_data(as_text=True)
    assert "Assalam o alaikum" in page and "hello" in page and "held" in page
    assert post(client, f"/staff/contacts/{contact_id}/release").status_code == 302
    assert turn("sms", "menu").replies
    with session_factory() as session:
        from helpline.console.models import AuditEntry

        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions[-3:] == ["handoff.take", "handoff.reply", "handoff.release"]


def test_the_outbox_worker_hands_a_lapsed_hold_back_and_tells_the_worker(session_factory, core) -> None:
    """The serve loop's chore: a hold past its time goes back to the bot without the worker writing first."""
    import threading
    from datetime import timedelta

    from helpline.handoff.service import expiry_chore
    from helpline.handoff.models import Handoff
    from helpline.outbox import OutboxMessage, run_worker
    from helpline.storage.models import Contact
    from tests.fakes.senders import RecordingSender

    now = core.clock()
    with session_factory.begin() as s:
        contact = Contact(address="tel:+923001112233", channel="sms", language="ur-Latn", created_at=now,
                          last_seen_at=now)
        s.add(contact)
        s.flush()
        s.add(Handoff(contact_id=contact.id, status="held", lang="ur-Latn", requested_at=now - timedelta(hours=2),
                      until=now - timedelta(minutes=1)))
    stop, sender = threading.Event(), RecordingSender("sms")
    ticks = iter([now, now, now, now, now + timedelta(hours=1)])

    def clock():
        value = next(ticks, None)
        if value is None:
            stop.set()
            return now
        return value

    run_worker(session_factory, {"sms": sender}, stop, interval=0.01, clock=clock,
               chores=[expiry_chore(session_factory, core)])
    with session_factory() as s:
        assert s.query(Handoff).one().status == "expired"
        queued = s.query(OutboxMessage).all()
    assert len(queued) == 1 and queued[0].kind.startswith("handoff")
    assert [item.lang for item in sender.sent] == ["ur-Latn"]


def test_an_urgent_hold_that_runs_out_goes_back_to_the_top_of_the_queue(turn, session_factory, core) -> None:
    turn("sms", "insaan se baat")
    with session_factory.begin() as session:
        row = holds.take(session, _contact(session, "sms"), "asma", now=FIXED_NOW, core=core, timeout=TIMEOUT)
        row.urgent, row.urgent_reason = True, "locked in"
    with session_factory.begin() as session:
        assert holds.expire_due(session, core, FIXED_NOW + TIMEOUT) == 1
        row = session.scalars(select(Handoff)).one()
        assert (row.status, row.held_by, row.urgent) == ("waiting", None, True)  # not dropped, nobody told "bye"
