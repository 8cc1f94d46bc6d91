"""The WhatsApp templates the operator submits (locales/whatsapp_templates.toml) keep Meta's rules and ours, and fill
in as the worker reads them."""

from __future__ import annotations

import re

import pytest

from helpline.errors import InvalidInput
from helpline.notices import NoticeRef, load, one_line, parse
from helpline.settings import REPO_ROOT

NOTICES = load(REPO_ROOT / "locales")
ARABIC = "\u0600-\u06ff"
LATIN_MARK_IN_URDU = re.compile(rf"[{ARABIC}][\s)\"']*[,;?.](?!\d)|[,;?]\s*[{ARABIC}]")


def test_every_purpose_has_a_template_in_every_language_that_meta_would_take() -> None:
    assert set(NOTICES) == {"case_update", "status_alert", "reply_waiting"}
    for notice in NOTICES.values():
        assert set(notice.texts) == {"en", "ur", "ur-Latn"} and notice.description
        for text in notice.texts.values():
            assert len(text) <= 1024  # WhatsApp's limit for a template's body
            assert "\n" not in text


def test_urdu_templates_use_urdu_punctuation() -> None:
    for notice in NOTICES.values():
        assert not LATIN_MARK_IN_URDU.search(notice.texts["ur"].replace("{{", "").replace("}}", "")), notice.name
        assert notice.texts["ur"].rstrip().endswith("۔")


def test_a_notice_fills_in_order_and_says_what_it_lacks() -> None:
    ref = NoticeRef.of("case_update", reference="K7M-4XQY", status="referred\nto the\tCWA")
    notice = NOTICES["case_update"]
    assert notice.values(ref) == {"1": "K7M-4XQY", "2": "referred to the CWA"}  # one line: WhatsApp refuses breaks
    assert notice.render(ref, "en") == ("Helpline update: your complaint K7M-4XQY is now: referred to the CWA. "
                                        "Reply to this message to read the full update.")
    assert NoticeRef.from_payload(ref.to_payload()) == ref
    with pytest.raises(InvalidInput, match="needs status"):
        notice.values(NoticeRef.of("case_update", reference="K7M-4XQY"))
    assert NoticeRef.from_payload(None) is None and NoticeRef.from_payload({"name": 3}) is None
    assert len(one_line("x" * 500)) == 200


@pytest.mark.parametrize("text, problem", [
    ("{{1}} is your complaint now: {{2}}.", "at the start or the end"),
    ("Your complaint is now: {{2}} and {{1}} here.", "placeholders ['2', '1']"),
    ("Your complaint {{1}} {{2}} here.", "side by side"),
    ("Your complaint is {{1}}", "at the start or the end"),
    ("Your complaint {{1}} is here.", "expected ['1', '2']"),
])
def test_the_check_catches_what_meta_rejects(text: str, problem: str) -> None:
    table = {"variables": ["reference", "status"], "en": text, "ur": "آپ کی شکایت {{1}} اب {{2}} ہے۔",
             "ur-Latn": "Aap ki shikayat {{1}} ab {{2}} hai."}
    with pytest.raises(InvalidInput, match=re.escape(problem)):
        parse({"case_update": table})
