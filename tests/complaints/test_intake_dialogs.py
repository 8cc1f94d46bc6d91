"""Complaint intake transcripts through the real service, in English, Urdu script and Roman Urdu."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpline.complaints import references
from helpline.complaints.models import ComplaintAttachment
from helpline.messages import Attachment


def _ref(reply: str) -> str:
    """The reference a confirmation reply contains."""
    for word in reply.replace(".", " ").split():
        ref, _ = references.parse(word)
        if ref and "-" in word:
            return ref
    raise AssertionError(f"no reference in:\n{reply}")


def test_english_full_intake_named_worker(chat, complaints):
    chat.script([
        ("hello", ["2 Make a complaint"]),
        ("2", ["What is the complaint about?", "1 Wages unpaid"]),
        ("1", ["In which country"]),
        ("Riyadh", ["What happened?", "send DONE"]),
        ("My employer has not paid me for 3 months.", ["Noted (1)"]),
        ("He says wait, every month.", ["Noted (2)"]),
        ("done", ["Who is this complaint for?", "1 Me - I am the worker"]),
        ("1", ["your name, CNIC and passport number", "Anonymous means", "1 Give details", "2 Stay anonymous"]),
        ("1", ["Your full name?"]),
        ("Muhammad Aslam", ["CNIC number (13 digits"]),
        ("12345-123", ["A CNIC has 13 digits"]),
        ("35202-1234567-1", ["passport number?"]),
        ("ab 1234567", ["employer or kafeel"]),
        ("Al Noor Trading", ["recruiting agent or OEP"]),
        ("skip", ["Please check:", "Category: Wages unpaid", "Country: Saudi Arabia", "For: the worker",
                  "Muhammad Aslam, 35202-*******-1", "Against: Al Noor Trading", "1 Yes, file it"]),
    ])
    reply = chat.say("1")
    assert "Your complaint is filed. Ticket number:" in reply
    assert "Responsible: Community Welfare Attache (CWA)" in reply
    assert "We will refer it by 29 Nov 2026; resolution target: 23 Dec 2026." in reply
    assert "send STATUS" in reply and "urgent" not in reply
    [c] = complaints()
    assert c.reference == _ref(reply)
    assert (c.category, c.country, c.affected, c.anonymous, c.urgent) == ("wages", "SA", "self", False, False)
    assert c.worker_cnic == "3520212345671" and c.worker_passport == "AB1234567" and c.agent is None
    assert c.description == "My employer has not paid me for 3 months.\nHe says wait, every month."
    assert c.responsible_body == "CWA" and c.status == "new" and c.lang == "en"
    assert c.verify_hash and "3520212345671" not in repr(c) and "Aslam" not in repr(c)
    assert "complaint_draft" not in chat.state()
    # A second "yes" (or a redelivery) files nothing more.
    chat.say("1")
    chat.say("yes")
    assert len(complaints()) == 1


def test_redelivered_confirmation_files_once(chat, complaints):
    chat.script([("complaint wages Dubai salary not paid for 4 months", ["Who is this complaint for?"]),
                 ("1", []), ("2", []), ("skip", []), ("skip", ["Please check:"])])
    first = chat.say("1", provider_id="dup-1")
    assert "Ticket number:" in first
    assert chat.say("1", provider_id="dup-1") == ""  # the service recognises the redelivery
    assert len(complaints()) == 1


def test_roman_urdu_family_filing_for_missing_worker_is_urgent(chat, complaints):
    chat.script([
        ("salam", ["Shikayat darj karein"]),
        ("shikayat", ["Shikayat kis baare mein hai?"]),
        ("mera bhai lapata hai", ["Ye kis mulk mein"]),
        ("saudia", ["Kya hua?", "BAS ya HO GAYA"]),
        ("2 mahine se bhai se koi rabta nahi", ["Note kar liya (1)"]),
        ("kafeel phone nahi uthata", ["Note kar liya (2)"]),
        ("ho gaya", ["Ye shikayat kis ke liye hai?"]),
        ("2", ["Worker se aap ka kya rishta hai"]),
        ("bhai", ["worker ka naam, CNIC aur passport number", "Gumnaam ka matlab"]),
        ("1", ["Worker ka poora naam?"]),
        ("Imran Khan", ["Worker ka CNIC number"]),
        ("35202 1234567 1", ["Worker ka passport number?"]),
        ("pata nahi", ["Worker ka malik ya kafeel"]),
        ("Al Rajhi", ["Wo agent ya OEP jis ne worker ko bahar bheja?"]),
        ("Star OEP Lahore", ["Kis ke liye: worker, ghar walon ki taraf se (bhai)", "fori maamla"]),
    ])
    reply = chat.say("haan")
    assert "Aap ki shikayat darj ho gayi. Ticket number:" in reply
    assert "Zimmedar: Pakistani sifarat khana ya consulate." in reply
    assert "12 ghante ke andar (usi din)" in reply
    [c] = complaints()
    assert (c.category, c.affected, c.filer_relation, c.urgent, c.urgent_reason) == (
        "missing", "family", "bhai", True, "category:missing")
    assert c.worker_cnic == "3520212345671" and c.worker_passport is None and c.lang == "ur-Latn"
    assert c.promised_referral_at == c.created_at + timedelta(hours=12)


def test_urdu_anonymous_filing(chat, complaints):
    chat.script([
        ("السلام علیکم", ["شکایت درج کریں"]),
        ("2", ["شکایت کس بارے میں ہے؟"]),
        ("ایجنٹ نے فراڈ کیا", ["یہ کس ملک میں"]),
        ("دبئی", ["کیا ہوا؟", "«ختم»"]),
        ("ایجنٹ نے ویزا کے پیسے لیے اور غائب ہو گیا", ["نوٹ کر لیا (1)"]),
        ("ختم", ["یہ شکایت کس کے لیے ہے؟"]),
        ("1", ["گمنام کا مطلب"]),
        ("2", ["آپ کا آجر یا کفیل"]),
        ("چھوڑیں", ["وہ ایجنٹ یا او ای پی"]),
        ("خان ٹریولز", ["براہ کرم دیکھ لیں", "ملک: متحدہ عرب امارات", "تفصیل: گمنام"]),
    ])
    reply = chat.say("جی ہاں")
    assert "آپ کی شکایت درج ہو گئی۔ ٹکٹ نمبر:" in reply
    assert "ذمہ دار: پروٹیکٹر آف ایمیگرینٹس" in reply
    assert "اسی فون سے STATUS" in reply
    [c] = complaints()
    assert c.anonymous and c.worker_name is None and c.worker_cnic is None and c.verify_hash is None
    assert (c.category, c.country, c.agent, c.lang) == ("fake_agent", "AE", "خان ٹریولز", "ur")


def test_one_shot_forms_ask_only_what_is_missing(session_factory, ccore, complaints):
    from tests.complaints.conftest import Chat

    en = Chat(session_factory, ccore, "tel:+923000000001")
    assert "Complaint noted: Wages unpaid or end-of-service dues, Saudi Arabia." in en.say(
        "COMPLAINT wages Saudi Arabia not paid 3 months")
    assert en.state()["step"] == "who"
    rl = Chat(session_factory, ccore, "tel:+923000000002")
    reply = rl.say("shikayat tankhwah saudia 3 mahine se nahi mili")
    assert "Shikayat note ho gayi: Tankhwah nahi mili ya wajibat, Saudi Arab." in reply
    assert "Ye shikayat kis ke liye hai?" in reply
    ur = Chat(session_factory, ccore, "tel:+923000000003")
    reply = ur.say("شکایت: تنخواہ، سعودیہ، ۳ مہینے سے نہیں ملی")
    assert "شکایت نوٹ ہو گئی: تنخواہ نہیں ملی یا واجبات، سعودی عرب۔" in reply
    short = Chat(session_factory, ccore, "tel:+923000000004")
    assert "What happened?" in short.say("complaint#JAIL#doha")  # category and country, no story yet
    nothing = Chat(session_factory, ccore, "tel:+923000000005")
    assert "In which country" in nothing.say("Complaint: my boss beat me")
    for chat in (en, rl, ur):
        chat.say("1")
        chat.say("2")
        chat.say("skip")
        chat.say("skip")
        reply = chat.say("1")
        assert "Ticket number" in reply or "ٹکٹ نمبر" in reply
    stored = complaints()
    assert [c.category for c in stored] == ["wages"] * 3 and [c.country for c in stored] == ["SA"] * 3
    assert stored[1].description == "tankhwah saudia 3 mahine se nahi mili"


def test_one_shot_after_an_faq_answer(chat):
    chat.say("how do I file a complaint")
    assert "Complaint noted" in chat.say("complaint salary not paid in Qatar for 2 months")


def test_a_question_about_complaints_still_goes_to_the_faq(chat):
    reply = chat.say("complaint kaise karein")
    assert "Shikayat kis baare" not in reply


def test_back_and_menu_mid_flow_then_resume(chat, clock, complaints):
    chat.script([
        ("menu", ["2 Make a complaint"]),
        ("2", ["What is the complaint about?"]),
        ("passport taken by kafeel", ["In which country"]),
        ("Kuwait", ["What happened?"]),
        ("BACK", ["In which country"]),  # BACK forgets the country and asks it again
        ("Oman", ["What happened?"]),
        ("The kafeel keeps my passport", ["Noted (1)"]),
        ("MENU", ["Main menu:"]),
    ])
    assert chat.state()["complaint_draft"]["country"] == "OM"
    clock.advance(days=3)
    chat.script([
        ("2", ["unfinished complaint (Passport or documents held by employer) from 25 Nov 2026", "1 Continue it"]),
        ("1", ["What happened?"]),  # the story step is asked again: BACK/MENU left it open
        ("He will not give it back", ["Noted (2)"]),
        ("done", ["Who is this complaint for?"]),
        ("back", ["What happened?"]),
    ])
    assert chat.state()["complaint_draft"]["story"] == []


def test_abandoned_draft_expires_after_the_keep_period(chat, clock):
    chat.script([("complaint", []), ("1", ["In which country"]), ("MENU", ["Main menu:"])])
    clock.advance(days=8)
    assert "What is the complaint about?" in chat.say("2")


def test_resume_in_urdu_and_start_new(chat, clock):
    chat.script([("شکایت", ["شکایت کس بارے میں ہے؟"]), ("1", ["یہ کس ملک میں"]), ("مینو", [])])
    reply = chat.say("2")
    assert "آپ کی ایک نامکمل شکایت" in reply and "25 نومبر 2026" in reply
    assert "شکایت کس بارے میں ہے؟" in chat.say("2")  # start a new one


def test_attachments_during_intake_are_linked(chat, complaints, session_factory):
    chat.script([("complaint wages Riyadh", ["What happened?"])])
    chat.say("", attachments=(Attachment("photo", "tg-file-1", "image/jpeg"),))
    chat.say("payslip attached", attachments=(Attachment("media", "https://api.example/Media/ME1", "image/png"),))
    chat.script([("done", []), ("1", []), ("2", []), ("skip", []), ("skip", ["Files: 2"])])
    chat.say("1")
    [c] = complaints()
    with session_factory() as s:
        from sqlalchemy import select

        rows = list(s.scalars(select(ComplaintAttachment).where(ComplaintAttachment.complaint_id == c.id)))
    assert sorted(r.ref for r in rows) == ["https://api.example/Media/ME1", "tg-file-1"]
    assert all(r.message_id is not None for r in rows)


def test_urgent_word_in_the_story_makes_any_category_urgent(chat, complaints):
    chat.script([("complaint contract problem Doha", []), ("the supervisor beat me and I am in hospital", []),
                 ("done", []), ("1", []), ("2", []), ("skip", []), ("skip", ["looks urgent"])])
    assert "within 12 hours" in chat.say("1")
    [c] = complaints()
    assert c.urgent and c.urgent_reason in ("word:abuse", "word:medical")


def test_telegram_buttons_and_typed_relation(session_factory, ccore, complaints):
    from tests.complaints.conftest import Chat

    tg = Chat(session_factory, ccore, "telegram:424242", channel="telegram")
    tg.say("hello")
    assert "What is the complaint about?" in tg.say(choice="complaint")
    assert "In which country" in tg.say(choice="cat:death")
    assert "Saudi Arabia" in tg.say("jeda")  # a close spelling: "which one?"
    assert "What happened?" in tg.say(choice="cc:SA")
    tg.say("My brother died at work in Jeddah", attachments=(Attachment("document", "tg-doc-9", "application/pdf"),))
    tg.say("done")
    assert "worker's name, CNIC" in tg.say("for my brother")  # the relation is already in the answer
    tg.say(choice="c:anon")
    tg.say("skip")
    assert "filed by family (for my brother)" in tg.say("skip")
    assert "within 12 hours" in tg.say(choice="c:yes")
    [c] = complaints()
    assert (c.channel, c.category, c.affected, c.filer_relation, c.urgent_reason) == (
        "telegram", "death", "family", "for my brother", "category:death")


WORDS = {  # what a worker types, and what the bot must say, per language
    "en": {"start": "complaint", "cat": "salary not paid", "country": "Doha", "story": "No salary since March.",
           "done": "done", "back": "back", "menu": "menu", "skip": "skip", "yes": "yes",
           "ask_country": "In which country", "ask_story": "What happened?", "ask_who": "Who is this complaint for?",
           "resume": "unfinished complaint", "ask_relation": "How are you related", "ask_name": "full name?",
           "filed": "Ticket number:", "anon": "Anonymous means", "main": "Main menu"},
    "ur-Latn": {"start": "shikayat", "cat": "tankhwah nahi mili", "country": "Doha",
                "story": "March se tankhwah nahi mili", "done": "ho gaya", "back": "wapas", "menu": "menu",
                "skip": "pata nahi", "yes": "haan", "ask_country": "Ye kis mulk mein",
                "ask_story": "Kya hua?", "ask_who": "Ye shikayat kis ke liye hai?", "resume": "adhoori shikayat",
                "ask_relation": "kya rishta hai", "ask_name": "poora naam?", "filed": "Ticket number:",
                "anon": "Gumnaam ka matlab", "main": "Main menu"},
    "ur": {"start": "شکایت", "cat": "تنخواہ نہیں ملی", "country": "دوحہ", "story": "مارچ سے تنخواہ نہیں ملی",
           "done": "ختم", "back": "واپس", "menu": "مینو", "skip": "چھوڑیں", "yes": "جی ہاں",
           "ask_country": "یہ کس ملک میں", "ask_story": "کیا ہوا؟", "ask_who": "یہ شکایت کس کے لیے ہے؟",
           "resume": "نامکمل شکایت", "ask_relation": "کیا رشتہ ہے", "ask_name": "پورا نام؟", "filed": "ٹکٹ نمبر:",
           "anon": "گمنام کا مطلب", "main": "مین مینو"},
}


@pytest.mark.parametrize("lang", list(WORDS))
def test_family_filing_back_menu_and_resume_in_each_language(lang, chat, clock, complaints):
    w = WORDS[lang]
    chat.script([
        (w["start"], []),
        (w["cat"], [w["ask_country"]]),
        (w["country"], [w["ask_story"]]),
        (w["back"], [w["ask_country"]]),
        (w["country"], [w["ask_story"]]),
        (w["story"], []),
        (w["done"], [w["ask_who"]]),
        (w["menu"], [w["main"]]),
    ])
    clock.advance(days=2)
    chat.script([
        (w["start"], [w["resume"]]),
        ("1", [w["ask_who"]]),
        ("2", [w["ask_relation"]]),
        (w["skip"], [w["anon"]]),
        ("1", [w["ask_name"]]),
        ("Bilal", []), ("35202-7654321-3", []), (w["skip"], []), (w["skip"], []), (w["skip"], []),
    ])
    assert w["filed"] in chat.say(w["yes"])
    [c] = complaints()
    assert (c.category, c.country, c.affected, c.worker_name, c.worker_cnic, c.lang) == (
        "wages", "QA", "family", "Bilal", "3520276543213", lang)
    assert c.created_at == clock.now


@pytest.mark.parametrize("lang", list(WORDS))
def test_anonymous_one_shot_in_each_language(lang, chat, complaints):
    w = WORDS[lang]
    chat.say(f"{w['start']} {w['cat']} {w['country']} {w['story']}")
    chat.script([("1", [w["anon"]]), ("2", []), (w["skip"], []), (w["skip"], [])])
    assert w["filed"] in chat.say(w["yes"])
    [c] = complaints()
    assert c.anonymous and c.worker_cnic is None and c.verify_hash is None and c.lang == lang
