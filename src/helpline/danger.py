"""Hearing danger in a worker's message, in any state of the conversation: words and phrases in English, Urdu
script and Roman Urdu (common typos included), or the classifier's ``danger`` intent when it is the most
probable reading.

The words are the complaint taxonomy's urgent words (``[urgent_words]`` in ``complaints/taxonomy.toml``): one
list, so what makes a complaint urgent is what raises the alarm anywhere. A few of them are everyday words in
plain questions ("hospital fee for the medical test", "what happens if I go to jail for overstaying?"):
:data:`STORY_ONLY` keeps those from raising the alarm on their own; in a complaint's story they still make it
urgent. A false alarm costs a person's time; a miss may cost far more, so everything else counts.

:func:`detect` answers with a short reason in words for staff (``locked in: said "kamre main band"``), or None.
Pure and fast (a few hundred substring tests); it never raises, whatever the text.
"""

from __future__ import annotations

from functools import lru_cache

from helpline.complaints import taxonomy
from helpline.text import normalize

DANGER_INTENT = "danger"
MAX_CHARS = 2000  # SMS bodies are at most 1600 characters; the engine cuts longer messages too

# Urgent words that are common in plain questions: urgent in a complaint's story, but not danger on their own.
STORY_ONLY: frozenset[str] = frozenset(normalize(w) for w in (
    "jail", "prison", "qaid", "جیل", "قید",
    "died", "death", "dead", "wafat", "faut", "intiqal", "mar gaya", "mar gayi", "maut", "وفات", "فوت", "انتقال",
    "موت", "مر گیا",
    "sold", "becha",
    "hospital", "haspatal", "ہسپتال", "accident", "hadsa", "حادثہ",
    "missing", "locked", "band kar diya", "بند کر دیا",
))

# The reason codes of the taxonomy's urgent words, in words for staff.
LABELS: dict[str, str] = {
    "detained": "arrested or in jail",
    "self_harm": "thinking of suicide",
    "death": "a death",
    "trafficking": "trafficked or sold",
    "abuse": "beaten or abused",
    "medical": "injured or in hospital",
    "missing": "someone missing",
    "no_food": "no food",
    "locked": "locked in",
}


@lru_cache(maxsize=4)
def _phrases(urgent_words: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """The taxonomy's urgent words that raise the alarm alone, longest first (the most telling one is named)."""
    strong = [(phrase, code) for phrase, code in urgent_words if phrase not in STORY_ONLY]
    return tuple(sorted(strong, key=lambda pc: -len(pc[0])))


def label(code: str) -> str:
    """A reason code in words ("locked" → "locked in"); an unknown code as it is."""
    return LABELS.get(code, code.replace("_", " "))


def heard(text: str, tax: taxonomy.Taxonomy | None = None) -> tuple[str, str] | None:
    """``(reason code, phrase)`` for the most telling danger phrase in ``text``, if any (words only)."""
    norm = normalize(text[:MAX_CHARS]) if text else ""
    if not norm:
        return None
    padded = f" {norm} "
    for phrase, code in _phrases((tax or taxonomy.load()).urgent_words):
        if f" {phrase} " in padded:
            return code, phrase
    return None


def detect(text: str, intent: tuple[str, float] | None = None, *, tax: taxonomy.Taxonomy | None = None) -> str | None:
    """Why this message sounds like danger, in words for staff, or None.

    ``intent`` is the classifier's reading (:meth:`helpline.classifier.TrainedMatcher.intent`): ``danger`` counts
    when it is given, which it is whenever danger is the most probable reading. Words come first: they name
    what was said.
    """
    found = heard(text, tax)
    if found is not None:
        code, phrase = found
        return f'{label(code)}: said "{phrase}"'
    if intent is not None and intent[0] == DANGER_INTENT and not says_where_only(text):
        return f"the message reads as danger (model, {intent[1]:.0%})"
    return None


def says_where_only(text: str) -> bool:
    """True when a message only names where the worker is ("main UAE mein hun", "میں دبئی میں ہوں"): a reply to
    "which country?", never danger by the model alone (its danger examples share the "main ... mein hun" frame)."""
    from helpline.complaints.countries import load

    return bool(text) and load().only_place(text[:MAX_CHARS])
