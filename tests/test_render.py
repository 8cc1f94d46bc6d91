"""Rendering a reply for SMS (numbered text, GSM-7 where possible) and Telegram (split text, buttons)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.render import MAX_TEXT_UNITS, render_telegram
from helpline.menus import numbered_choice
from helpline.sms import count_segments
from helpline.textsplit import utf16_len
from webhooks.twilio.render import render_sms

MENU = [("faq", "Questions"), ("complaint", "Make a complaint")]


# --- SMS -------------------------------------------------------------------------------------------


def test_sms_paragraphs_then_numbered_menu():
    body = render_sms(["Welcome to the helpline.", "Choose one:"], MENU, lang="en")
    assert body == "Welcome to the helpline.\n\nChoose one:\n\n1 Questions\n2 Make a complaint"


def test_sms_menu_numbers_read_back_as_the_same_choice():
    body = render_sms(["Choose:"], MENU, lang="en")
    for line in body.splitlines()[2:]:
        number, label = line.split(" ", 1)
        assert numbered_choice(number, MENU) == numbered_choice(label, MENU) is not None


@pytest.mark.parametrize("lang", ["en", "ur-Latn"])
def test_sms_stays_gsm7_despite_typographic_characters(lang):
    body = render_sms(["Aap ki shikayat “darj” ho gayi — shukriya…"], [("x", "Naya sawal ‘poochein’")], lang=lang)
    assert body == "Aap ki shikayat \"darj\" ho gayi - shukriya...\n\n1 Naya sawal 'poochein'"
    assert count_segments(body).encoding == "GSM-7"


def test_sms_urdu_is_left_as_is():
    body = render_sms(["آپ کی شکایت “درج” ہو گئی ہے۔"], [("faq", "سوالات")], lang="ur")
    assert body == "آپ کی شکایت “درج” ہو گئی ہے۔\n\n1 سوالات"
    assert count_segments(body).encoding == "UCS-2"


def test_sms_without_menu_and_empty_paragraphs():
    assert render_sms(["One.", "  ", "Two."], [], lang="en") == "One.\n\nTwo."
    assert render_sms([], MENU, lang="en") == "1 Questions\n2 Make a complaint"
    assert render_sms([], [], lang="en") == ""


def test_sms_unknown_language_is_refused():
    with pytest.raises(ValueError):
        render_sms(["Hi"], [], lang="fr")


# --- Telegram --------------------------------------------------------------------------------------


def _texts(payloads):
    return [p["text"] for p in payloads]


def test_telegram_short_reply_with_buttons():
    assert render_telegram(["Hello.", "Pick one:"], MENU, lang="en") == [
        {
            "text": "Hello.\n\nPick one:",
            "reply_markup": {
                "inline_keyboard": [
                    [{"text": "Questions", "callback_data": "faq"}],
                    [{"text": "Make a complaint", "callback_data": "complaint"}],
                ]
            },
        }
    ]


def test_telegram_long_urdu_splits_within_limit_buttons_on_last():
    sentence = "آپ کی شکایت درج ہو گئی ہے اور ہم جلد آپ سے رابطہ کریں گے۔ "
    text = (sentence * (10_000 // len(sentence) + 1))[:10_000]
    payloads = render_telegram([text], MENU, lang="ur")
    assert len(payloads) == 3
    assert all(utf16_len(p["text"]) <= MAX_TEXT_UNITS for p in payloads)
    assert all("reply_markup" not in p for p in payloads[:-1]) and "reply_markup" in payloads[-1]
    assert " ".join(_texts(payloads)).split() == text.split()
    assert all(p["text"].endswith("۔") for p in payloads[:-1])  # cut at sentence ends


def test_telegram_counts_emoji_as_two_units_and_never_splits_one():
    text = "😀" * 5000  # 10,000 UTF-16 units, 5,000 code points, no spaces
    payloads = render_telegram([text], [], lang="en")
    assert [utf16_len(t) for t in _texts(payloads)] == [4096, 4096, 1808]
    assert "".join(_texts(payloads)) == text


def test_telegram_emoji_at_the_boundary_moves_whole():
    text = "a" * 4095 + "😀" + "b"
    payloads = render_telegram([text], [], lang="en")
    assert _texts(payloads) == ["a" * 4095, "😀b"]


def test_telegram_paragraph_boundary_preferred():
    first, second = "word " * 600, "more " * 600
    payloads = render_telegram([first, second], [], lang="en")
    assert _texts(payloads) == [first.strip(), second.strip()]


def test_telegram_callback_data_limit():
    assert render_telegram(["x"], [("i" * 64, "ok")], lang="en")[0]["reply_markup"]
    with pytest.raises(ValueError):
        render_telegram(["x"], [("i" * 65, "too long")], lang="en")
    with pytest.raises(ValueError):
        render_telegram(["x"], [("ی" * 33, "66 bytes in UTF-8")], lang="en")
    with pytest.raises(ValueError):
        render_telegram(["x"], [("", "empty")], lang="en")


def test_telegram_two_buttons_per_row_when_labels_are_short():
    menu = [("a", "Jobs"), ("b", "Visa"), ("c", "Complaint")]
    rows = render_telegram(["Pick:"], menu, lang="en")[0]["reply_markup"]["inline_keyboard"]
    assert [[b["callback_data"] for b in row] for row in rows] == [["a", "b"], ["c"]]
    menu.append(("d", "Fifteen chars!!"))
    rows = render_telegram(["Pick:"], menu, lang="en")[0]["reply_markup"]["inline_keyboard"]
    assert all(len(row) == 1 for row in rows)


def test_telegram_long_label_is_cut_at_a_word():
    label = "Information about recruitment agencies and their licences in Pakistan"
    button = render_telegram(["Pick:"], [("a", label)], lang="en")[0]["reply_markup"]["inline_keyboard"][0][0]
    assert button["text"] == "Information about recruitment agencies…"


def test_telegram_nothing_to_say():
    assert render_telegram([], [], lang="en") == []
    assert render_telegram(["  "], [], lang="en") == []
    with pytest.raises(ValueError):
        render_telegram([], MENU, lang="en")
    with pytest.raises(ValueError):
        render_telegram(["Hi"], [], lang="xx")


def test_renderers_do_not_import_provider_sdks():
    code = "import sys, bot.render, webhooks.twilio.render; print(sorted({'telegram', 'twilio'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
