"""Reading a worker's own words for the complaint intake: what a story already says, and identity in one message."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpline.complaints.extract import is_opening, read
from helpline.flows.complaint.answers import read_identity


@pytest.mark.parametrize(("text", "expected"), [
    ("My company Al Safi in Riyadh has not paid me for 4 months",
     {"category": "wages", "country": "SA", "affected": "self", "employer": "Al Safi", "story": True}),
    ("mera bhai saudia mein hai uska kafeel passport nahi de raha",
     {"category": "documents_held", "country": "SA", "affected": "family", "relation": "bhai"}),
    ("Al Noor Overseas agent took 5 lakh from me and gave a fake visa for Dubai",
     {"category": "fake_agent", "country": "AE", "agent": "Al Noor Overseas"}),
    ("میری کمپنی نے چار مہینے سے تنخواہ نہیں دی، ریاض، سعودی عرب",
     {"category": "wages", "country": "SA", "affected": "self", "story": True}),
    ("shikayat kafeel ne mujhe mara hai, main zakhmi hun, kuwait", {"category": "abuse", "country": "KW"}),
    ("Doha mein March se tankhwah nahi mili", {"affected": None}),  # "mein" is "in", not "I"
    ("my kafeel beats me, I am locked in a room", {"employer": None}),  # "beats" is not a name
])
def test_what_a_story_already_says(text, expected):
    said = read(text)
    assert {k: getattr(said, k) for k in expected} == expected


@pytest.mark.parametrize(("text", "opening"), [
    ("I want to register a complaint", True), ("shikayat krni hai", True), ("مجھے شکایت درج کرانی ہے", True),
    ("complaint kaise karein", False), ("how do I complain?", False), ("shikayat agent ke khilaf", False),
])
def test_a_bare_opening(text, opening):
    assert is_opening(text) is opening


@pytest.mark.parametrize(("text", "expected"), [
    ("Muhammad Aslam 35202-1234567-1 ab 1234567", ("Muhammad Aslam", "3520212345671", "AB1234567")),
    ("AB1234567 Imran Khan", ("Imran Khan", "", "AB1234567")),
    ("mera naam Aslam hai cnic 3520212345671", ("Aslam", "3520212345671", "")),
    ("علی ۳۵۲۰۲۱۲۳۴۵۶۷۱", ("علی", "3520212345671", "")),
    ("Aslam 35202-123", None),  # a CNIC with digits missing is refused, not kept
])
def test_identity_in_one_message_in_any_order(text, expected):
    assert read_identity(text) == expected


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_reading_any_text_never_fails(text):
    said = read(text)
    assert said.category is None or said.category in said.likely
    found = read_identity(text)
    assert found is None or all(isinstance(part, str) for part in found)
