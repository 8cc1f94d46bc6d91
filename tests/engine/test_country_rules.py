"""The worker's own country (issue 14, item 3): transcripts through the pure engine in the three languages.

A worker whose country is known (named in the message, chosen earlier, or the country of a complaint filed or
being drafted) gets that country's rule, which names the country; a worker in a country without its own rule for
the topic gets the general answer, told that it is general; a worker whose country is unknown gets the general
answer and, in its menu, "My country's rule", which asks which country (one extra question, only on request).
Checks are on message keys, parameters and menu ids; where words are checked it is the country's name in the
answer, which is what the issue asks for.
"""

from __future__ import annotations

import pytest

from tests.harness import Dialog, nothing_on_record

DESTINATIONS = ["SA", "AE", "QA", "OM", "KW", "BH", "MY"]
MY_TOPICS = ("passport_confiscation", "end_of_service_dues", "change_employer_sponsor")
# How each destination is named in an answer, per language (the knowledge base's variants name their country).
NAMES = {
    "en": {"SA": "Saudi", "AE": "UAE", "QA": "Qatar", "OM": "Oman", "KW": "Kuwait", "BH": "Bahrain",
           "MY": "Malaysia"},
    "ur-Latn": {"SA": "Saudi", "AE": "UAE", "QA": "Qatar", "OM": "Oman", "KW": "Kuwait", "BH": "Bahrain",
                "MY": "Malaysia"},
    "ur": {"SA": "سعودی", "AE": "امارات", "QA": "قطر", "OM": "عمان", "KW": "کویت", "BH": "بحرین", "MY": "ملائیشیا"},
}


def _answer_country(dialog: Dialog) -> str | None:
    """The country whose rule the last reply's answer was asked for (the ``country`` parameter of kb:...)."""
    [part] = [t for r in dialog.replies for t in r.parts if t.key.startswith("kb:")]
    return part.params.get("country")


def _only_country(text: str, lang: str, code: str) -> None:
    """The text names ``code``'s country and no other destination."""
    names = NAMES[lang]
    assert names[code] in text, text
    others = [n for c, n in names.items() if c != code and n in text]
    assert not others, f"{others} in:\n{text}"


@pytest.mark.parametrize("lang,question", [
    ("en", "my employer took my passport, I work in Riyadh"),
    ("ur-Latn", "kafeel ne passport rakh liya hai, main Jeddah mein hun"),
    ("ur", "ریاض میں کفیل نے پاسپورٹ رکھ لیا ہے"),
])
def test_a_worker_in_saudi_arabia_gets_the_saudi_rule(core, lang, question):
    dialog = Dialog(core, state={"turns": 1, "lang": lang})
    text = dialog.say(question)
    assert dialog.answered == ["passport_confiscation"] and dialog.lang == lang
    assert _answer_country(dialog) == "SA" and dialog.state["country"] == "SA"
    _only_country(text, lang, "SA")
    assert "faq.country" not in dialog.menu  # the country is known: nothing to ask


@pytest.mark.parametrize("lang,question", [
    ("en", "my company in Muscat is keeping my passport"),
    ("ur-Latn", "Muscat mein company ne passport rakh liya hai"),
    ("ur", "مسقط میں کمپنی نے پاسپورٹ رکھ لیا ہے"),
])
def test_a_worker_in_oman_gets_omans_rule_never_another_countrys(core, lang, question):
    dialog = Dialog(core, state={"turns": 1, "lang": lang})
    text = dialog.say(question)
    assert dialog.answered == ["passport_confiscation"]
    assert _answer_country(dialog) == "OM"
    _only_country(text, lang, "OM")


def test_a_worker_in_a_country_without_its_own_rule_is_told_the_answer_is_general(core):
    dialog = Dialog(core, state={"turns": 1})
    text = dialog.say("my employer in Baghdad took my passport")
    assert dialog.answered == ["passport_confiscation"]
    assert dialog.keys[0] == "faq.country.general" and "Iraq" in text
    assert not any(name in text for name in NAMES["en"].values())  # no destination's rule given as if it applied
    assert "faq.country" not in dialog.menu


def test_pakistan_named_in_a_question_is_home_not_the_rule_to_give(core):
    dialog = Dialog(core, state={"turns": 1})
    dialog.say("how can I go to Pakistan, my kafeel took my passport")
    assert dialog.answered == ["passport_confiscation"] and _answer_country(dialog) is None
    assert "faq.country" in dialog.menu


