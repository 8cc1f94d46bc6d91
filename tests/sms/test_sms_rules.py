"""SMS rules: opt-out keywords as Twilio matches them, YES only for an opted-out contact, HELP once, MORE paging."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpline.sms import count_segments
from helpline.storage.models import Contact, Conversation, Message
from tests.harness import Sms, new_sid
from webhooks.twilio.keywords import is_more, keyword


@pytest.mark.parametrize(("text", "kind"), [
    ("STOP", "stop"), (" stop ", "stop"), ("Cancel", "stop"), ("end", "stop"), ("QUIT", "stop"), ("stopall", "stop"),
    ("Unsubscribe", "stop"), ("revoke", "stop"), ("optout", "stop"), ("START", "start"), ("unstop", "start"),
    ("yes", "yes"), ("HELP", "help"), ("info", "help"), ("stop please", None), ("please stop", None),
    ("the end", None), ("helpline", None), ("", None),
])
def test_keywords_match_the_whole_trimmed_message_in_any_case(text, kind):
    assert keyword(text) == kind


@pytest.mark.parametrize("text", ["MORE", "more", "More.", " aur ", "Mazeed", "مزید", "اور"])
def test_more_words(text):
    assert is_more(text)
    assert not is_more("more info please")


def _contact(app) -> Contact:
    with app.extensions["helpline"].sessions() as s:
        return s.scalars(select(Contact)).one()


def test_stop_opts_out_and_nothing_more_is_answered(sms, app):
    assert "START" in sms.send("STOP")
    assert _contact(app).opted_out
    assert sms.send("protector kya hota hai") == ""  # logged, never answered
    with app.extensions["helpline"].sessions() as s:
        assert s.scalars(select(Message.text).where(Message.direction == "in")).all()[-1] == "protector kya hota hai"
    assert "welcome back" in sms.send("start").lower()
    assert not _contact(app).opted_out


def test_yes_opts_in_only_an_opted_out_contact(sms, app):
    sms.send("salam")
    ordinary = sms.send("YES")  # an ordinary answer for the engine: no opt-in text
    assert "dobara" not in ordinary.lower() and "welcome back" not in ordinary.lower()
    sms.send("Cancel")
    assert _contact(app).opted_out
    sms.send("yes")
    assert not _contact(app).opted_out


def test_help_gets_one_short_help_not_the_engine_help_too(sms):
    reply = sms.send("HELP")
    assert reply.count("MENU") == 1 and "BACK" not in reply  # not help.text + menu from the engine
    assert count_segments(reply).segments == 1


def test_when_twilio_answers_keywords_we_record_consent_silently(sms_settings, core, engine):
    from webhooks.app import create_app

    app = create_app(sms_settings.model_copy(update={"twilio_handles_opt_out": True}), core=core, engine=engine)
    sms = Sms(app.test_client())
    assert sms.send("STOP") == "" and _contact(app).opted_out
    assert sms.send("HELP") == ""
    assert sms.send("UNSTOP") == "" and not _contact(app).opted_out
    assert sms.send("HELP") == ""  # Twilio sent its HELP answer: no double reply
    assert sms.send("salam") != ""


MORE_HINTS = ("MORE", "MAZEED", "«مزید»")  # the paging hint's keyword: English, Roman Urdu, Urdu script


def _more_offered(page: str) -> bool:
    """Whether a page ends with the hint to send MORE (in the reply's language)."""
    return any(hint in page.splitlines()[-1] for hint in MORE_HINTS)


def _full_answer(sms) -> str:
    """The full protector answer (menu item 1 after the short one): longer than two SMS."""
    sms.send("protector kya hota hai")
    return sms.send("1")


def test_long_replies_are_paged_within_the_budget_and_more_gives_the_rest(sms, app):
    sms.send("salam")
    pages = [_full_answer(sms)]
    while _more_offered(pages[-1]):
        pages.append(sms.send("more" if len(pages) % 2 else "Aur"))
        assert len(pages) < 10
    assert len(pages) >= 2
    assert all(count_segments(p).segments <= 2 for p in pages)
    assert all(count_segments(p).encoding == "GSM-7" for p in pages)
    with app.extensions["helpline"].sessions() as s:
        state = s.get(Conversation, _contact(app).id).state
        assert "sms_pages" not in state
        logged = s.scalars(select(Message.text).where(Message.direction == "out").order_by(Message.id)).all()
    assert logged[-len(pages):] == pages  # the log holds exactly what was sent
    assert "MENU" in sms.send("more")  # nothing left: says so (tests/sms/test_sms_choices.py), never the engine


def test_a_new_question_replaces_unread_pages(sms, app):
    first = _full_answer(sms)
    assert _more_offered(first)
    sms.send("salam")
    with app.extensions["helpline"].sessions() as s:
        assert "sms_pages" not in s.get(Conversation, _contact(app).id).state


def test_urdu_pages_are_ucs2_within_budget(sms):
    reply = sms.send("پروٹیکٹر کیا ہے؟")
    info = count_segments(reply)
    assert info.encoding == "UCS-2" and info.segments <= 2


def test_english_replies_are_gsm7_even_with_typographic_input(sms):
    reply = sms.send("what’s a protector “stamp”?")
    assert count_segments(reply).encoding == "GSM-7"


def test_a_redelivered_more_is_answered_with_the_same_page(sms):
    _full_answer(sms)
    form = sms.form("MORE", sid=new_sid())
    first = sms.post(form).get_data(as_text=True)
    assert sms.post(form).get_data(as_text=True) == first
