"""Checking an agent, through the pure engine, in English, Urdu script and Roman Urdu, over a small FICTIONAL
list (tests/oep/conftest.py): valid, suspended, not found with a complaint started, a misspelled name, licence
numbers in odd formats, several candidates. Checks are on message keys and menu ids, not wording."""

from __future__ import annotations

import pytest

from helpline.flows.complaint.draft import DRAFT

VALID = ["oep.valid", "oep.valid_until", "oep.address", "oep.valid_warning"]
LANGS = ("en", "ur", "ur-Latn")
# What a worker in each language writes (the agencies' names are invented).
VALID_BY_NAME = {"en": "is Quorava Recruiting Agency licensed?", "ur-Latn": "Quorava agency ka licence valid hai?",
                 "ur": "کیا Quorava ایجنسی لائسنس یافتہ ہے؟"}
SUSPENDED = {"en": "check Kelmora Manpower in Rawalpindi", "ur-Latn": "Kelmora Manpower pindi wala check karo",
             "ur": "کیلمورا مین پاور راولپنڈی چیک کریں"}
UNKNOWN = {"en": "Blorvaxi Overseas", "ur-Latn": "Blorvaxi Overseas wala agent", "ur": "بلورواکسی اوورسیز"}
MISSPELT = {"en": "Quorawa Recruting", "ur-Latn": "quorava recruting agency ka licence", "ur": "Qorava ریکروٹنگ"}
SEVERAL = {"en": "Zarvolan", "ur-Latn": "zarvolan ka licence", "ur": "زرولان"}


def start(worker, lang: str, channel: str = "sms"):
    dialog = worker(channel, lang)
    dialog.say("menu" if lang == "en" else {"ur": "مینو", "ur-Latn": "menu"}[lang])
    dialog.say(choice="oep") if False else dialog.step(choice="oep")
    assert dialog.keys == ["oep.ask"] and dialog.state["flow"] == "oep"
    return dialog


@pytest.mark.parametrize("lang", LANGS)
def test_the_menu_offers_the_check_and_it_asks_for_a_name_or_number(worker, lang):
    dialog = worker("sms", lang)
    dialog.say({"en": "menu", "ur": "مینو", "ur-Latn": "menu"}[lang])
    assert "oep" in dialog.menu
    dialog.step(choice="oep")
    assert dialog.keys == ["oep.ask"] and dialog.menu == ["menu.main"]


@pytest.mark.parametrize("lang", LANGS)
def test_valid_licence_shows_number_city_address_and_the_warning(worker, lang):
    dialog = start(worker, lang)
    reply = dialog.say(VALID_BY_NAME[lang])
    assert dialog.keys == VALID and dialog.menu == ["oep:again", "menu.main"]
    assert "2290/MLN" in reply and "(fictional)" in reply
    assert {"en": "20 Nov 2026", "ur-Latn": "20 Nov 2026", "ur": "20 نومبر 2026"}[lang] in reply  # the list's date
    assert "safe" not in reply.casefold() and "محفوظ" not in reply
    assert dialog.lang == lang


@pytest.mark.parametrize("lang", LANGS)
def test_suspended_licence_warns_not_to_pay_and_offers_a_complaint(worker, lang):
    dialog = start(worker, lang)
    reply = dialog.say(SUSPENDED[lang])
    if lang == "ur":  # a name in Urdu script is matched by sound: offered to confirm, never taken for granted
        assert dialog.keys == ["oep.candidate_one"] and dialog.menu == ["oep:c0", "oep:none", "menu.main"]
        reply = dialog.say("1")
    assert dialog.keys == ["oep.suspended", "oep.do_not_pay"], reply
    assert dialog.menu[0] == "complaint" and "3307/RWP" in reply
    dialog.say("1")
    draft = dialog.state[DRAFT]
    assert dialog.state["flow"] == "complaint"
    assert draft["category"] == "fake_agent" and draft["agent"] == "Kelmora Manpower Services (Pvt) Ltd"


@pytest.mark.parametrize("lang", LANGS)
def test_not_found_warns_and_the_complaint_starts_with_the_name_given(worker, lang):
    dialog = start(worker, lang)
    reply = dialog.say(UNKNOWN[lang])
    assert dialog.keys == ["oep.not_found", "oep.not_found_advice"], reply
    assert "www.beoe.gov.pk/list-of-oeps" in reply
    assert dialog.menu == ["complaint", "oep:again", "menu.main"]
    dialog.say("1")
    draft = dialog.state[DRAFT]
    assert draft["category"] == "fake_agent"
    assert draft["agent"] == {"en": "Blorvaxi Overseas", "ur-Latn": "Blorvaxi Overseas",
                              "ur": "بلورواکسی اوورسیز"}[lang]
    assert dialog.keys == ["complaint.ask.story"]  # what happened is asked next; the agent is not asked again