@pytest.mark.parametrize("lang,question,ask", [
    ("en", "my kafeel took my passport", "Which country"),
    ("ur-Latn", "kafeel ne passport rakh liya hai", "kis mulk"),
    ("ur", "کفیل نے پاسپورٹ رکھ لیا ہے", "کس ملک"),
])
def test_unknown_country_general_answer_then_asked_on_request(core, lang, question, ask):
    dialog = Dialog(core, state={"turns": 1, "lang": lang})
    text = dialog.say(question)
    assert dialog.answered == ["passport_confiscation"] and _answer_country(dialog) is None
    assert not any(name in text.split("\n")[0] for name in NAMES[lang].values())  # the general answer
    assert "faq.country" in dialog.menu  # offered, not forced: one extra question only when the worker wants it
    asked = dialog.say(choice="faq.country")
    assert ask in asked and dialog.keys == ["faq.country.ask"]
    assert dialog.menu == [f"c:{c}" for c in DESTINATIONS] + ["c:--", "menu.main"]
    text = dialog.say(choice="c:QA")
    assert dialog.answered == ["passport_confiscation"] and _answer_country(dialog) == "QA"
    _only_country(text, lang, "QA")
    assert dialog.state["country"] == "QA"


def test_the_country_chosen_is_remembered_for_the_next_question(core):
    dialog = Dialog(core, state={"turns": 1})
    dialog.say("my kafeel took my passport")
    dialog.say(choice="faq.country")
    dialog.say(choice="c:KW")
    text = dialog.say("how much gratuity will I get after 6 years")
    assert dialog.answered == ["end_of_service_dues"] and _answer_country(dialog) == "KW"
    _only_country(text, "en", "KW")
    assert "faq.country" not in dialog.menu


def test_pakistan_remembered_from_an_older_conversation_is_home(core):
    dialog = Dialog(core, state={"turns": 5, "country": "PK"})
    dialog.say("my kafeel took my passport")
    assert dialog.answered == ["passport_confiscation"] and dialog.keys == ["kb:passport_confiscation:answer_sms"]
    assert "faq.country" not in dialog.menu


def test_other_or_pakistan_gives_the_general_answer_and_stops_asking(core):
    dialog = Dialog(core, state={"turns": 1, "lang": "ur-Latn"})
    dialog.say("kafeel ne passport rakh liya hai")
    dialog.say(choice="faq.country")
    dialog.say(choice="c:--")
    assert dialog.answered == ["passport_confiscation"] and "faq.country.general" not in dialog.keys
    dialog.say("gratuity nahi di company ne")
    assert dialog.answered == ["end_of_service_dues"] and "faq.country" not in dialog.menu


@pytest.mark.parametrize("lang,reply,code", [
    ("en", "I am in Qatar", "QA"), ("ur-Latn", "Dubai mein hun", "AE"), ("ur", "کویت", "KW"),
])
def test_a_country_typed_right_after_the_general_answer_gives_its_rule(core, lang, reply, code):
    dialog = Dialog(core, state={"turns": 1, "lang": lang})
    dialog.say({"en": "can I change my kafeel", "ur-Latn": "kafeel change krna hai", "ur": "کفیل بدلنا ہے"}[lang])
    assert dialog.answered == ["change_employer_sponsor"] and "faq.country" in dialog.menu
    text = dialog.say(reply)
    assert dialog.answered == ["change_employer_sponsor"] and _answer_country(dialog) == code
    _only_country(text, lang, code)


def test_a_country_typed_after_an_answer_without_country_rules_is_not_a_repeat(core):
    dialog = Dialog(core, state={"turns": 1})
    dialog.say("my company has not paid my salary for 3 months")
    assert dialog.answered == ["unpaid_wages"] and not core.kb.topics["unpaid_wages"].countries
    dialog.say("Qatar")
    assert dialog.answered != ["unpaid_wages"] and dialog.state["country"] == "QA"


def test_a_new_question_naming_a_country_is_answered_as_a_question(core):
    dialog = Dialog(core, state={"turns": 1})
    dialog.say("my kafeel took my passport")
    dialog.say("gratuity in Kuwait")
    assert dialog.answered == ["end_of_service_dues"] and _answer_country(dialog) == "KW"


def test_the_country_of_a_draft_complaint_is_used(core):
    dialog = Dialog(core, state={"turns": 1, "complaint_draft": {"country": "BH", "story": []}})
    text = dialog.say("my employer keeps my passport")
    assert dialog.answered == ["passport_confiscation"] and _answer_country(dialog) == "BH"
    _only_country(text, "en", "BH")


