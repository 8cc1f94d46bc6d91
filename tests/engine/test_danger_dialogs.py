"""Danger in every state, through the engine, in English, Urdu script and Roman Urdu: at first contact, in another
flow, while waiting for a person, while a staff member holds the conversation (the only time the bot speaks
then), inside the complaint intake (which goes on and keeps the words); and, while waiting, "your message is with
the team" instead of guesses."""

from __future__ import annotations

from typing import Any

import pytest

from helpline.engine import Facts
from helpline.engine.events import ComplaintConfirmed, DangerReported, HandoffMessage, Unanswered
from tests.harness import Dialog, nothing_on_record

WAITING = Facts(handoff="waiting", handoff_id=1)
HELD = Facts(handoff="held", handoff_id=1)

# (language, danger message, a message the FAQ cannot answer outright, "is anyone there?")
LANGS = [
    ("en", "my kafeel beats me, I am locked in a room", "my sponsor said something strange about the camp rules",
     "is anyone there?"),
    ("ur-Latn", "kafeel ne mara hai, mujhe band kamre mein rakha hai", "camp ke boss ne ajeeb baat ki hai aaj",
     "koi hai?? jawab do"),
    ("ur", "کفیل مجھے مارتا ہے، کمرے میں بند ہوں", "کیمپ کے باس نے آج عجیب بات کی ہے", "کوئی ہے؟"),
]
GUESSES = {"faq.suggest", "faq.none", "faq.out_of_scope", "menu.prompt", "smalltalk.anyone", "choice.invalid"}


def dialog(core: Any, facts: Facts | None = None, **state: Any) -> Dialog:
    return Dialog(core, state={"turns": 2, **state}, answers=nothing_on_record(), facts=facts)


def danger_events(d: Dialog) -> list[DangerReported]:
    return [e for e in d.events if isinstance(e, DangerReported)]


@pytest.mark.parametrize(("lang", "said", "_other", "_anyone"), LANGS)
def test_danger_at_first_contact(core, lang, said, _other, _anyone):
    d = Dialog(core, answers=nothing_on_record())
    d.say(said)
    assert d.keys[0] == "faq.urgent" and "handoff.urgent" in d.keys
    assert d.lang == lang
    [reported] = danger_events(d)
    assert reported.reason and reported.lang == lang and reported.text == said


@pytest.mark.parametrize(("lang", "said", "_other", "_anyone"), LANGS)
def test_danger_while_waiting_is_the_route_and_the_top_of_the_queue(core, lang, said, _other, _anyone):
    d = dialog(core, WAITING, lang=lang)
    d.say(said)
    assert d.keys[0] == "faq.urgent"
    [route] = [p for r in d.replies for p in r.parts if p.key == "faq.urgent"]
    assert route.params["contacts"] == core.kb.fill("{mission_contacts}", lang)
    assert not GUESSES & set(d.keys)
    assert danger_events(d) and any(isinstance(e, HandoffMessage) for e in d.events)


@pytest.mark.parametrize(("lang", "said", "_other", "_anyone"), LANGS)
def test_danger_while_held_is_the_only_time_the_bot_speaks(core, lang, said, _other, _anyone):
    d = dialog(core, HELD, lang=lang)
    d.say("hello, are you there")
    assert d.replies == [] and any(isinstance(e, HandoffMessage) for e in d.events)  # quiet, but unread for staff
    d.say(said)
    assert d.keys == ["faq.urgent"] and d.menu == []  # the route only: a person is talking
    assert d.lang == lang
    assert danger_events(d)[0].reason


def test_danger_when_the_hold_has_lapsed_queues_afresh(core):
    from helpline.engine.events import HandoffLapsed

    d = dialog(core, Facts(handoff="held", handoff_lapsed=True, handoff_id=1))
    d.say("my kafeel beats me")
    assert "faq.urgent" in d.keys and "handoff.urgent" in d.keys
    kinds = [type(e) for e in d.events]
    assert kinds.index(HandoffLapsed) < kinds.index(DangerReported)  # the old hold ends first
    assert HandoffMessage not in kinds


@pytest.mark.parametrize(("lang", "_said", "other", "anyone"), LANGS)
def test_while_waiting_the_bot_never_guesses(core, lang, _said, other, anyone):
    for text in (other, anyone, "what is the weather in Lahore tomorrow"):
        d = dialog(core, WAITING, lang=lang)
        d.say(text)
        assert d.keys == ["handoff.with_team"], (text, d.keys)
        assert not any(isinstance(e, Unanswered) for e in d.events)
        assert any(isinstance(e, HandoffMessage) for e in d.events)


def test_while_waiting_a_confident_answer_menus_and_global_words_still_work(core):
    d = dialog(core, WAITING)
    d.say("what is protector")
    assert d.answered == ["protector_registration"]
    d.say("MENU")
    assert d.keys == ["menu.title"] and "faq" in d.menu
    d.say("1")
    assert d.keys == ["faq.ask"]
    d.say("BACK")
    assert d.replies
    d.say("HELP")
    assert "help.text" in d.keys
    d.say("urdu")
    assert d.lang == "ur" and "lang.set" in d.keys
    d.say("agent")
    assert d.keys[0] == "handoff.already"


STORIES = [("en", "I want to file a complaint", "my kafeel beats me and locked me in a room", "Saudi Arabia"),
           ("ur-Latn", "shikayat karni hai", "kafeel ne mara, band kamre mein hun", "Riyadh"),
           ("ur", "مجھے شکایت درج کرنی ہے", "کفیل مجھے مارتا ہے، کمرے میں بند ہوں", "سعودی عرب")]


def file_rest(d: Dialog, country: str) -> ComplaintConfirmed:
    """Answer whatever the intake asks (first choice, the country, SKIP for identity) until it is filed."""
    for _ in range(12):
        filed = [e for e in d.events if isinstance(e, ComplaintConfirmed)]
        if filed:
            return filed[0]
        step = d.state.get("step")
        if step == "country":
            d.say(country)
        elif step == "identity":
            d.say("SKIP")
        elif d.menu:
            d.step(choice=d.menu[0])
        else:
            d.say("SKIP")
    raise AssertionError(f"the intake did not finish: {d.state.get('step')} {d.keys}")


@pytest.mark.parametrize(("lang", "opening", "story", "country"), STORIES)
def test_danger_inside_the_complaint_intake_keeps_the_intake_and_the_words(core, lang, opening, story, country):
    d = dialog(core)
    d.say(opening)
    assert d.state.get("flow") == "complaint"
    d.say(story)
    assert d.keys[0] == "faq.urgent"  # the route first ...
    assert d.state.get("flow") == "complaint" and len(d.keys) > 1  # ... and the intake goes on
    assert danger_events(d)
    filed = file_rest(d, country)
    assert story in filed.description  # the worker's words are the story
    assert filed.urgent and filed.urgent_reason
    assert filed.lang == lang


def test_danger_that_opens_a_complaint_starts_the_intake(core):
    d = dialog(core)
    d.say("Complaint: my boss beat me at the camp")
    assert d.keys[0] == "faq.urgent" and d.state.get("flow") == "complaint"
    assert danger_events(d)


def test_menu_choices_are_not_read_for_danger(core):
    d = dialog(core, menu=[["faq", "menu.faq", {}]])
    d.step(choice="faq")
    assert not danger_events(d)
