"""Tracking by STATUS <ref>, verification for other phones, throttling, reopen and confirmed closure."""

from __future__ import annotations

from sqlalchemy import select

from helpline.complaints import references
from helpline.complaints import service as csvc
from helpline.complaints.models import ComplaintEvent
from helpline.outbox import OutboxMessage
from helpline.throttle import Failure
from tests.complaints.conftest import Chat


def file_complaint(chat: Chat, *, cnic: str | None = "35202-1234567-1", lang: str = "en") -> str:
    """File a wages complaint in Saudi Arabia from ``chat``; return its displayed reference."""
    opening = {"en": "complaint wages Jeddah not paid for three months now",
               "ur-Latn": "shikayat tankhwah jeddah 3 mahine se nahi mili",
               "ur": "شکایت تنخواہ جدہ ۳ مہینے سے نہیں ملی"}[lang]
    chat.say(opening)  # category, country and story are in it: "is it about you?"
    chat.say("1")
    chat.say(f"Test Worker {cnic}" if cnic else "skip")  # identity in one message, or anonymous
    chat.say("skip")  # against whom
    reply = chat.say("1")
    ref = next(w for w in reply.replace(".", " ").split() if "-" in w and references.parse(w)[0])
    return ref


def set_status(sessions, core, ref: str, *statuses: str, update: str | None = None, clock=None) -> None:
    """Move a complaint through ``statuses`` as staff would."""
    with sessions.begin() as s:
        c = csvc.find_by_reference(s, ref)
        for st in statuses:
            csvc.change_status(s, c, st, actor="staff:amina", now=core.clock(), core=core)
        if update:
            csvc.send_public_update(s, c, update, actor="staff:amina", now=core.clock(), core=core)


def test_file_then_track_in_english(chat, session_factory, ccore):
    ref = file_complaint(chat)
    reply = chat.say(f"status {ref.lower().replace('-', ' ')}")
    assert f"Complaint {ref} (Wages unpaid or end-of-service dues): received, waiting to be referred." in reply
    assert "Responsible: Community Welfare Attache (CWA)" in reply
    assert "Referral by 29 Nov 2026; resolution target: 23 Dec 2026." in reply
    set_status(session_factory, ccore, ref, "referred", update="Sent to CWA Jeddah, case 88.")
    reply = chat.say(f"STATUS {ref}")
    assert "referred to the responsible body" in reply
    assert "Latest update (25 Nov 2026): Sent to CWA Jeddah, case 88." in reply


def test_track_in_roman_urdu_and_urdu_with_urdu_digits(session_factory, ccore):
    rl = Chat(session_factory, ccore, "tel:+923000000011")
    ref = file_complaint(rl, lang="ur-Latn")
    reply = rl.say(f"halat {ref}")
    assert f"Shikayat {ref} (Tankhwah nahi mili ya wajibat): mil gayi, aage bhejna baqi hai." in reply
    assert "Zimmedar idara: Pakistani embassy mein Community Welfare Attache (CWA)." in reply
    ur = Chat(session_factory, ccore, "tel:+923000000012")
    ref = file_complaint(ur, lang="ur")
    urdu_digits = ref.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    reply = ur.say(f"صورتحال {urdu_digits}")
    assert f"شکایت {ref} (تنخواہ نہیں ملی یا واجبات): مل گئی، آگے بھیجنا باقی ہے۔" in reply
    assert "مسئلہ حل کرنے کی مدت: 23 دسمبر 2026" in reply


def test_a_reference_alone_and_bare_status(chat):
    ref = file_complaint(chat)
    assert f"Complaint {ref}" in chat.say(ref)
    reply = chat.say("status")
    assert "Send your complaint ticket number" in reply and "Passport status" in reply  # its short SMS label
    assert f"Complaint {ref}" in chat.say(ref.replace("-", "").lower())


def test_a_mistyped_reference_is_caught(chat):
    ref = file_complaint(chat)
    raw = references.canonical(ref)
    swapped = raw[0] + raw[2] + raw[1] + raw[3:] if raw[1] != raw[2] else raw[:6] + ("A" if raw[6] != "A" else "B")
    reply = chat.say(f"STATUS {references.display(swapped)}")
    assert "does not look right" in reply and "Complaint" not in reply


def test_another_phone_sees_nothing_without_the_cnic_digits(chat, session_factory, ccore):
    ref = file_complaint(chat)
    other = Chat(session_factory, ccore, "tel:+923009999999")
    reply = other.say(f"STATUS {ref}")
    assert "send the last 4 digits of the CNIC" in reply
    assert "Wages" not in reply and "received" not in reply and "CWA" not in reply
    wrong = other.say("1234")
    assert "could not confirm" in wrong and "Wages" not in wrong
    # An unknown (but well-formed) reference gets exactly the same answers.
    unknown = references.display(next(r for r in (references.new_reference() for _ in range(50))
                                      if not r.isdigit() and r != references.canonical(ref)))
    assert other.say(f"STATUS {unknown}").replace(unknown, ref) == reply
    assert other.say("1234") == wrong
    other.say(f"STATUS {ref}")
    right = other.say("5671")
    assert f"Complaint {ref}" in right and "received" in right
    assert "REOPEN" not in right


