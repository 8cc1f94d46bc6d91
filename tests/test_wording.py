"""Issue 14, item 5: what the wording fixes changed in the code, rendered as a worker reads it.

- a hello is answered with a hello ("Assalam-o-alaikum"), a salam with "Wa alaikum assalam";
- the complaint summary leaves out what the worker did not give, never a dash ("-, Kuwait");
- the menu's word for a person (نمائندہ / numainda) reaches a person when typed.
"""

from __future__ import annotations

from typing import Any

import pytest

from helpline.engine.core import Facts, NeedFact, Turn, greeting_reply
from helpline.engine.events import ReplyCreated
from helpline.flows.complaint import prompts
from helpline.flows.complaint.draft import new_draft
from helpline.handoff.flow import asks_for_person
from helpline.messages import InboundMessage
from helpline.text import normalize
from tests.conftest import FIXED_NOW
from tests.harness import nothing_on_record


@pytest.mark.parametrize(("text", "key"), [
    ("hello", "greeting.hello"), ("hi ji", "greeting.hello"), ("good morning", "greeting.hello"),
    ("salam", "greeting"), ("Assalam o alaikum bhai", "greeting"), ("AOA", "greeting"),
    ("السلام علیکم", "greeting"), ("اسلام علیکم", "greeting"),
])
def test_a_greeting_is_answered_in_kind(text, key):
    assert greeting_reply(text) == key


def test_the_greetings_read_in_kind(core):
    words = core.i18n
    assert words.gettext("greeting.hello", "ur-Latn").startswith("Assalam-o-alaikum")
    assert words.gettext("greeting.hello", "ur").startswith("السلام علیکم")
    assert words.gettext("greeting", "ur-Latn").startswith("Wa alaikum assalam")
    assert words.gettext("greeting", "ur").startswith("وعلیکم السلام")


@pytest.mark.parametrize("text", ["نمائندے سے بات", "نمائندہ", "numainda", "numainde se baat karni hai"])
def test_the_word_for_a_person_reaches_a_person(text):
    assert asks_for_person(normalize(text))


def _summary(core, lang: str, channel: str, **fields: Any) -> str:
    known: dict[Any, Any] = {}
    while True:
        turn = Turn({"lang": lang, "turns": 3}, InboundMessage(channel=channel, address="tel:+923000000000", text=""),
                    core.context(FIXED_NOW, Facts(), known))
        draft = new_draft(turn, "k")
        draft.update(story=["maalik ne tankhwah nahi di"], **fields)
        try:
            prompts.summary(turn, draft)
        except NeedFact as need:
            known[need.ask] = nothing_on_record()[type(need.ask)]
            continue
        _, events = turn.finish()
        reply = next(e.reply for e in events if isinstance(e, ReplyCreated))
        return "\n".join(core.i18n.render(core.i18n.variant(t, channel, lang), lang) for t in reply.parts)


@pytest.mark.parametrize("lang", ["en", "ur", "ur-Latn"])
@pytest.mark.parametrize("channel", ["sms", "telegram"])
def test_the_complaint_summary_leaves_out_what_was_not_given(core, lang, channel):
    bare = _summary(core, lang, channel, category="wages", country="KW", affected="family", anonymous=False)
    assert "-," not in bare and "- " not in bare.replace(" - ", "") and "(-)" not in bare and ": -" not in bare
    assert ".." not in bare and "۔۔" not in bare
    full = _summary(core, lang, channel, category="wages", country="KW", affected="family", relation="bhai",
                    anonymous=False, name="Ali Khan", employer="Al Noor Co")
    assert "Ali Khan" in full and "Al Noor Co" in full and "bhai" in full
    assert "Ali Khan" not in bare and "Al Noor Co" not in bare
