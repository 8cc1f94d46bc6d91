"""Reading categories, countries, CNIC, passport numbers and the one-shot form; the taxonomy is complete."""

from __future__ import annotations

import pytest

from helpline.complaints import parse as P
from helpline.complaints.countries import load as load_countries
from helpline.complaints.taxonomy import load as load_taxonomy
from helpline.messages import LANGUAGES


@pytest.mark.parametrize("text, code", [
    ("Saudi Arabia", "SA"), ("saudia", "SA"), ("سعودیہ", "SA"), ("riyadh", "SA"), ("Jeddah", "SA"), ("jadda", "SA"),
    ("Dubai", "AE"), ("dubay", "AE"), ("دبئی", "AE"), ("UAE", "AE"), ("Doha", "QA"), ("qatr", "QA"), ("قطر", "QA"),
    ("Muscat", "OM"), ("kuwet", "KW"), ("malasia", "MY"), ("I am in Sharjah", "AE"), ("Pakistan", "PK"),
    ("لاہور", "PK"), ("Bahrain", "BH"), ("Kuala Lumpur", "MY"),
])
def test_countries_in_three_languages_and_cities(text, code):
    assert load_countries().match(text)[0][0] == code


def test_unknown_country_gives_nothing():
    assert load_countries().match("xyz") == []


@pytest.mark.parametrize("text, code", [
    ("wages", "wages"), ("tankhwa nahi mili", "wages"), ("تنخواہ", "wages"), ("salary not paid", "wages"),
    ("my passport was taken by kafeel", "documents_held"), ("پاسپورٹ رکھ لیا", "documents_held"),
    ("fake agent", "fake_agent"), ("agent ne paise le liye", "fake_agent"), ("jail", "detained"),
    ("giraftar", "detained"), ("trafiking", "trafficking"), ("beaten", "abuse"), ("lapata", "missing"),
    ("death", "death"), ("وفات", "death"), ("nadra", "passport_nadra"), ("kuch aur", "other"),
])
def test_categories_from_free_text(text, code):
    assert P.best_category(text) == code


def test_cnic_and_passport():
    assert P.cnic("35202-1234567-1") == P.cnic("3520212345671") == P.cnic("۳۵۲۰۲-۱۲۳۴۵۶۷-۱") == "3520212345671"
    assert P.cnic("35202 1234567 1") == "3520212345671"
    assert P.cnic("1234") is None and P.cnic("35202-1234567-12") is None
    assert P.passport("ab 1234567") == "AB1234567" and P.passport("hello") is None


@pytest.mark.parametrize("word", ["done", "DONE", "bas", "ho gaya", "Ho Gaya", "ختم", "بس", "khatam"])
def test_done_words(word):
    assert P.is_done(word)


@pytest.mark.parametrize("word", ["end", "stop", "quit", "cancel"])
def test_done_words_are_never_twilio_opt_out_words(word):
    assert not P.is_done(word)


@pytest.mark.parametrize("text, category, country, story", [
    ("COMPLAINT wages Saudi Arabia not paid 3 months", "wages", "SA", True),
    ("complaint: wages / saudi arabia / not paid 3 months", "wages", "SA", True),
    ("shikayat tankhwah saudia 3 mahine se nahi mili", "wages", "SA", True),
    ("شکایت تنخواہ سعودیہ ۳ مہینے سے نہیں ملی", "wages", "SA", True),
    ("COMPLAINT#agent#fraud#Dubai", "fake_agent", "AE", False),
    ("complaint jail doha", "detained", "QA", False),
    ("Complaint: my brother is in jail in Riyadh", "detained", "SA", True),
])
def test_one_shot_form(text, category, country, story):
    form = P.one_shot(text)
    assert form is not None and (form.category, form.country, form.story) == (category, country, story)


def test_not_a_one_shot_form():
    assert P.one_shot("my complaint is about wages") is None
    assert P.one_shot("complaintwages") is None
    assert P.one_shot("complaint").rest == ""


def test_taxonomy_is_complete():
    tax = load_taxonomy()
    assert [c.code for c in tax.categories if c.urgent] == [
        "trafficking", "abuse", "detained", "death", "stranded", "medical", "missing"]
    for cat in tax.categories:
        assert cat.body in tax.bodies and all(cat.names[lang] for lang in LANGUAGES)
    assert tax.urgent_reason("mera bhai jail mein hai") == "detained"
    assert tax.urgent_reason("وہ فوت ہو گیا") == "death"
    assert tax.urgent_reason("he was beaten by the kafeel") == "abuse"
    assert tax.urgent_reason("my salary is late") is None


@pytest.mark.parametrize("text, answer", [
    ("me", "self"), ("mere liye", "self"), ("میں خود", "self"), ("my brother", "family"), ("bhai", "family"),
    ("شوہر", "family"), ("what?", None)])
def test_who_is_affected_typed(text, answer):
    assert P.who(text) == answer
