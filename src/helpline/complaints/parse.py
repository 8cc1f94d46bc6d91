"""Reading what workers type during intake: categories, done/skip/yes words, CNIC, passport, the one-shot form."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from helpline.complaints.countries import load as load_countries
from helpline.complaints.taxonomy import Taxonomy
from helpline.complaints.taxonomy import load as load_taxonomy
from helpline.text import ascii_digits, normalize


def _forms(*typed: str) -> frozenset[str]:
    return frozenset(normalize(t) for t in typed)


# Ends the "what happened" step, in any of the three languages (never STOP, END, QUIT or CANCEL).
DONE_WORDS = _forms("done", "finished", "finish", "that's all", "thats all", "that is all", "complete", "bas",
                    "bass", "ho gaya", "ho gya", "hogaya", "hogya", "khatam", "khatm", "mukammal", "bas ho gaya",
                    "ختم", "بس", "ہو گیا", "ہوگیا", "مکمل", "بس ہو گیا")
SKIP_WORDS = _forms("skip", "next", "no", "none", "nil", "n/a", "na", "pass", "nahi", "nahin", "nai", "pata nahi",
                    "maloom nahi", "chhor do", "chhodo", "chor do", "chhoro", "aage", "-", "x",
                    "نہیں", "چھوڑیں", "چھوڑ دو", "آگے", "پتا نہیں", "معلوم نہیں")
YES_WORDS = _forms("yes", "y", "yes please", "ok", "okay", "confirm", "haan", "han", "haa", "ha", "ji", "jee",
                   "ji haan", "ji han", "theek", "theek hai", "thik hai", "sahi", "sahi hai", "darj karo",
                   "yeah", "yep", "sure", "haan ji", "han ji", "bilkul", "zaroor", "jee haan", "darj kar do",
                   "ہاں", "جی", "جی ہاں", "ہاں جی", "ٹھیک", "ٹھیک ہے", "درست", "صحیح", "بالکل", "ضرور", "درج کریں",
                   "درج کر دیں")
# Typed answers to "who is this complaint for?" (the menu's numbers and labels work too).
SELF_WORDS = _forms("me", "myself", "i am the worker", "for me", "mine", "main", "mein", "mere liye", "khud",
                    "main khud", "میں", "میرے لیے", "خود", "میں خود")
FAMILY_WORDS = _forms("family", "brother", "sister", "husband", "wife", "son", "daughter", "father", "mother",
                      "bhai", "behen", "bahen", "shohar", "biwi", "beta", "beti", "abbu", "walid", "ammi",
                      "gharwale", "ghar wale", "bhai ke liye", "بھائی", "بہن", "شوہر", "بیوی", "بیٹا", "بیٹی",
                      "والد", "والدہ", "گھر والے")
# First word of the one-shot SMS form.
COMPLAINT_WORDS = _forms("complaint", "complain", "complaints", "shikayat", "shikayt", "shikait", "shkyt",
                         "شکایت", "کمپلینٹ", "کمپلین")

_CNIC = re.compile(r"^\d{5}-?\d{7}-?\d$")
_PASSPORT = re.compile(r"^[A-Z]{1,3}[0-9]{5,9}$")


def is_complaint_word(text: str) -> bool:
    """The text names a complaint ("complaint", "shikayat", "شکایت") in any of its words."""
    return any(word in COMPLAINT_WORDS for word in normalize(text).split())


def is_done(text: str) -> bool:
    """The worker finished describing what happened."""
    return normalize(text) in DONE_WORDS


def is_skip(text: str) -> bool:
    """The worker skips an optional question."""
    return normalize(text) in SKIP_WORDS or text.strip() in ("-", ".", "x", "X")


def is_yes(text: str) -> bool:
    """The worker agrees."""
    return normalize(text) in YES_WORDS


def who(text: str) -> str | None:
    """``"self"`` or ``"family"`` from a typed answer (a relation word counts as family), else None."""
    norm = normalize(text)
    if norm in SELF_WORDS:
        return "self"
    if norm in FAMILY_WORDS or any(w in FAMILY_WORDS for w in norm.split()):
        return "family"
    return None


def cnic(text: str) -> str | None:
    """13 CNIC digits from ``12345-1234567-1``, ``1234512345671`` or Urdu digits; None if it is not one."""
    raw = re.sub(r"[\s.]", "", ascii_digits(text.strip())).replace("–", "-")
    return raw.replace("-", "") if _CNIC.match(raw) else None


def passport(text: str) -> str | None:
    """A passport number in upper case without separators (letters then digits, e.g. ``AB1234567``)."""
    raw = re.sub(r"[\s\-./]", "", ascii_digits(text.strip())).upper()
    return raw if _PASSPORT.match(raw) else None


WEAK = 20.0  # a weak keyword ("kafeel") alone is not enough to choose a category


def category_scores(text: str, taxonomy: Taxonomy | None = None) -> list[tuple[str, float]]:
    """Categories a text points to, best first: keyword phrases (exact or a close spelling) and names."""
    tax = taxonomy or load_taxonomy()
    norm = normalize(text)
    if not norm:
        return []
    padded = f" {norm} "
    words = norm.split()
    long_words = [w for w in words if len(w) >= 5]
    scores: dict[str, float] = {}
    for cat in tax.categories:
        score = 0.0
        for name in cat.norm_names:
            if norm == name:
                score = max(score, 100.0)
            elif len(norm) >= 4:
                score = max(score, fuzz.token_set_ratio(norm, name) * 0.9 if len(words) <= 4 else 0.0)
        for kw in cat.keywords:
            if f" {kw} " in padded:
                score += 40.0 + 5 * len(kw.split())
        for kw in cat.weak_keywords:
            if f" {kw} " in padded:
                score += WEAK
                break
        if cat.fuzzy_keywords:
            for w in long_words:
                if w not in cat.keywords and process.extractOne(w, cat.fuzzy_keywords, scorer=fuzz.ratio,
                                                                score_cutoff=85):
                    score += 30.0
        if score:
            scores[cat.code] = score
    return sorted(scores.items(), key=lambda kv: -kv[1])


def best_category(text: str, taxonomy: Taxonomy | None = None) -> str | None:
    """The one category a text clearly points to, or None (nothing, or a close call)."""
    ranked = category_scores(text, taxonomy)
    if not ranked or ranked[0][1] < 40:
        return None
    if len(ranked) > 1 and ranked[1][1] >= ranked[0][1] * 0.9:
        return None
    return ranked[0][0]


@dataclass(frozen=True)
class OneShot:
    """What the one-shot form ``COMPLAINT <text>`` contained."""

    rest: str
    category: str | None
    country: str | None
    story: bool  # enough words to count as "what happened"


def one_shot(text: str) -> OneShot | None:
    """Read ``COMPLAINT wages Saudi Arabia not paid 3 months`` (any language, order, case, separators)."""
    stripped = re.sub(r"^[\s#*:;,.\-]+", "", text or "")
    parts = re.split(r"[\s#*:;,.\-]+", stripped, maxsplit=1)
    if not parts or normalize(parts[0]) not in COMPLAINT_WORDS:
        return None
    rest = parts[1].strip(" #*:;,.-") if len(parts) > 1 else ""
    rest = re.sub(r"[#*;]+", " ", rest).strip()
    category = best_category(rest) if rest else None
    countries = load_countries()
    country = countries.find_in(rest) if rest else None
    words = normalize(rest).split()
    story = len(words) - countries.alias_words(rest) >= 4
    return OneShot(rest=rest, category=category, country=country, story=story)
