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


def test_english_natural_opening_says_it_once(chat, complaints):
    """The story gives the category, the country, the worker and the employer: only identity is asked."""
    chat.script([
        ("hello", ["2 Complaint"]),
        ("I want to register a complaint", ["What happened?", "in one message"]),
        ("My company Al Noor Trading in Riyadh has not paid me for 3 months. He says wait, every month.",
         ["Please send your name, CNIC and passport number in one message"]),
        ("Muhammad Aslam 35202-123", ["A CNIC has 13 digits"]),
        ("Muhammad Aslam 35202-1234567-1 ab 1234567",
         ["We understood: Wages unpaid, Saudi Arabia. For: you (the worker). "
          "Muhammad Aslam, …671, …567. Against: Al Noor Trading.", "File it?", "1 Yes, file it",
          "2 Change"]),
    ])
    reply = chat.say("1")
    assert "Your complaint is filed. Ticket number:" in reply
    assert "Responsible: Community Welfare Attache (CWA)" in reply
    assert "We will refer it by 29 Nov 2026; resolution target: 23 Dec 2026." in reply
    assert "send STATUS" in reply and "urgent" not in reply
    [c] = complaints()
    assert c.reference == _ref(reply)
    assert (c.category, c.country, c.affected, c.anonymous, c.urgent) == ("wages", "SA", "self", False, False)
    assert c.worker_name == "Muhammad Aslam" and c.worker_cnic == "3520212345671"
    assert c.worker_passport == "AB1234567" and c.employer == "Al Noor Trading" and c.agent is None
    assert c.description == "My company Al Noor Trading in Riyadh has not paid me for 3 months. He says wait, every month."
    assert c.responsible_body == "CWA" and c.status == "new" and c.lang == "en"
    assert c.verify_hash and "3520212345671" not in repr(c) and "Aslam" not in repr(c)
    assert "complaint_draft" not in chat.state()
    # A second "yes" (or a redelivery) files nothing more.
    chat.say("1")
    chat.say("yes")
    assert len(complaints()) == 1


def test_redelivered_confirmation_files_once(chat, complaints):
    chat.script([("complaint wages Dubai salary not paid for 4 months", ["Is this complaint about you?"]),
                 ("1", []), ("skip", []), ("skip", ["We understood:"])])
    first = chat.say("1", provider_id="dup-1")
    assert "Ticket number:" in first
    assert chat.say("1", provider_id="dup-1") == ""  # the service recognises the redelivery
    assert len(complaints()) == 1


def test_roman_urdu_family_filing_for_missing_worker_is_urgent(chat, complaints):
    chat.script([
        ("salam", ["2 Shikayat"]),
        ("shikayat", ["Kya hua?"]),
        ("mera bhai saudia mein lapata hai, 2 mahine se koi rabta nahi, kafeel phone nahi uthata",
         ["Worker ka naam, CNIC aur passport number ek message mein"]),
        ("Imran Khan 35202 1234567 1",
         ["Lapata, Saudi Arab. ghar ka fard (bhai). Imran Khan, …671.", "Fori maamla",
          "Darj kar dein?"]),
    ])
    reply = chat.say("haan")
    assert "Aap ki shikayat darj ho gayi. Ticket number:" in reply
    assert "Zimmedar idara: Pakistani embassy ya consulate." in reply
    assert "daftar abhi band hai. Daftar khulte hi (26 Nov 2026, 09:00)" in reply  # 17:00 in Pakistan: closed
    [c] = complaints()
    assert (c.category, c.country, c.affected, c.filer_relation, c.urgent, c.urgent_reason) == (
        "missing", "SA", "family", "bhai", True, "category:missing")
    assert c.worker_name == "Imran Khan" and c.worker_cnic == "3520212345671" and c.worker_passport is None
    assert c.lang == "ur-Latn" and c.promised_referral_at == c.created_at + timedelta(hours=12)


