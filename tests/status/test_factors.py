"""Tracking numbers, birth dates and CNIC digits as workers type them; the peppered hashes; the codebook."""

from __future__ import annotations

import re

import pytest

from helpline.messages import LANGUAGES
from helpline.sms import is_gsm7
from helpline.status import codes
from helpline.status.factors import Factor, factor_hash, find_number, normalize_number, parse_factor


@pytest.mark.parametrize("text, number", [
    ("1234-5678901", "12345678901"), ("1234 5678 901", "12345678901"), ("۱۲۳۴-۵۶۷۸۹۰۱", "12345678901"),
    ("١٢٣٤٥٦٧٨٩٠١", "12345678901"), ("my tracking no is 1234.5678.901 thanks", "12345678901"),
    ("AB 1234567", "AB1234567"), ("ab-1234567", "AB1234567"), ("NSP-2026-00077", "NSP202600077"),
    ("hello", None), ("12", None),
])
def test_find_number(text, number):
    assert find_number(text) == number


@pytest.mark.parametrize("text, factor", [
    ("14-05-1990", Factor("dob", "1990-05-14")), ("14/5/1990", Factor("dob", "1990-05-14")),
    ("1990-05-14", Factor("dob", "1990-05-14")), ("14 May 1990", Factor("dob", "1990-05-14")),
    ("۱۴-۰۵-۱۹۹۰", Factor("dob", "1990-05-14")), ("14051990", Factor("dob", "1990-05-14")),
    ("19900514", Factor("dob", "1990-05-14")), ("0123", Factor("cnic4", "0123")), ("۰۱۲۳", Factor("cnic4", "0123")),
    ("35202-1234567-1", Factor("cnic4", "5671")), ("31-02-1990", None), ("yesterday", None), ("123", None),
])
def test_parse_factor(text, factor):
    assert parse_factor(text) == factor


def test_factor_repr_never_shows_the_value():
    assert "1990" not in repr(Factor("dob", "1990-05-14"))


def test_hash_depends_on_pepper_number_and_type():
    base = factor_hash(b"p", "dob", "12345678", "1990-05-14")
    assert re.fullmatch(r"[0-9a-f]{64}", base)
    assert base != factor_hash(b"q", "dob", "12345678", "1990-05-14")
    assert base != factor_hash(b"p", "dob", "12345679", "1990-05-14")
    assert factor_hash(b"p", "cnic4", "1", "0123") != factor_hash(b"p", "dob", "1", "0123")
    assert normalize_number(" ab-12 ") == "AB12"


def test_codebook_has_the_required_codes_in_every_language_in_sms_friendly_text():
    book = codes.load()
    required = {"received", "in_process", "printed", "dispatched", "ready_for_collection", "collected", "on_hold",
                "rejected"}
    assert required <= set(book.codes) and {"passport", "protector", "skills_passport"} <= set(book.kinds)
    opt_out = re.compile(r"\b(STOP|STOPALL|UNSUBSCRIBE|CANCEL|END|QUIT|REVOKE|OPTOUT)\b")
    for code in book.codes.values():
        assert set(code.texts) == set(LANGUAGES), code.id
        for lang in LANGUAGES:
            for text in code.texts[lang]:
                assert not opt_out.search(text)
                assert lang == "ur" or is_gsm7(text), (code.id, lang, text)
    assert book.code_id(" Ready for Collection ") == "ready_for_collection" and book.kind_id("NSP") == "skills_passport"
