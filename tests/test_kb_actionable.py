"""Issue 14, item 6: answers the bot can act on. No answer asks the worker to send details (a name, passport or
phone number, a city, a date...) unless it names the flow that takes them: the Complaint choice, AGENT for a
person, STATUS for a status check, the agent-licence check, MENU to reach them. "Send us his name and passport
number" with no flow behind it leaves the details in a message no one reads as a case.

A sentence asks for details when it has a verb of sending or telling and a detail; it is acceptable when it, the
next sentence or an earlier one in its paragraph names a flow, or when it tells the worker never to send something.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

TOPICS = Path(__file__).resolve().parents[1] / "locales" / "kb" / "topics"
FIELDS = ("short", "sms", "long")
# Rewritten with per-country variants right now (issue 14, item 3); held to this once that work lands.
PENDING_TOPICS: frozenset[str] = frozenset()

ASK = {  # asking the worker to send or tell (not "we send your case", not "give copies to your family")
    "en": re.compile(r"(?<!\bwe )(?<!\bWe )\b(send|tell us|give us|text us)\b", re.IGNORECASE),
    "ur-Latn": re.compile(r"(?<!\bhum )\b(bhej(ein|en|ain|iye)|batayein|batain|bataen|likhein|likhen|(humein|hamein) dein)\b",
                          re.IGNORECASE),
    "ur": re.compile(r"(?<!ہم )(?<!\w)(بھیجیں|بھیجئے|بتائیں|لکھیں|ہمیں دیں)(?!\w)"),
}
DETAIL = {
    "en": re.compile(r"\b(name|passport|iqama|CNIC|number|no\.|phone|city|address|date)\b", re.IGNORECASE),
    "ur-Latn": re.compile(r"\b(naam|passport|iqama|CNIC|number|no\.?|phone|shehar|pata|tareekh)\b", re.IGNORECASE),
    "ur": re.compile(r"(?<!\w)(نام|پاسپورٹ|اقامہ|شناختی|نمبر|فون|شہر|پتہ|تاریخ)(?!\w)"),
}
FLOW = {
    "en": re.compile(r"\b(AGENT|INSAN|MENU|STATUS|REOPEN|SOLVED|Complaint|Check an agent|agent check)\b"),
    "ur-Latn": re.compile(r"\b(AGENT|MENU|STATUS|REOPEN|DOBARA|HAL|Shikayat|Agent check)\b"),
    "ur": re.compile(r"(AGENT|MENU|STATUS|REOPEN|«شکایت»|«نمائندہ»|«دوبارہ»|«حل»|ایجنٹ چیک|شکایت چنیں)"),
}
NEVER = {
    "en": re.compile(r"\b(never|do not|don't|not)\b", re.IGNORECASE),
    "ur-Latn": re.compile(r"\b(kabhi na|na bhejein|na dein|mat)\b", re.IGNORECASE),
    "ur": re.compile(r"(کبھی نہ|نہ بھیجیں)"),
}
SENTENCE = re.compile(r"(?<=[.!?۔؟])\s+|\n+")
PLACEHOLDER = re.compile(r"\{[a-z_0-9]+\}")


def unactionable(text: str, lang: str) -> list[str]:
    """The sentences of a text that ask for details without naming a flow that takes them: in the sentence, the
    one after it, or earlier in the same paragraph ("Choose Complaint. It asks... Under 'what happened' write...")."""
    bad = []
    for paragraph in re.split(r"\n\s*\n", PLACEHOLDER.sub(" ", text)):
        sentences = [s for s in SENTENCE.split(paragraph) if s.strip()]
        for i, sentence in enumerate(sentences):
            if not (ASK[lang].search(sentence) and DETAIL[lang].search(sentence)) or NEVER[lang].search(sentence):
                continue
            if not FLOW[lang].search(" ".join(sentences[:i + 2])):
                bad.append(sentence.strip())
    return bad


def texts():
    for path in sorted(TOPICS.glob("*.toml")):
        topic = tomllib.loads(path.read_text(encoding="utf-8"))
        if topic["id"] in PENDING_TOPICS:
            continue
        for lang in ASK:
            section = topic.get(lang, {})
            variants = [("", section)] + [(f":{c}", v) for c, v in section.get("by_country", {}).items()]
            for suffix, fields in variants:
                for field in FIELDS:
                    if isinstance(fields.get(field), str):
                        yield f"{topic['id']}:{lang}:{field}{suffix}", lang, fields[field]


def test_no_answer_asks_for_details_no_flow_takes():
    bad = {key: found for key, lang, text in texts() if (found := unactionable(text, lang))}
    assert not bad, f"answers asking to send details without naming the flow that takes them: {bad}"


@pytest.mark.parametrize(("text", "lang", "ok"), [
    ("Send: name, passport and iqama numbers, city and prison.", "en", False),
    ("To file a complaint, choose Complaint and give: name, passport and iqama numbers.", "en", True),
    ("Send AGENT now. Never send a full CNIC.", "en", True),
    ("Ye bhejein: naam, passport aur iqama number, shehar aur jail.", "ur-Latn", False),
    ("Neeche Shikayat chunein: naam aur passport number dein.", "ur-Latn", True),
    ("یہ بھیجیں: نام، پاسپورٹ اور اقامہ نمبر، شہر اور جیل۔", "ur", False),
    ("«شکایت» چنیں: نام اور پاسپورٹ نمبر دیں۔", "ur", True),
    ("پورا شناختی کارڈ نمبر کبھی نہ بھیجیں۔", "ur", True),
    ("Paise bank se bhejein.", "ur-Latn", True),  # money, not details
    ("Shikayat chunein. Bot naam poochega. Kya hua mein shehar aur tareekh likhein.", "ur-Latn", True),
    ("Shikayat chunein.\n\nShehar aur tareekh likhein.", "ur-Latn", False),  # another paragraph
])
def test_what_counts_as_asking_for_details(text, lang, ok):
    assert (unactionable(text, lang) == []) is ok