def test_urdu_anonymous_filing(chat, complaints):
    chat.script([
        ("السلام علیکم", ["2 شکایت"]),
        ("2", ["کیا ہوا؟"]),
        ("ایجنٹ نے ویزا کے پیسے لیے اور غائب ہو گیا، دبئی", ["کیا یہ شکایت آپ کے اپنے بارے میں ہے؟"]),
        ("1", ["ایک پیغام میں بھیجیں", "«چھوڑیں»"]),  # the skip word in Urdu script, which the intake accepts
        ("چھوڑیں", ["شکایت کس کے خلاف ہے؟"]),
        ("خان ٹریولز", ["جعلی ایجنٹ، متحدہ عرب امارات۔ آپ خود۔ گمنام۔ خلاف: خان ٹریولز۔", "درج کر دیں؟"]),
    ])
    reply = chat.say("جی ہاں")
    assert "آپ کی شکایت درج ہو گئی۔ ٹکٹ نمبر:" in reply
    assert "ذمہ دار ادارہ: پروٹیکٹر آف ایمیگرنٹس" in reply
    assert "اسی فون سے STATUS" in reply
    [c] = complaints()
    assert c.anonymous and c.worker_name is None and c.worker_cnic is None and c.verify_hash is None
    assert (c.category, c.country, c.agent, c.lang) == ("fake_agent", "AE", "خان ٹریولز", "ur")
    assert c.description == "ایجنٹ نے ویزا کے پیسے لیے اور غائب ہو گیا، دبئی"


def test_one_shot_forms_ask_only_what_is_missing(session_factory, ccore, complaints):
    from tests.complaints.conftest import Chat

    en = Chat(session_factory, ccore, "tel:+923000000001")
    assert "Is this complaint about you?" in en.say("COMPLAINT wages Saudi Arabia not paid 3 months")
    assert en.state()["step"] == "who"
    rl = Chat(session_factory, ccore, "tel:+923000000002")
    assert "Kya ye shikayat aap ke apne baare mein hai?" in rl.say("shikayat tankhwah saudia 3 mahine se nahi mili")
    ur = Chat(session_factory, ccore, "tel:+923000000003")
    assert "کیا یہ شکایت آپ کے اپنے بارے میں ہے؟" in ur.say("شکایت: تنخواہ، سعودیہ، ۳ مہینے سے نہیں ملی")
    short = Chat(session_factory, ccore, "tel:+923000000004")
    assert "What happened?" in short.say("complaint#JAIL#doha")  # category and country, no story yet
    assert short.state()["complaint_draft"]["country"] == "QA"
    nothing = Chat(session_factory, ccore, "tel:+923000000005")
    assert "In which country" in nothing.say("Complaint: my boss beat me at the camp")
    for chat in (en, rl, ur):
        chat.say("1")  # about me
        chat.say("skip")  # anonymous
        chat.say("skip")  # against whom
        reply = chat.say("1")
        assert "Ticket number" in reply or "ٹکٹ نمبر" in reply
    stored = complaints()
    assert [c.category for c in stored] == ["wages"] * 3 and [c.country for c in stored] == ["SA"] * 3
    assert stored[1].description == "shikayat tankhwah saudia 3 mahine se nahi mili"


def test_one_shot_after_an_faq_answer(chat):
    chat.say("how do I file a complaint")
    assert "Is this complaint about you?" in chat.say("complaint salary not paid in Qatar for 2 months")


def test_a_question_about_complaints_still_goes_to_the_faq(chat):
    reply = chat.say("complaint kaise karein")
    assert "Kya hua?" not in reply and "Kya ye shikayat" not in reply


def test_back_and_menu_mid_flow_then_resume(chat, clock, complaints):
    chat.script([
        ("menu", ["2 Complaint"]),
        ("2", ["What happened?"]),
        ("passport taken by the company in Kuwait", ["Is this complaint about you?"]),
        ("BACK", ["What happened?"]),  # BACK forgets the story and asks it again
        ("The kafeel in Oman keeps my passport and will not give it back", []),
        ("MENU", ["Main menu:"]),
    ])
    draft = chat.state()["complaint_draft"]
    assert draft["story"] == ["The kafeel in Oman keeps my passport and will not give it back"]
    assert draft["category"] == "documents_held"
    clock.advance(days=3)
    chat.script([
        ("2", ["unfinished complaint (Passport or documents held by employer) from 25 Nov 2026", "1 Continue it"]),
        ("1", ["Please send your name, CNIC and passport number"]),  # "my passport": about the worker
        ("back", ["Is this complaint about you?"]),  # BACK walks back through what was answered
        ("back", ["In which country"]),  # (here, by the story)
    ])
    assert chat.state()["complaint_draft"]["country"] is None


