"""Personal numbers are masked in logs (and, later, on screens and in exports)."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpline.privacy import MaskingFilter, mask


@pytest.mark.parametrize(("raw", "masked"), [
    ("my cnic is 35202-1234567-1", "my cnic is 35202-*******-1"),
    ("3520212345671", "35202-*******-1"),
    ("۳۵۲۰۲۱۲۳۴۵۶۷۱", "35202-*******-1"),
    ("passport AB1234567 held", "passport AB*****67 held"),
    ("call +92 300 1234567", "call +92********67"),
    ("0300-1234567", "03*******67"),
    ("tel:+923001234567", "tel:+92********67"),
])
def test_numbers_are_masked(raw, masked):
    assert mask(raw) == masked


@pytest.mark.parametrize("text", ["STATUS 77120", "3 mahine se", "1800 riyal", "2024", "REF AB12C"])
def test_ordinary_numbers_stay(text):
    assert mask(text) == text


def test_log_records_are_masked(caplog):
    logger = logging.getLogger("helpline.test")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="helpline.test"):
        logger.info("contact %s said cnic %s", "tel:+923001234567", "35202-1234567-1")
    assert "1234567" not in caplog.text and "35202-*******-1" in caplog.text


def test_log_records_never_show_a_bot_token_even_inside_url_objects(caplog):
    class Url:  # like httpx.URL: not a str, formatted only when the record is
        def __str__(self) -> str:
            return "https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage"

    logger = logging.getLogger("helpline.test.url")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="helpline.test.url"):
        logger.info("HTTP Request: %s %s", "POST", Url())
    assert "AAHdqTcv" not in caplog.text and "123456789" not in caplog.text
    assert "/bot<token>/sendMessage" in caplog.text


@given(st.from_regex(r"\d{5}-?\d{7}-?\d", fullmatch=True))
def test_no_cnic_survives(cnic):
    assert cnic.replace("-", "")[5:12] not in mask(f"cnic {cnic} thanks")


def test_exception_text_and_tracebacks_are_masked(caplog):
    logger = logging.getLogger("helpline.test.exc")
    caplog.handler.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="helpline.test.exc"):
        try:
            raise ValueError("worker typed 35202-1234567-1 and +923001234567")
        except ValueError as exc:
            logger.exception("failed: %s", exc)
            logger.warning("with stack", stack_info=True, extra={"cnic": "unused"})
    assert "1234567" not in caplog.text and "3001234567" not in caplog.text
    assert "ValueError: worker typed 35202-*******-1" in caplog.text and "Traceback" in caplog.text
