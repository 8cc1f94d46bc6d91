"""Choices on SMS (issue 13, points 3 and 6): the first welcome shows its options on the page that asks, short
SMS labels typed back are understood, MORE with nothing waiting says so (and is no question for staff), and the
engine's help word gets the short SMS help."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpline.engine.core import Turn
from helpline.messages import InboundMessage, Text
from helpline.sms import count_segments
from helpline.storage.models import UnansweredQuestion
from tests.conftest import FIXED_NOW
from tests.sms.test_sms_rules import MORE_HINTS, _more_offered

MAIN_MENU_LABELS = {"en": ("Question", "Complaint"), "ur-Latn": ("Sawal", "Shikayat"), "ur": ("سوال", "شکایت")}


def _unanswered(app) -> int:
    with app.extensions["helpline"].sessions() as s:
        return s.scalar(select(func.count()).select_from(UnansweredQuestion))


@pytest.mark.parametrize(("greeting", "lang"), [("السلام علیکم", "ur"), ("aoa bhai", "ur-Latn"), ("hello", "en")])
def test_the_first_welcome_shows_every_option_on_its_one_page(sms, greeting, lang):
    reply = sms.send(greeting)
    assert not any(hint in reply for hint in MORE_HINTS) and count_segments(reply).segments <= 2
    lines = reply.splitlines()
    assert [line.split(" ", 1)[0] for line in lines[-6:]] == ["1", "2", "3", "4", "5", "6"], reply


def test_the_urdu_welcome_is_short_on_sms_and_its_short_labels_shown(sms):
    reply = sms.send("السلام علیکم")
    assert "1 سوال" in reply.splitlines() and "2 شکایت" in reply.splitlines()


@pytest.mark.parametrize("more", ["MORE", "aur", "مزید"])
def test_more_with_nothing_waiting_says_so_and_is_not_an_unanswered_question(sms, app, more):
    sms.send("hello")
    reply = sms.send(more)
    assert "MENU" in reply and count_segments(reply).segments == 1
    assert _unanswered(app) == 0
    assert "tracking number" in sms.send("3")  # the menu shown before MORE still answers its numbers


def test_more_after_the_last_page_says_there_is_no_more(sms, app):
    sms.send("protector kya hota hai")
    first = sms.send("1")  # the answer in full: more than one page
    pages = [first]
    while _more_offered(pages[-1]):
        pages.append(sms.send("more"))
        assert len(pages) < 10
    done = sms.send("more")
    assert done not in pages and "MENU" in done and count_segments(done).segments == 1
    assert _unanswered(app) == 0


@pytest.mark.parametrize(("word", "lang"), [("help me", "en"), ("madad", "ur-Latn"), ("مدد", "ur")])
def test_the_help_word_gets_the_short_sms_help_with_the_menu(sms, core, word, lang):
    sms.send({"en": "hello", "ur-Latn": "aoa bhai", "ur": "السلام علیکم"}[lang])
    reply = sms.send(word)
    assert reply.startswith(core.i18n.render(Text("help.text.sms"), lang)[:20]), reply
    assert count_segments(reply).segments == (1 if lang != "ur" else 2)
    assert not any(hint in reply for hint in MORE_HINTS)


def _choice(core, lang: str, text: str, shown: list[list]) -> str | None:
    turn = Turn({"lang": lang, "turns": 3, "menu": shown}, InboundMessage("sms", "tel:+923000000000", text),
                core.context(FIXED_NOW))
    return turn.choice


@pytest.mark.parametrize("lang", ["en", "ur-Latn", "ur"])
def test_a_short_sms_label_typed_back_is_the_choice_and_so_are_the_long_label_and_the_number(core, lang):
    shown = [["faq", "menu.faq", {}], ["complaint", "menu.complaint", {}], ["status_lookup", "status_lookup.menu", {}]]
    short_faq, short_complaint = MAIN_MENU_LABELS[lang]
    assert core.i18n.render(core.i18n.variant(Text("menu.complaint"), "sms", lang), lang) == short_complaint
    assert _choice(core, lang, short_complaint, shown) == "complaint"
    assert _choice(core, lang, f"1 {short_faq}", shown) == "faq"
    assert _choice(core, lang, core.i18n.render(Text("menu.complaint"), lang), shown) == "complaint"
    assert _choice(core, lang, "3", shown) == "status_lookup"


def test_sms_variants_are_only_for_sms_and_only_from_the_language_s_own_catalog(core):
    i18n = core.i18n
    assert i18n.variant(Text("welcome"), "sms", "ur").key == "welcome.sms"
    assert i18n.variant(Text("welcome"), "telegram", "ur").key == "welcome"
    assert i18n.variant(Text("welcome"), None, "ur").key == "welcome"
    assert i18n.variant(Text("kb:unpaid_wages:title"), "sms", "ur").key == "kb:unpaid_wages:title"
    only_urdu = next(k for k in i18n.catalogs["ur"] if k.endswith(".sms") and k not in i18n.catalogs["en"])
    assert i18n.variant(Text(only_urdu.removesuffix(".sms")), "sms", "en").key == only_urdu.removesuffix(".sms")


@pytest.mark.parametrize("key", ["sms.no_more", "help.text.sms", "welcome.sms"])
def test_the_new_sms_texts_exist_in_the_three_languages_and_fit_one_sms_in_en_and_roman_urdu(core, key):
    for lang in ("en", "ur-Latn", "ur"):
        assert key in core.i18n.catalogs[lang], (key, lang)
        text = core.i18n.catalogs[lang][key]
        info = count_segments(text)
        assert info.segments == 1 and (info.encoding == "GSM-7") == (lang != "ur"), (lang, text)