def test_abandoned_draft_expires_after_the_keep_period(chat, clock):
    chat.script([("complaint", []), ("my salary is not paid in Dubai for 2 months", ["name, CNIC"]),
                 ("MENU", ["Main menu:"])])
    clock.advance(days=8)
    assert "What happened?" in chat.say("2")


def test_resume_in_urdu_and_start_new(chat, clock):
    chat.script([("شکایت", ["کیا ہوا؟"]), ("میری تنخواہ تین مہینے سے نہیں ملی، دوحہ", []), ("مینو", [])])
    reply = chat.say("2")
    assert "ادھوری شکایت" in reply and "25 نومبر 2026" in reply
    assert "کیا ہوا؟" in chat.say("2")  # start a new one


def test_attachments_during_intake_are_linked(chat, complaints, session_factory):
    chat.script([("complaint wages Riyadh", ["What happened?"])])
    chat.say("", attachments=(Attachment("photo", "tg-file-1", "image/jpeg"),))
    chat.say("payslip attached, the company has not paid me since March",
             attachments=(Attachment("media", "https://api.example/Media/ME1", "image/png"),))
    chat.script([("skip", []), ("skip", ["Files: 2"])])
    chat.say("1")
    [c] = complaints()
    with session_factory() as s:
        from sqlalchemy import select

        rows = list(s.scalars(select(ComplaintAttachment).where(ComplaintAttachment.complaint_id == c.id)))
    assert sorted(r.ref for r in rows) == ["https://api.example/Media/ME1", "tg-file-1"]
    assert all(r.message_id is not None for r in rows)


def test_urgent_word_in_the_story_makes_any_category_urgent(chat, complaints):
    chat.script([("complaint contract problem Doha", ["What happened?"]),
                 ("the supervisor beat me and I am in hospital", ["name, CNIC"]),
                 ("skip", ["Who is it against?"]), ("skip", ["Urgent: staff will see it first."])])
    assert "the office is closed now; staff will review it first when it opens (26 Nov 2026, 09:00)" in chat.say("1")
    [c] = complaints()
    assert c.urgent and c.urgent_reason in ("word:abuse", "word:medical", "category:abuse", "category:medical")


def test_telegram_buttons_and_typed_relation(session_factory, ccore, complaints):
    from tests.complaints.conftest import Chat

    tg = Chat(session_factory, ccore, "telegram:424242", channel="telegram")
    tg.say("hello")
    assert "What happened?" in tg.say(choice="complaint")
    assert "Which of these fits best?" in tg.say("it is about the work",
                                                  attachments=(Attachment("document", "tg-doc-9", "application/pdf"),))
    assert "In which country" in tg.say(choice="cat:+") or True  # more choices: the next part of the menu
    tg.say(choice="cat:death")
    assert "Saudi Arabia" in tg.say("jeda")  # a close spelling: "which one?"
    assert "Is this complaint about you?" in tg.say(choice="cc:SA")
    assert "the worker's name, CNIC" in tg.say("for my brother")  # the relation is already in the answer
    assert "a family member (for my brother)" in tg.say("skip")
    assert "when it opens" in tg.say(choice="c:yes")
    [c] = complaints()
    assert (c.channel, c.category, c.affected, c.filer_relation, c.urgent_reason) == (
        "telegram", "death", "family", "for my brother", "category:death")


def test_a_story_sent_when_a_category_was_asked_is_kept_as_the_story(chat):
    chat.script([("complaint", ["What happened?"]), ("problem", ["Which of these fits best?"])])
    story = "my kafeel in Jeddah has not paid my salary and also keeps my passport with him"
    assert "name, CNIC" in chat.say(story)  # the category, the country and the worker are all in it
    draft = chat.state()["complaint_draft"]
    assert draft["story"] == ["problem", story]
    assert (draft["category"], draft["country"], draft["affected"]) == ("wages", "SA", "self")


