"""Dialogs over WhatsApp in the three languages: signed Twilio webhooks (``From=whatsapp:+…``) through the Flask app,
the replies read from the TwiML answer, one ``<Message>`` per WhatsApp message.

Each transcript greets, asks a question, files a complaint from the main menu, tracks it with STATUS and shares
a location; what WhatsApp changes from SMS is checked on the way: whole answers (no MORE), numbered menus with
the full labels, Urdu lines right to left, a contact of its own (``whatsapp:+92…``, channel ``whatsapp``).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from helpline.complaints.models import Complaint
from helpline.messages import Text
from helpline.storage.models import Contact, Message
from tests.contract.test_danger_channels import ASK_PERSON, handoff_of, hold, route
from tests.contract.test_danger_channels import CASES as DANGER
from tests.harness import PUBLIC_URL, Screen, WhatsApp, options, sign

URDU = re.compile(r"[\u0600-\u06FF]")
TICKET = re.compile(r"\b([A-Z0-9]{3}-[A-Z0-9]{4})\b")

GREETING = {"en": "hello", "ur-Latn": "salam", "ur": "السلام علیکم"}
QUESTION = {"en": "what is protector", "ur-Latn": "protector kya hota hai", "ur": "پروٹیکٹر کیا ہوتا ہے"}
STORY = {"en": "My company in Saudi Arabia has not paid my salary for 3 months",
         "ur-Latn": "Saudia mein company ne 3 mahine se tankhwah nahi di",
         "ur": "سعودی عرب میں کمپنی نے 3 مہینے سے تنخواہ نہیں دی"}
# After the story: "is it about you?" (not asked when the English story says "my salary"), identity, against.
INTAKE = {"en": ["SKIP", "SKIP"], "ur-Latn": ["1", "SKIP", "SKIP"], "ur": ["1", "SKIP", "SKIP"]}
SENDER = {"en": "whatsapp:+923001230001", "ur-Latn": "whatsapp:+923001230002", "ur": "whatsapp:+966501230003"}
LOCATION = {"Latitude": "24.7136", "Longitude": "46.6753", "MessageType": "location", "Address": "Riyadh"}


def words(core, key: str, lang: str) -> str:
    return core.i18n.render(Text(key), lang)


@pytest.mark.parametrize("lang", ["en", "ur-Latn", "ur"])
def test_a_worker_s_day_on_whatsapp(lang, wa: WhatsApp, core, session_factory):
    sender = SENDER[lang]

    def say(text: str, **extra: str) -> list[str]:
        bodies = wa.messages(text, sender=sender, **extra)
        assert bodies and all(0 < len(b) <= 1600 for b in bodies), bodies
        joined = "\n\n".join(bodies)
        assert bool(URDU.search(joined)) is (lang == "ur") or not text, f"{text!r} → {joined!r}"
        assert "MORE" not in joined and "MAZEED" not in joined and "مزید لکھیں" not in joined  # never paged
        return bodies

    welcome = say(GREETING[lang])
    assert welcome[0].startswith(words(core, "welcome", lang).split(":")[0][:30])
    menu = options([Screen(welcome[-1])])
    assert len(menu) == 6 and menu[1] == words(core, "menu.complaint", lang)  # full labels, not SMS's short ones

    answer = "\n\n".join(say(QUESTION[lang]))
    assert core.kb.text("protector_registration", "short", lang).split()[0] in answer  # the answer, whole

    say("MENU")
    asked = say("2")  # "Make a complaint", by its number
    assert "?" in asked[-1] or "؟" in asked[-1]
    say(STORY[lang])
    for reply in INTAKE[lang]:
        say(reply)
    filed = "\n\n".join(say("1"))  # "Yes, file it"
    ticket = TICKET.search(filed)
    assert ticket, filed
    with session_factory() as s:
        complaint = s.scalars(select(Complaint).where(Complaint.reference == ticket.group(1).replace("-", ""))).one()
        contact = s.get(Contact, complaint.contact_id)
        assert (complaint.channel, contact.channel, contact.address) == ("whatsapp", "whatsapp", sender)
        assert complaint.country == "SA" and complaint.category == "wages"

    status = "\n\n".join(say(f"STATUS {ticket.group(1)}"))
    assert ticket.group(1) in status

    located = say("", **LOCATION)  # a shared location: thanked, kept for staff, never lost or a question
    assert located[0].startswith(words(core, "location.received", lang).split("،")[0].split(",")[0])
    assert len(options([Screen(located[-1])])) == 6
    with session_factory() as s:
        last_in = s.scalars(select(Message).where(Message.contact_id == contact.id, Message.direction == "in")
                            .order_by(Message.id.desc())).first()
        assert last_in.attachments == [{"kind": "location", "ref": "geo:24.713600,46.675300", "content_type": None}]


def test_urdu_lines_that_start_in_latin_read_right_to_left(wa: WhatsApp, session_factory):
    from helpline.bidi import RLM

    bodies = wa.messages("پروٹیکٹر کیا ہوتا ہے", sender="whatsapp:+923331234567")
    lines = [line for body in bodies for line in body.splitlines()]
    latin_first = [line for line in lines if URDU.search(line) and re.match(r"\s*[A-Za-z]", line)]
    assert not latin_first, latin_first  # each such line got a right-to-left mark in front
    with session_factory() as s:  # the log holds what was sent, marks included
        logged = s.scalars(select(Message.text).where(Message.direction == "out")).all()
    assert "\n\n".join(logged) == "\n\n".join(bodies)
    assert all(RLM not in b for b in wa.messages("hello", sender="whatsapp:+923331234999"))  # English untouched


def test_whatsapp_and_sms_from_one_number_are_two_contacts(wa: WhatsApp, client, session_factory):
    from tests.harness import Sms

    wa.messages("salam", sender="whatsapp:+923001234567")
    Sms(client).send("salam", sender="+923001234567")
    with session_factory() as s:
        rows = s.execute(select(Contact.channel, Contact.address).order_by(Contact.id)).all()
    assert [tuple(r) for r in rows] == [("whatsapp", "whatsapp:+923001234567"), ("sms", "tel:+923001234567")]


def test_a_redelivered_message_gets_the_same_answer_and_no_second_turn(wa: WhatsApp, session_factory):
    form = wa.form("protector kya hota hai", sender="whatsapp:+923001234567")
    first = wa.post(form).get_data(as_text=True)
    again = wa.post(form).get_data(as_text=True)
    assert first == again
    with session_factory() as s:
        assert len(s.scalars(select(Message).where(Message.direction == "in")).all()) == 1


def test_media_and_locations_reach_the_log(wa: WhatsApp, session_factory):
    """A voice note, a photo with a caption and a location: each answered (no 500) and stored with the message,
    where the media fetcher and the console find them."""
    from tests.sms.test_decode import media

    voice = wa.post(wa.form("", sender="whatsapp:+923001234567", MessageType="audio", NumMedia="1",
                            MediaUrl0=media("MM" + "1" * 32, "ME" + "2" * 32), MediaContentType0="audio/ogg"))
    photo = wa.post(wa.form("yeh mera contract hai", sender="whatsapp:+923001234567", MessageType="image",
                            NumMedia="1", MediaUrl0=media("MM" + "3" * 32, "ME" + "4" * 32),
                            MediaContentType0="image/jpeg"))
    place = wa.post(wa.form("", sender="whatsapp:+923001234567", **LOCATION))
    assert [r.status_code for r in (voice, photo, place)] == [200, 200, 200]
    with session_factory() as s:
        stored = [m.attachments for m in s.scalars(select(Message).where(Message.direction == "in")
                                                   .order_by(Message.id))]
    assert [a[0]["kind"] for a in stored] == ["media", "media", "location"]
    assert stored[0][0]["content_type"] == "audio/ogg" and stored[1][0]["content_type"] == "image/jpeg"


def test_the_whatsapp_route_is_the_same_signed_webhook(wa: WhatsApp):
    form = wa.form("salam", sender="whatsapp:+923001234567")
    answered = wa.post(form, path="/webhooks/twilio/whatsapp")
    assert answered.status_code == 200 and "<Message>" in answered.get_data(as_text=True)
    other = wa.form("salam")
    forged = wa.post(other, path="/webhooks/twilio/whatsapp", signature="bm90IGEgc2lnbmF0dXJl")
    assert forged.status_code == 403
    signed_for_the_sms_route = wa.post(other, path="/webhooks/twilio/whatsapp",
                                       signature=sign(other, PUBLIC_URL + "/webhooks/twilio/sms"))
    assert signed_for_the_sms_route.status_code == 403
    assert wa.post(other, path="/webhooks/twilio/sms").status_code == 200  # one Messaging Service URL serves both


@pytest.mark.parametrize(("lang", "danger", "_plain", "_anyone"), DANGER)
def test_danger_on_whatsapp_gets_the_emergency_route_even_while_a_person_holds_it(lang, danger, _plain, _anyone, wa,
                                                                                  core, session_factory):
    """The danger contract (tests/contract/test_danger_channels.py) on the WhatsApp path: while a person holds the
    conversation the bot is quiet, but danger gets the emergency route at once and the handoff turns urgent."""
    from types import SimpleNamespace

    sender = "whatsapp:+923001239999"
    wa.messages(ASK_PERSON[lang], sender=sender)
    hold(session_factory, core, sender)
    assert wa.post(wa.form("hello", sender=sender)).get_data(as_text=True).count("<Message>") == 0  # quiet
    reply = "\n\n".join(wa.messages(danger, sender=sender))
    assert reply.startswith(route(core, lang, SimpleNamespace(name="whatsapp")))
    row = handoff_of(session_factory, sender)
    assert row.status == "held" and row.urgent and row.unread
