"""Dialog transcripts through the pure engine, in English, Urdu script and Roman Urdu."""

from __future__ import annotations

from helpline.engine.events import LanguageChanged, Unanswered
from tests.dialog import Dialog, transcript


def test_english_first_contact_menu_and_answer(core):
    transcript(core, [
        ("hello", ["Welcome to the migrant workers helpline", "1 Ask a question", "Language"]),
        ("1", ["type your question"]),
        ("my agent took money but never gave me the visa", ["@fake_agents_fake_visas", "Source:"]),
        ("MENU", ["Main menu:", "1 Ask a question"]),
    ])


def test_roman_urdu_greeting_and_question(core):
    dialog = transcript(core, [
        ("salam", ["khush aamdeed", "1 Sawal poochein"]),
        ("hundi khatarnak hai kya", ["@hundi_hawala_risks", "Source:"]),
    ])
    assert dialog.lang == "ur-Latn"


def test_urdu_script_question_is_answered_in_urdu(core):
    dialog = transcript(core, [
        ("السلام علیکم", ["خوش آمدید", "سوال پوچھیں"]),
        ("مجھے شکایت درج کروانی ہے", ["@complaint_file", "ماخذ:"]),
    ])
    assert dialog.lang == "ur"


def test_language_is_detected_per_message_and_switches_back(core):
    dialog = Dialog(core)
    dialog.say("hello")
    assert dialog.lang == "en"
    dialog.say("mujhe complaint karni hai agent ke khilaf")
    assert dialog.lang == "ur-Latn"
    assert any(isinstance(e, LanguageChanged) and not e.explicit for e in dialog.events)
    dialog.say("ok")  # no evidence: keep the language in use
    assert dialog.lang == "ur-Latn"


def test_language_menu_in_all_three_languages(core):
    for word in ("language", "zaban", "زبان"):
        dialog = Dialog(core)
        reply = dialog.say(word)
        assert "English" in reply and "اردو" in reply and "Roman Urdu" in reply
    dialog = Dialog(core)
    dialog.say("language")
    reply = dialog.say("2")
    assert dialog.lang == "ur" and "اردو" in reply
    assert any(isinstance(e, LanguageChanged) and e.explicit for e in dialog.events)


def test_saying_a_language_name_switches(core):
    dialog = Dialog(core)
    assert "Roman Urdu" in dialog.say("roman urdu")
    assert dialog.lang == "ur-Latn"
    dialog.say("english")
    assert dialog.lang == "en"


def test_global_words_work_inside_a_flow(core):
    dialog = Dialog(core)
    dialog.say("hello")
    dialog.say("1")  # ask a question
    assert dialog.state["flow"] == "faq"
    assert "Main menu:" in dialog.say("0")
    assert "flow" not in dialog.state
    dialog.say("1")
    assert "BACK" in dialog.say("help")
    back = dialog.say("back")
    assert "Main menu" in back


def test_back_returns_to_the_previous_flow(core):
    dialog = Dialog(core)
    dialog.say("hello")
    dialog.say("1")  # FAQ: ask
    dialog.say("language")  # language menu on top of the FAQ
    assert dialog.state["flow"] == "language"
    reply = dialog.say("wapas")
    assert dialog.state["flow"] == "faq"
    assert "question" in reply.lower() or "sawal" in reply.lower()


def test_unknown_question_is_honest_and_recorded(core):
    dialog = Dialog(core)
    reply = dialog.say("who won the football world cup in 1994")
    assert "do not have an answer" in reply
    assert "Ask a question" in reply  # the menu is offered
    assert any(isinstance(e, Unanswered) for e in dialog.events)


def test_close_call_offers_numbered_suggestions_and_a_number_picks_one(core):
    dialog = Dialog(core)
    dialog.say("hello")
    reply = dialog.say("passport")
    if "Did you mean" in reply:
        reply = dialog.say("1")
        assert dialog.answered, reply
    else:  # confident straight away is also acceptable for this word
        assert dialog.answered or "do not have an answer" in reply


