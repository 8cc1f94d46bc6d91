"""Small talk, intents and out-of-scope messages through the engine and the trained matcher, in English, Roman
Urdu and Urdu script: a short reply or the right flow, never "no answer yet", never a question for staff."""

from __future__ import annotations

import pytest

from helpline.engine.events import DangerReported, LanguageChanged, Unanswered
from tests.harness import Dialog, nothing_on_record

SMALL_TALK = [
    ("thanks a lot for the help", "thanks"), ("bohat shukriya bhai", "thanks"), ("بہت شکریہ", "thanks"),
    ("ok bye", "smalltalk.goodbye"), ("acha allah hafiz", "smalltalk.goodbye"), ("اللہ حافظ", "smalltalk.goodbye"),
    ("are you a robot?", "smalltalk.bot"), ("kya aap insaan ho ya machine", "smalltalk.bot"),
    ("کیا آپ کمپیوٹر ہیں", "smalltalk.bot"),
    ("is anyone there?", "smalltalk.anyone"), ("koi hai?? jawab do", "smalltalk.anyone"),
    ("کوئی ہے؟", "smalltalk.anyone"),
]


@pytest.mark.parametrize(("said", "key"), SMALL_TALK)
def test_small_talk_gets_a_short_reply_and_is_not_a_question_for_staff(core, said, key):
    dialog = Dialog(core, state={"turns": 2})
    dialog.say(said)
    assert dialog.keys == [key]
    assert not any(isinstance(e, Unanswered) for e in dialog.events)


INTENTS = [
    ("I want to register a complaint against my company", "complaint"),
    ("shikayat darj krni hai", "complaint"),
    ("میں اپنی کمپنی کے خلاف شکایت کرنا چاہتا ہوں", "complaint"),
    ("any update on my complaint?", "tracking"),
    ("meri shikayat ka kya bana", "tracking"),
    ("میری شکایت پر کیا کارروائی ہوئی", "tracking"),
    ("please check my passport status", "status_lookup"),
    ("mera passport kahan tak pohncha check karo", "status_lookup"),
    ("میرا پاسپورٹ کہاں تک پہنچا", "status_lookup"),
]


@pytest.mark.parametrize(("said", "flow"), INTENTS)
def test_what_the_worker_wants_to_do_starts_that_flow(core, said, flow):
    dialog = Dialog(core, state={"turns": 2}, answers=nothing_on_record())
    dialog.say(said)
    assert dialog.state.get("flow") == flow, dialog.keys
    assert not dialog.answered  # not an FAQ about how to do it


DANGER = ["my kafeel beats me and I am locked in a room", "mujhe kamre mein band kar diya hai, maar rahe hain",
          "مجھے مار رہے ہیں، کمرے میں بند کر دیا ہے"]


@pytest.mark.parametrize("said", DANGER)
def test_danger_is_heard_anywhere_and_a_person_is_asked_for(core, said):
    dialog = Dialog(core, state={"turns": 2}, answers=nothing_on_record())
    dialog.say("passport status")  # in the middle of another flow
    dialog.say(said)
    assert dialog.keys[0] == "faq.urgent"
    assert any(isinstance(e, DangerReported) for e in dialog.events)  # its handler queues them, urgent


OUT_OF_SCOPE = ["my phone screen protector is broken, where to buy a new one", "mera whatsapp status kaise lagaun",
                "کل لاہور میں موسم کیسا ہوگا"]


@pytest.mark.parametrize("said", OUT_OF_SCOPE)
def test_out_of_scope_is_declined_honestly(core, said):
    dialog = Dialog(core, state={"turns": 2})
    dialog.say(said)
    assert dialog.keys == ["faq.out_of_scope"]
    assert not any(isinstance(e, Unanswered) for e in dialog.events)


def test_an_answer_about_filing_a_complaint_offers_the_complaint_first(core):
    dialog = Dialog(core, state={"turns": 2})
    dialog.say("how do I file a complaint about my agent")
    if dialog.state.get("flow") != "complaint":  # answered as a question: the complaint itself is the first choice
        assert dialog.answered == ["complaint_file"] and dialog.menu[0] == "complaint"


def test_a_greeting_with_a_question_gets_the_answer(core):
    dialog = Dialog(core, state={"turns": 2})
    dialog.say("assalam o alaikum bhai, protector kya hota hai aur kaise banta hai")
    assert dialog.answered == ["protector_registration"]


@pytest.mark.parametrize("lang", ["ur", "ur-Latn"])
def test_a_short_latin_message_does_not_switch_an_urdu_writer_to_english(core, lang):
    dialog = Dialog(core, state={"turns": 3, "lang": lang})
    for said in ("ok", "thanks", "status plz"):
        dialog.say(said)
        assert dialog.lang == lang, said
        assert not any(isinstance(e, LanguageChanged) for e in dialog.events)
