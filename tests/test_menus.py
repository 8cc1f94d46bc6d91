"""A typed number or label picks the same menu item on every channel."""

from __future__ import annotations

import pytest

from helpline.menus import numbered_choice

MENU = [("faq", "Questions"), ("complaint", "Make a complaint"), ("status", "Complaint status")]
MENU_UR = [("faq", "سوالات"), ("complaint", "شکایت درج کریں")]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2", "complaint"),
        (" 2. ", "complaint"),
        ("2)", "complaint"),
        ("(3)", "status"),
        ("#1", "faq"),
        ("۲", "complaint"),  # Urdu (Extended Arabic-Indic) digit
        ("٣", "status"),  # Arabic-Indic digit
        ("２", "complaint"),  # full-width digit from some keyboards
        ("02", "complaint"),
        ("make a complaint", "complaint"),
        ("  MAKE   A COMPLAINT!! ", "complaint"),
        ("'Questions'", "faq"),
        ("“Complaint status”?", "status"),
        ("2 Make a complaint", "complaint"),  # the menu line copied back
        ("2. make a complaint", "complaint"),
    ],
)
def test_picks_by_number_or_label(typed, expected):
    assert numbered_choice(typed, MENU) == expected


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "0", "4", "۴", "2 3", "complaint", "make a", "3 Make a complaint", "Questions please", "?!"],
)
def test_anything_else_is_no_choice(typed):
    assert numbered_choice(typed, MENU) is None


def test_urdu_labels_and_digits():
    assert numbered_choice("۱", MENU_UR) == "faq"
    assert numbered_choice("شکایت درج کریں۔", MENU_UR) == "complaint"  # Urdu full stop ignored
    assert numbered_choice("سوالات؟", MENU_UR) == "faq"


def test_empty_menu_has_no_choice():
    assert numbered_choice("1", []) is None
    assert numbered_choice("Questions", []) is None


def test_label_punctuation_is_ignored_on_both_sides():
    menu = [("help", "Help?"), ("jobs", "Jobs abroad…")]
    assert numbered_choice("help", menu) == "help"
    assert numbered_choice("jobs abroad", menu) == "jobs"