def test_the_country_of_a_filed_complaint_is_remembered(core):
    dialog = Dialog(core, answers=nothing_on_record())
    for text in ("complaint wages Dubai salary not paid for 4 months", "1", "skip", "skip"):
        dialog.say(text)
    assert "We understood" in dialog.say("skip") or dialog.keys  # the summary, whatever was still asked
    while not any(k.startswith("complaint.filed") for k in dialog.keys):
        dialog.say("1")
    assert dialog.state["country"] == "AE" and "complaint_draft" not in dialog.state
    text = dialog.say("my kafeel took my passport")
    assert dialog.answered == ["passport_confiscation"] and _answer_country(dialog) == "AE"
    _only_country(text, "en", "AE")


def test_details_after_a_countrys_rule_stay_with_that_country(core):
    dialog = Dialog(core, state={"turns": 1})
    dialog.say("what is the end of service in Saudi Arabia")
    assert dialog.answered == ["end_of_service_dues"] and "faq.full" in dialog.menu
    text = dialog.say(choice="faq.full")
    assert "kb:end_of_service_dues:answer_long" in dialog.keys and _answer_country(dialog) == "SA"
    assert "HRSD" in text and "Other countries" not in text


@pytest.mark.parametrize("lang", ["en", "ur-Latn", "ur"])
def test_telegram_gets_the_full_short_answer_of_the_country(core, lang):
    dialog = Dialog(core, channel="telegram", state={"turns": 1, "lang": lang, "country": "MY"})
    dialog.say({"en": "can I change my employer", "ur-Latn": "kafeel change krna hai", "ur": "کفیل بدلنا ہے"}[lang])
    assert dialog.keys == ["kb:change_employer_sponsor:answer"] and _answer_country(dialog) == "MY"


# -- the knowledge base -------------------------------------------------------------------------------------


def test_every_variant_names_its_country_and_has_its_own_source(core):
    from helpline.kb import COUNTRY_CODES, country_names

    for tid, topic in core.kb.topics.items():
        for lang, texts in topic.texts.items():
            for code, variant in texts.by_country.items():
                assert code in COUNTRY_CODES
                assert variant.source.strip(), f"{tid}/{lang}@{code}: no source"
                names = [n.casefold() for n in country_names(code, lang)]
                assert any(n in variant.short.casefold() for n in names), f"{tid}/{lang}@{code}"


@pytest.mark.parametrize("tid", MY_TOPICS)
def test_my_topics_cover_every_destination_in_every_language_with_a_general_answer(core, tid):
    general = {"en": "differ", "ur-Latn": "har mulk", "ur": "ہر ملک"}
    for lang, texts in core.kb.topics[tid].texts.items():
        assert sorted(texts.by_country) == sorted(DESTINATIONS), (tid, lang)
        assert general[lang] in texts.short.casefold(), (tid, lang)  # says it is general (the SMS may just say
        # what holds everywhere: "your passport is Pakistan's, not your employer's")
        for code in DESTINATIONS:
            rendered = core.kb.answer(tid, lang, country=code)
            _only_country(rendered.split("\n")[0], lang, code)


def test_no_design_precedent_and_no_foreign_scheme_in_my_topics(core):
    for tid in MY_TOPICS:
        topic = core.kb.topics[tid]
        refs = " ".join(s.get("ref", "") + " " + s.get("note", "") for s in topic.sources).casefold()
        assert "madad" not in refs and "design precedent" not in refs
        for lang in topic.texts:
            for code in (None, *DESTINATIONS):
                for kw in ({}, {"sms": True}, {"long": True}):
                    text = core.kb.answer(tid, lang, country=code, **kw).casefold()
                    assert "design precedent" not in text and "madad" not in text


@pytest.mark.parametrize("lang,question,segments", [
    ("en", "my kafeel took my passport", 1), ("ur-Latn", "kafeel ne passport rakh liya hai", 1),
    ("ur", "کفیل نے پاسپورٹ رکھ لیا ہے", 2),
])
def test_the_country_question_is_one_paid_sms_in_latin_and_two_in_urdu(core, lang, question, segments):
    from helpline.sms import count_segments
    from webhooks.twilio.render import render_sms

    dialog = Dialog(core, state={"turns": 1, "lang": lang})
    dialog.say(question)
    dialog.step(choice="faq.country")
    [reply] = dialog.replies
    rendered = core.render(reply, "sms")
    assert count_segments(render_sms(rendered.paragraphs, rendered.menu, lang=lang)).segments <= segments