def test_the_category_named_in_the_opening_is_not_asked_again(chat):
    chat.script([
        ("shikayat darj krni hai agent k khilaf", ["Kya hua?"]),
        ("agent ne 5 lakh liye aur dubai ka visa jaali nikla, mujhe wapas aana para", ["Apna naam, CNIC"]),
    ])
    draft = chat.state()["complaint_draft"]
    assert draft["category"] == "fake_agent" and draft["country"] == "AE" and draft["affected"] == "self"
    assert draft["story"][0] == "shikayat darj krni hai agent k khilaf"


def test_change_one_field_from_the_summary(chat, complaints):
    chat.script([
        ("complaint wages Dubai my company has not paid me for 4 months", ["name, CNIC"]),
        ("skip", ["Who is it against?"]),
        ("Al Safi Cleaning", ["United Arab Emirates", "Against: Al Safi Cleaning"]),
        ("no", ["What should we change?", "2 Country"]),
        ("2", ["In which country"]),
        ("Qatar", ["We understood: Wages unpaid, Qatar.", "Against: Al Safi Cleaning"]),
    ])
    chat.say("yes")
    [c] = complaints()
    assert (c.country, c.employer, c.anonymous) == ("QA", "Al Safi Cleaning", True)


def test_faq_answer_turns_into_a_complaint_in_one_step(chat, complaints):
    reply = chat.say("my company has not paid my salary for 3 months")
    assert "1 Complain" in reply and "AGENT to complain" not in reply
    assert "In which country" in chat.say("1")  # wages, and the question is the story
    draft = chat.state()["complaint_draft"]
    assert draft["category"] == "wages" and draft["story"] == ["my company has not paid my salary for 3 months"]


NATURAL = {  # a worker who opens naturally and tells the story; every answer, and what the bot must ask
    "en": [("I want to register a complaint", "What happened?"),
           ("My kafeel in Riyadh has not paid my salary for 4 months", "name, CNIC"),
           ("Bilal Ahmed 35202-7654321-3", "Who is it against?"),
           ("Al Safi Cleaning Company", "We understood: Wages unpaid, Saudi Arabia."),
           ("yes", "Ticket number:")],
    "ur-Latn": [("shikayat krni hai", "Kya hua?"),
                ("mere kafeel ne riyadh mein 4 mahine se tankhwah nahi di", "naam, CNIC"),
                ("Bilal Ahmed 35202-7654321-3", "kis ke khilaf"),
                ("Al Safi Cleaning Company", "Humne samjha: Tankhwah, Saudi Arab."),
                ("ji haan", "Ticket number:")],
    "ur": [("مجھے شکایت درج کرانی ہے", "کیا ہوا؟"),
           ("میرے کفیل نے ریاض میں چار مہینے سے تنخواہ نہیں دی", "شناختی کارڈ"),
           ("بلال احمد 35202-7654321-3", "کس کے خلاف"),
           ("الصافی کمپنی", "تنخواہ، سعودی عرب۔ آپ خود۔ بلال احمد، …213۔"),
           ("جی ہاں", "ٹکٹ نمبر:")],
}


@pytest.mark.parametrize("lang", list(NATURAL))
def test_a_complaint_from_a_natural_opening_in_each_language(lang, chat, complaints):
    chat.script([(said, [expected]) for said, expected in NATURAL[lang]])
    [c] = complaints()
    assert (c.category, c.country, c.affected, c.worker_cnic, c.lang) == ("wages", "SA", "self", "3520276543213", lang)
    assert c.description == NATURAL[lang][1][0]
    assert c.employer