@pytest.mark.parametrize("lang", LANGS)
def test_a_misspelled_name_still_finds_the_agency(worker, lang):
    dialog = start(worker, lang)
    reply = dialog.say(MISSPELT[lang])
    if dialog.keys in (["oep.candidates"], ["oep.candidate_one"]):  # offered first among close names: the worker picks it
        assert "Quorava" in reply.split("\n")[2]
        reply = dialog.say("1")
    assert dialog.keys == VALID and "2290/MLN" in reply


@pytest.mark.parametrize("text", ["OEP 3307/RWP", "3307-RWP", "3307 rwp", "licence no. 3307 / Rwp", "RWP-3307",
                                  "۳۳۰۷/RWP", "lic # 03307/rwp", "OEP licence 3307"])
@pytest.mark.parametrize("lang", LANGS)
def test_licence_numbers_in_odd_formats(worker, lang, text):
    dialog = start(worker, lang)
    reply = dialog.say(text)
    assert dialog.keys == ["oep.suspended", "oep.do_not_pay"] and "3307/RWP" in reply


def test_a_licence_number_with_a_licence_word_is_checked_from_anywhere(worker):
    dialog = worker("sms", "ur-Latn")
    dialog.say("agency ka license no 4410/ISB hai, chal raha hai ya nahi?")
    assert dialog.keys == ["oep.cancelled", "oep.do_not_pay"]


def test_a_mistyped_city_code_offers_the_number_elsewhere_never_asserts_it(worker):
    dialog = start(worker, "en")
    dialog.say("1201/KHI")
    assert dialog.keys == ["oep.candidate_one"] and dialog.menu == ["oep:c0", "oep:none", "menu.main"]


@pytest.mark.parametrize("lang", LANGS)
def test_several_candidates_are_a_short_numbered_list(worker, lang):
    dialog = start(worker, lang)
    reply = dialog.say(SEVERAL[lang])
    assert dialog.keys == ["oep.candidates"]
    assert dialog.menu == ["oep:c0", "oep:c1", "oep:none", "menu.main"]
    assert "1201/LHR" in reply and "1202/KHI" in reply
    reply = dialog.say("2")
    assert dialog.keys == VALID and "1202/KHI" in reply


def test_none_of_these_is_not_found_with_the_complaint(worker):
    dialog = start(worker, "en")
    dialog.say("Zarvolan")
    dialog.say("3")
    assert dialog.keys == ["oep.not_found", "oep.not_found_advice"] and dialog.menu[0] == "complaint"


def test_a_city_narrows_the_names(worker):
    dialog = start(worker, "en")
    reply = dialog.say("Zarvolan Karachi")
    assert dialog.keys == VALID and "1202/KHI" in reply


def test_another_check_and_the_faq_answer_offers_the_check(worker, core):
    dialog = start(worker, "en")
    dialog.say("Quorava")
    dialog.say("1")  # check another agent
    assert dialog.keys == ["oep.ask"]
    from helpline.wiring import OEP

    assert OEP.offered_after("oep_licence_check") and OEP.offered_after("fake_agents_fake_visas")
    assert OEP.offered_after("recruitment_fees") and not OEP.offered_after("unpaid_wages")


def test_without_a_list_the_worker_is_sent_to_the_bureau(core):
    from helpline.engine import events as ev
    from tests.harness import EngineDriver, nothing_on_record

    dialog = EngineDriver(core, state={"turns": 1},
                          answers={**nothing_on_record(), ev.OepLookup: ("unavailable", (), None)})
    dialog.step(choice=None, text="menu")
    dialog.step(choice="oep")
    reply = dialog.say("Quorava")
    assert dialog.keys[0] == "oep.unavailable" and "www.beoe.gov.pk/list-of-oeps" in reply


@pytest.mark.parametrize("text, lang", [
    ("can you check if my agent is licensed", "en"), ("is Vexlomar Overseas a licensed promoter", "en"),
    ("mera agent licensed hai ya nahi check karein", "ur-Latn"), ("Vexlomar agency ka licence valid hai kya", "ur-Latn"),
    ("میرا ایجنٹ لائسنس یافتہ ہے یا نہیں، چیک کر دیں", "ur"),
])
def test_free_text_reaches_the_check_directly_or_through_its_answer(worker, text, lang):
    dialog = worker("sms", lang)
    dialog.say(text)
    started = dialog.state.get("flow") == "oep"
    offered = "oep" in dialog.menu and dialog.answered in (["oep_licence_check"], ["fake_agents_fake_visas"])
    assert started or offered, (dialog.keys, dialog.menu)
