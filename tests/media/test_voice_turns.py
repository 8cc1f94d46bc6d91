"""The engine's side of a voice note (pure): alone, outside a form, it asks a person to listen; inside the
complaint intake it is kept with the complaint; a photo alone is not a request for a person."""

from __future__ import annotations

from helpline.engine import Facts
from helpline.engine.events import HandoffRequested
from helpline.messages import Attachment
from tests.harness import EngineDriver, nothing_on_record

VOICE = Attachment("media", "https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM1/Media/ME1", "audio/ogg")
TELEGRAM_VOICE = Attachment("voice", "AwACAgQAAxkBAAIBL2dE-voice", "audio/ogg")
PHOTO = Attachment("media", "https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM1/Media/ME2", "image/jpeg")


def test_a_voice_note_first_asks_a_person_in_the_conversations_language(core):
    for lang, attachment in (("en", VOICE), ("ur", TELEGRAM_VOICE), ("ur-Latn", VOICE)):
        talk = EngineDriver(core, state={"lang": lang} if lang != "en" else None)
        events = talk.step(attachments=(attachment,))
        assert [e.lang for e in events if isinstance(e, HandoffRequested)] == [lang]
        assert talk.keys == ["media.voice_note"] and "handoff" in talk.menu
        assert talk.lang == lang


def test_while_waiting_a_voice_note_is_acknowledged_without_queueing_again(core):
    talk = EngineDriver(core, facts=Facts(handoff="waiting"))
    events = talk.step(attachments=(VOICE,))
    assert talk.keys == ["media.voice_waiting"] and not any(isinstance(e, HandoffRequested) for e in events)


def test_inside_the_complaint_intake_a_voice_note_joins_the_draft(core):
    talk = EngineDriver(core, answers=nothing_on_record())
    talk.say("complaint wages Dubai salary not paid for 4 months")
    events = talk.step(attachments=(VOICE,))
    assert not any(isinstance(e, HandoffRequested) for e in events)
    assert talk.state["flow"] == "complaint"
    assert [a["ref"] for a in talk.state["complaint_draft"]["attachments"]] == [VOICE.ref]


def test_a_photo_alone_or_a_voice_note_with_words_is_no_request_for_a_person(core):
    photo = EngineDriver(core)
    assert not any(isinstance(e, HandoffRequested) for e in photo.step(attachments=(PHOTO,)))
    worded = EngineDriver(core)
    assert not any(isinstance(e, HandoffRequested) for e in worded.step("salam", attachments=(VOICE,)))


def test_on_sms_the_voice_note_reply_and_its_menu_fit_one_page_in_every_language(core):
    from helpline.sms import count_segments
    from webhooks.twilio.render import first_page

    for lang in ("en", "ur", "ur-Latn"):
        for facts in (None, Facts(handoff="waiting")):
            talk = EngineDriver(core, state={"lang": lang}, facts=facts)
            talk.step(attachments=(VOICE,))
            sent, pager = first_page([core.render(r, "sms") for r in talk.replies], 2, core.i18n)
            assert pager is None, (lang, facts)  # nothing waits for MORE
            [body] = [p for r in sent for p in r.paragraphs]  # one SMS: the words, then the numbered menu
            assert "\n6 " in body and count_segments(body).segments <= 2, (lang, body)