WORDS = {  # what a worker types, and what the bot must say, per language
    "en": {"start": "complaint", "story": "No salary since March in Doha.", "back": "back", "menu": "menu",
           "skip": "skip", "yes": "yes", "ask_story": "What happened?", "ask_who": "Is this complaint about you?",
           "resume": "unfinished complaint", "ask_relation": "How are you related", "ask_id": "worker's name",
           "filed": "Ticket number:", "main": "Main menu"},
    "ur-Latn": {"start": "shikayat", "story": "Doha mein March se tankhwah nahi mili", "back": "wapas",
                "menu": "menu", "skip": "pata nahi", "yes": "haan", "ask_story": "Kya hua?",
                "ask_who": "Kya ye shikayat aap ke apne baare mein hai?", "resume": "adhoori shikayat",
                "ask_relation": "kya rishta hai", "ask_id": "Worker ka naam", "filed": "Ticket number:",
                "main": "Menu chunein:"},
    "ur": {"start": "شکایت", "story": "دوحہ میں مارچ سے تنخواہ نہیں ملی", "back": "واپس", "menu": "مینو",
           "skip": "چھوڑیں", "yes": "جی ہاں", "ask_story": "کیا ہوا؟", "ask_who": "کیا یہ شکایت آپ کے اپنے بارے میں ہے؟",
           "resume": "ادھوری شکایت", "ask_relation": "کیا رشتہ ہے", "ask_id": "ورکر کا", "filed": "ٹکٹ نمبر:",
           "main": "مینو:"},  # on SMS the short form (sms.po menu.title.sms), elsewhere "مین مینو:"
}


@pytest.mark.parametrize("lang", list(WORDS))
def test_family_filing_back_menu_and_resume_in_each_language(lang, chat, clock, complaints):
    w = WORDS[lang]
    chat.script([
        (w["start"], [w["ask_story"]]),
        (w["story"], [w["ask_who"]]),
        (w["back"], [w["ask_story"]]),
        (w["story"], [w["ask_who"]]),
        (w["menu"], [w["main"]]),
    ])
    clock.advance(days=2)
    chat.script([
        (w["start"], [w["resume"]]),
        ("1", [w["ask_who"]]),
        ("2", [w["ask_relation"]]),
        (w["skip"], [w["ask_id"]]),
        ("Bilal 35202-7654321-3", []),
        (w["skip"], []),
    ])
    assert w["filed"] in chat.say(w["yes"])
    [c] = complaints()
    assert (c.category, c.country, c.affected, c.worker_name, c.worker_cnic, c.lang) == (
        "wages", "QA", "family", "Bilal", "3520276543213", lang)
    assert c.created_at == clock.now


@pytest.mark.parametrize("lang", list(WORDS))
def test_anonymous_one_shot_in_each_language(lang, chat, complaints):
    w = WORDS[lang]
    chat.say(f"{w['start']} {w['story']}")
    chat.script([("1", [{"en": "SKIP", "ur-Latn": "SKIP", "ur": "«چھوڑیں»"}[lang]]), (w["skip"], []), (w["skip"], [])])
    assert w["filed"] in chat.say(w["yes"])
    [c] = complaints()
    assert c.anonymous and c.worker_cnic is None and c.verify_hash is None and c.lang == lang


def test_urgent_review_is_promised_in_hours_only_while_the_office_is_open(chat, clock, complaints):
    clock.advance(hours=-5)  # 12:00 in Pakistan, a Wednesday
    chat.script([("complaint my brother is in jail in Dubai since last week", ["worker's name"]),
                 ("skip", ["Urgent"])])
    reply = chat.say("yes")
    assert "staff will review it within 12 hours." in reply and "same day" not in reply
    [c] = complaints()
    assert c.urgent and c.category == "detained"


FROM_FAQ = {  # a question on a harm, the complaint option under its answer, and the next question
    "en": ("the agent took my money and the visa was fake", "1 Complain", "In which country"),
    "ur-Latn": ("mera passport kafeel ne rakh liya hai wapas nahi de raha", "1 Shikayat", "Ye kis mulk mein"),
    "ur": ("میرے کفیل نے میرا پاسپورٹ رکھ لیا ہے اور واپس نہیں دیتا", "1 شکایت", "یہ کس ملک میں"),
}


@pytest.mark.parametrize("lang", list(FROM_FAQ))
def test_from_an_faq_answer_to_a_complaint_in_each_language(lang, chat):
    question, option, next_question = FROM_FAQ[lang]
    assert option in chat.say(question)
    assert next_question in chat.say("1")  # the category and the worker's words come with it
    draft = chat.state()["complaint_draft"]
    assert draft["category"] in ("fake_agent", "documents_held") and draft["story"] == [question]
