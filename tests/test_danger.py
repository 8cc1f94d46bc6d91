"""The danger detector: words and phrases in English, Urdu script and Roman Urdu (typos included), the model's
``danger`` intent, one word list with the complaint taxonomy, plain questions left alone, and never an error."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpline import danger
from helpline.complaints import taxonomy
from helpline.text import normalize

HEARD = [
    # English, with typos
    ("my kafeel beats me", "beaten or abused"), ("he hits me every day", "beaten or abused"),
    ("i was beatn by the supervisor", "beaten or abused"), ("I am locked in a room", "locked in"),
    ("they lock me in room at night", "locked in"), ("we are not given food for 3 days", "no food"),
    ("I was raped by the sponsor", "beaten or abused"), ("sexual abuse by the madam", "beaten or abused"),
    ("I want to kill myself", "thinking of suicide"), ("thinking of sucide", "thinking of suicide"),
    ("I am injured at the site", "injured or in hospital"), ("my brother is in hospital", "injured or in hospital"),
    ("my husband is in jail in Dubai", "arrested or in jail"), ("police arrested me", "arrested or in jail"),
    ("I was trafficked to Libya", "trafficked or sold"), ("the agent sold me to another kafeel", "trafficked or sold"),
    ("his dead body is in Riyadh", "a death"),
    # Roman Urdu, with its spelling variants
    ("kafeel ne mara", "beaten or abused"), ("mujhe band kamre mein rakha hai", "locked in"),
    ("kamray me band hun", "locked in"), ("khana nahi dete", "no food"), ("khana nhi dete 2 din se", "no food"),
    ("main zakhmi hun", "injured or in hospital"), ("zakhmee hoon", "injured or in hospital"),
    ("khudkushi kar lunga", "thinking of suicide"), ("bhai jail mein hai", "arrested or in jail"),
    ("madam marti nahi lekin seth maarta hai", "beaten or abused"),
    # Urdu script
    ("کفیل مجھے مارتا ہے", "beaten or abused"), ("مجھے کمرے میں بند کر دیا ہے", "locked in"),
    ("میں زخمی ہوں", "injured or in hospital"), ("خودکشی کا سوچ رہا ہوں", "thinking of suicide"),
    ("بھائی جیل میں ہے", "arrested or in jail"), ("کھانا نہیں دیتے", "no food"),
]


@pytest.mark.parametrize(("text", "label"), HEARD)
def test_danger_is_heard_in_three_languages(text, label):
    reason = danger.detect(text)
    assert reason is not None and reason.startswith(label + ": said "), reason


@pytest.mark.parametrize("text", [
    "hospital fee for medical test", "what happens if I go to jail for overstaying?", "where is the GAMCA hospital",
    "death compensation kaise milta hai", "mara passport kahan hai", "meri tankhwah 3 mahine se nahi mili",
    "my account is locked", "I sold my land to pay the agent", "protector kya hota hai", "میرا پاسپورٹ کہاں ہے", "",
    "   ", "?!"])
def test_plain_questions_do_not_raise_the_alarm(text):
    assert danger.detect(text) is None


def test_the_reason_names_the_most_telling_phrase():
    assert danger.detect("I am locked in a room") == 'locked in: said "locked in a room"'
    assert danger.detect("کمرے میں بند") == 'locked in: said "کمرے میں بند"'


def test_the_models_danger_intent_counts_when_no_word_is_heard():
    assert danger.detect("something is very wrong here", ("danger", 0.61)) == \
        "the message reads as danger (model, 61%)"
    assert danger.detect("something is very wrong here", ("anyone_there", 0.9)) is None
    assert danger.detect("he beats me", ("danger", 0.9)).startswith("beaten or abused")  # words name it first


def test_one_word_list_with_the_complaint_taxonomy():
    """Every danger word is an urgent word of the taxonomy (so a complaint with it is urgent), and the words kept
    out of the alarm are in that list too: nothing is listed twice."""
    tax = taxonomy.load()
    urgent = {phrase for phrase, _code in tax.urgent_words}
    assert danger.STORY_ONLY <= urgent
    assert {code for _phrase, code in tax.urgent_words} <= set(danger.LABELS)
    for text, _label in HEARD:
        assert tax.urgent_reason(text) is not None, text  # a complaint telling this is urgent
    assert tax.urgent_reason("hospital fee for medical test") == "medical"  # urgent in a story, not an alarm
    assert normalize("jail") in danger.STORY_ONLY


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=3000), st.none() | st.tuples(st.sampled_from(["danger", "human", "x"]),
                                                     st.floats(0, 1)))
def test_the_detector_never_raises(text, intent):
    reason = danger.detect(text, intent)
    assert reason is None or isinstance(reason, str)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["kafeel", "ne", "mara", "کمرے", "میں", "بند", "locked", "in", "a", "room", "\u200c",
                                 "ی", "ي", "۲", "!", " ", "\n", "zakhmi", "jail"]), max_size=30).map("".join))
def test_the_detector_never_raises_on_mixed_scripts(text):
    danger.detect(text)


@pytest.mark.parametrize("text", ["main UAE mein hun", "main Dubai mein hun", "I am in Saudi Arabia", "I'm in Riyadh now",
                                  "میں دبئی میں ہوں", "abhi qatar me hoon", "Kuwait"])
def test_saying_where_one_is_is_never_danger_by_the_model_alone(text):
    """The model's danger examples share the frame "main ... mein hun": naming a place alone is not danger."""
    assert danger.detect(text, ("danger", 0.79)) is None


@pytest.mark.parametrize("text", ["main Dubai mein jail mein hun", "I am locked in a room in Riyadh",
                                  "main saudia mein phansa hua hun koi madad karo"])
def test_a_place_with_more_to_say_still_counts(text):
    assert danger.detect(text, ("danger", 0.79)) is not None