def test_anonymous_complaint_cannot_be_verified_from_another_phone(chat, session_factory, ccore):
    ref = file_complaint(chat, cnic=None)
    other = Chat(session_factory, ccore, "tel:+923009999998")
    other.say(f"STATUS {ref}")
    assert "could not confirm" in other.say("0000")


def test_the_sixth_failed_lookup_in_an_hour_is_throttled(chat, session_factory, ccore, clock):
    ref = file_complaint(chat)
    other = Chat(session_factory, ccore, "tel:+923009999997")
    for _ in range(5):
        other.say(f"STATUS {ref}")
        assert "could not confirm" in other.say("1111")
    reply = other.say(f"STATUS {ref}")
    assert "Too many tries" in reply
    other.say(f"status {ref}")
    assert "5671" not in other.say("5671")  # even the right digits reveal nothing while throttled
    with session_factory() as s:
        assert len(list(s.scalars(select(Failure).where(Failure.scope == "complaint_lookup")))) == 5
    assert f"Complaint {ref}" in chat.say(f"STATUS {ref}")  # the filer is never throttled out of their case
    clock.advance(hours=1, minutes=1)
    other.say(f"STATUS {ref}")
    assert f"Complaint {ref}" in other.say("5671")


def test_resolved_then_confirmed_closed_by_the_worker(chat, session_factory, ccore):
    ref = file_complaint(chat)
    set_status(session_factory, ccore, ref, "referred", "resolved")
    with session_factory() as s:
        queued = list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert "If your problem is solved, send SOLVED" in queued[-1].payload["paragraphs"][-1]
    reply = chat.say(f"STATUS {ref}")
    assert "marked resolved" in reply and f"send REOPEN {ref} by 25 Dec 2026" in reply
    assert "is now closed" in chat.say(f"solved {ref}")
    with session_factory() as s:
        c = csvc.find_by_reference(s, ref)
        assert c.status == "closed" and c.closed_at is not None
        kinds = [e.kind for e in s.scalars(select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id))]
    assert kinds == ["created", "status", "status", "confirm"]


def test_reopen_in_three_languages_and_the_window(session_factory, ccore, clock):
    for lang, command, expect in (("en", "REOPEN", "is reopened"), ("ur-Latn", "dobara", "dobara khul gayi"),
                                  ("ur", "دوبارہ", "دوبارہ کھل گئی")):
        worker = Chat(session_factory, ccore, f"tel:+92300000010{len(lang)}")
        ref = file_complaint(worker, lang=lang)
        still_open = {"en": "still open", "ur-Latn": "abhi khuli hai", "ur": "ابھی کھلی ہے"}[lang]
        assert still_open in worker.say(f"{command} {ref}")
        set_status(session_factory, ccore, ref, "resolved")
        assert expect in worker.say(f"{command} {ref}")
        with session_factory() as s:
            assert csvc.find_by_reference(s, ref).status == "reopened"
    late = Chat(session_factory, ccore, "tel:+923000000200")
    ref = file_complaint(late)
    set_status(session_factory, ccore, ref, "resolved")
    clock.advance(days=31)
    assert "have passed" in late.say(f"REOPEN {ref}")
    other = Chat(session_factory, ccore, "tel:+923000000201")
    assert "Only the phone that filed" in other.say(f"REOPEN {ref}")


def test_status_words_with_passport_numbers_are_left_to_the_status_registry(chat):
    reply = chat.say("STATUS 1234567890123")
    assert "complaint reference" not in reply.lower()


def test_ticket_letters_never_switch_the_language(chat, session_factory):
    from helpline.storage.models import Contact
    from tests.factories import make_complaint

    chat.say("hello")
    ref = "KYA234" + references.check_char("KYA234")  # "KYA" is a Roman Urdu word
    with session_factory.begin() as s:
        contact = s.scalars(select(Contact)).one()
        make_complaint(s, contact, reference=ref)
    assert "Complaint KYA-" in chat.say(f"STATUS {references.display(ref)}")
    assert "Complaint KYA-" in chat.say(references.display(ref))
    assert "شکایت KYA-" in chat.say(f"صورتحال {references.display(ref)}")
    assert chat.state()["lang"] == "ur"


def test_seven_character_words_are_not_taken_for_tickets(chat):
    for text in ("covid19", "ABC-1234", "hello12"):
        assert "does not look right" not in chat.say(text)
