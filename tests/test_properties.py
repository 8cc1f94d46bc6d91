"""Arbitrary text through the matcher and the engine: never an exception, always a reply."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpline.text import normalize, tokens
from tests.harness import Dialog, nothing_on_record

URDU = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
MESSAGES = st.one_of(
    st.text(),  # anything at all: controls, surrogates-free unicode, emoji
    st.text(alphabet=st.one_of(URDU, st.characters(max_codepoint=0x7F)), max_size=200),  # mixed scripts
    st.text(min_size=1500, max_size=5000),  # very long
    st.sampled_from(["", " ", "\x00", "\u200f", "🙂" * 50, "۱۲۳", "STATUS ؟", "0", "-1", "99999999999"]),
    # into the flows that ask for facts (status lookups, complaint tracking, the one-shot complaint form)
    st.builds(str.__add__, st.sampled_from(["passport status ", "STATUS ", "REOPEN ", "shikayat ", "1234-5678901 "]),
              st.text(max_size=40)),
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(MESSAGES)
def test_matcher_never_raises(core, text):
    m = core.matcher.match(text)
    assert m.decision in ("answer", "suggest", "none")
    assert 0.0 <= m.score <= 1.0
    assert len(m.suggestions) <= 3
    normalize(text), tokens(text)


@FAST
@given(st.lists(MESSAGES, min_size=1, max_size=4))
def test_engine_always_replies(core, texts):
    dialog = Dialog(core, answers=nothing_on_record())
    for text in texts:
        assert dialog.say(text).strip(), f"no reply to {text!r}"


@FAST
@given(st.text(max_size=30), st.sampled_from(["sms", "telegram", "chat"]))
def test_any_button_data_is_safe(core, data, channel):
    dialog = Dialog(core, channel=channel, answers=nothing_on_record())
    dialog.say("hello")
    assert dialog.say(choice=data or None).strip()
