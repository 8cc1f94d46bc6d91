"""Issue 13, point 2: no FAQ answer says "send AGENT to complain".

Under an answer on a topic that is a complaint by nature, the menu's first choice is "Complaint" (it opens the
intake pre-filled), and "Talk to a person" is a separate choice. So on those topics no sentence, in any language
or field, may tie the person keywords AGENT / INSAN to complaining: a complaint is filed with the Complaint choice,
and AGENT / INSAN only reach a person.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpline import kb as kb_mod
from helpline.complaints import taxonomy

ROOT = Path(__file__).resolve().parents[1]
KB = kb_mod.load(ROOT / "locales")

COMPLAINT_TOPICS = sorted({t for c in taxonomy.load().categories for t in c.topics} | {"complaint_file"})
PERSON = re.compile(r"\b(AGENT|INSAN)\b")  # the keywords, in capitals: lower-case "agent" is a recruiting agent
COMPLAINT = re.compile(r"complain|shikayat|شکایت", re.IGNORECASE)
SENTENCE = re.compile(r"(?<=[.!?۔؟])\s+|\n+")


def _sentences(text: str) -> list[str]:
    return [s for s in SENTENCE.split(text) if s.strip()]


def test_the_complaint_topics_exist_in_the_knowledge_base():
    assert len(COMPLAINT_TOPICS) > 10
    assert set(COMPLAINT_TOPICS) <= set(KB.topics), sorted(set(COMPLAINT_TOPICS) - set(KB.topics))


@pytest.mark.parametrize("topic_id", COMPLAINT_TOPICS)
def test_no_answer_sends_the_worker_to_a_person_to_complain(topic_id):
    topic = KB.topics[topic_id]
    bad = []
    for lang, texts in topic.texts.items():
        for field in ("short", "sms", "long"):
            for sentence in _sentences(getattr(texts, field) or ""):
                if PERSON.search(sentence) and COMPLAINT.search(sentence):
                    bad.append(f"{topic_id}/{lang}.{field}: {sentence}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("sentence, flagged", [
    ("Send AGENT to file a complaint.", True),
    ("Shikayat: AGENT.", True),
    ("شکایت کے لیے AGENT لکھیں۔", True),
    ("To complain, choose Complaint below. No food? Send AGENT now.", False),  # two sentences
    ("Complaints against an agent (OEP) go to the Protector.", False),  # a recruiting agent, not the keyword
])
def test_the_check_itself(sentence, flagged):
    hit = any(PERSON.search(s) and COMPLAINT.search(s) for s in _sentences(sentence))
    assert hit == flagged