def test_full_answer_on_request(core):
    dialog = Dialog(core)
    reply = dialog.say("hawala hundi ka risk")
    assert dialog.answered == ["hundi_hawala_risks"]
    assert "1 Tafseel" in reply
    full = dialog.say("1")
    assert full.startswith(core.kb.answer("hundi_hawala_risks", "ur-Latn", long=True)) and not dialog.answered


def test_sms_gets_the_one_sms_answer_and_the_long_one_on_request(core):
    topic = "fake_agents_fake_visas"
    dialog = Dialog(core, channel="sms")
    reply = dialog.say("my agent took money but never gave me the visa")
    assert dialog.answered == [topic]
    assert reply.startswith(core.kb.answer(topic, "en", sms=True))
    assert core.kb.text(topic, "short", "en") not in reply
    assert "1 Details" in reply
    full = dialog.say("1")
    assert full.startswith(core.kb.answer(topic, "en", long=True))
    assert "1 New question" in full and "Details" not in full  # no second "more" on the long answer


def test_chat_and_telegram_get_the_usual_short_answer(core):
    topic = "fake_agents_fake_visas"
    for channel in ("telegram", "chat"):
        dialog = Dialog(core, channel=channel)
        reply = dialog.say("my agent took money but never gave me the visa")
        assert dialog.answered == [topic], channel
        assert reply.startswith(core.kb.answer(topic, "en")), channel
        assert core.kb.text(topic, "sms", "en") not in reply, channel


def test_an_urgent_topic_on_sms_keeps_the_danger_line(core):
    dialog = Dialog(core, channel="sms")
    reply = dialog.say("mera bhai 3 mahine se lapata hai, koi rabta nahi")
    assert dialog.answered == ["missing_worker"], reply
    assert reply.startswith(core.kb.answer("missing_worker", "ur-Latn", sms=True))
    assert "Jaan ko khatra" in reply and "<Pakistani mission" in reply


def test_buttons_choose_like_typed_numbers(core):
    dialog = Dialog(core, channel="telegram")
    dialog.say("hello")
    reply = dialog.say(choice="language")
    assert "Choose your language" in reply
    dialog.say(choice="lang:ur-Latn")
    assert dialog.lang == "ur-Latn"


def test_a_button_from_an_old_menu_is_not_trusted(core):
    dialog = Dialog(core, channel="telegram")
    dialog.say("hello")
    reply = dialog.say(choice="lang:ur")  # not on the menu shown
    assert dialog.lang == "en"
    assert "one of the numbers shown" in reply and "Ask a question" in reply
    assert not any(isinstance(e, Unanswered) for e in dialog.events)


def test_empty_message_gets_a_polite_reply(core):
    assert "could not read" in Dialog(core).say("   ")


def test_thanks_is_small_talk_not_a_question(core):
    dialog = Dialog(core)
    assert "welcome" in dialog.say("thank you so much").lower()
    assert not any(isinstance(e, Unanswered) for e in dialog.events)


def test_state_is_plain_json(core):
    import json

    dialog = Dialog(core)
    for line in ("salam", "1", "tankhwah nahi mili", "language", "3", "back"):
        dialog.say(line)
        assert json.loads(json.dumps(dialog.state)) == dialog.state


def test_global_words_match_as_workers_type_them(core):
    """Word lists are compared in normalised form: do-chashmi heh, slash commands and case all work."""
    dialog = Dialog(core)
    dialog.say("hello")
    dialog.say("1")
    dialog.say("language")
    dialog.say("پیچھے")  # typed with do-chashmi heh (ھ), which normalisation folds
    assert dialog.state["flow"] == "faq"
    assert "Main menu:" in Dialog(core, state={"turns": 3}).say("menu")
    assert "Welcome to the migrant workers helpline" in Dialog(core, state={"turns": 3}).say("/start")  # Telegram
    assert "BACK" in Dialog(core).say("/HELP")
