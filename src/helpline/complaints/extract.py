"""What a worker's own words already say about a complaint, so the intake does not ask it again.

``read("my company Al Safi in Riyadh has not paid me for 4 months")`` → category ``wages``, country ``SA``, for
the worker themself, against the employer "Al Safi". Everything here is a reading to show back for confirmation,
never a decision: the intake keeps the worker's words as the story whatever is read from them, and the summary
lets the worker correct any field. Pure functions over text, in English, Urdu script and Roman Urdu.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from helpline.complaints import parse as cparse
from helpline.complaints.countries import load as load_countries
from helpline.complaints.taxonomy import load as load_taxonomy
from helpline.text import ascii_digits, normalize


def _forms(*typed: str) -> frozenset[str]:
    return frozenset(normalize(t) for t in typed)


# Words that only say "I want to complain" (and fillers around them): a message of these alone tells no story.
OPENER = _forms(
    "i", "want", "wanna", "would", "like", "to", "a", "an", "the", "register", "file", "make", "lodge", "submit",
    "launch", "complaint", "complain", "complaints", "please", "plz", "pls", "sir", "madam", "need", "help", "my",
    "about", "against", "regarding", "do", "have", "is", "there", "can", "you", "me", "hello", "hi", "salam",
    "shikayat", "shikayt", "shikait", "shkyt", "darj", "karni", "krni", "karna", "krna", "karwani", "krwani",
    "karwana", "karani", "karana", "hai", "he", "hain", "mujhe", "mujhy", "meri", "mera", "mere", "ki", "ka",
    "ke", "k", "ko", "se", "khilaf", "khilaaf", "baare", "bare", "mein", "me", "main", "ek", "aik", "chahta",
    "chahti", "chahiye", "chahye", "hun", "hoon", "ji", "bhai", "assalam", "o", "alaikum", "aoa",
    "شکایت", "درج", "کرنی", "کرانی", "کروانی", "کرنا", "ہے", "ہیں", "مجھے", "میری", "میرا", "کی", "کا", "کے",
    "سے", "خلاف", "بارے", "میں", "ایک", "چاہتا", "چاہتی", "ہوں", "جی", "کمپلینٹ",
)
QUESTION = _forms("how", "where", "what", "kaise", "kese", "kaisay", "kesay", "kahan", "kidhar", "kya", "kia",
                  "kis", "tarika", "tareeqa", "کیسے", "کہاں", "کیا", "طریقہ", "?", "؟")
STORY_WORDS = 4  # this many words beyond the opener tell what happened

# "my brother", "mera bhai", "میرا بھائی": a family member is the worker.
_POSSESSIVE = _forms("my", "mera", "meri", "mere", "hamara", "hamari", "hamare", "humara", "humari", "میرا",
                     "میری", "میرے", "ہمارا", "ہماری", "ہمارے")
_RELATION = _forms("brother", "sister", "husband", "wife", "son", "daughter", "father", "mother", "uncle",
                   "cousin", "nephew", "bhai", "behen", "bahen", "shohar", "shauhar", "biwi", "beta", "beti",
                   "abbu", "walid", "ammi", "walida", "chacha", "mamu", "bhanja", "bhatija", "بھائی", "بہن",
                   "شوہر", "بیوی", "بیٹا", "بیٹی", "والد", "والدہ", "ابو", "امی", "چچا", "ماموں")
# First-person words that mean the sender is the worker ("main"/"mein" and Urdu "میں" also mean "in": only
# "main ne" / "میں نے" count).
_SELF_EN = frozenset(("i", "me", "my", "mine", "myself", "im", "i'm"))  # as typed: "me" normalises to "main" (in)
_SELF = _forms("mujhe", "mujhy", "mujh", "mera", "meri", "mere", "maine",
               "mene", "humein", "hamein", "مجھے", "میرا", "میری", "میرے", "ہمیں")
_SELF_PHRASES = tuple(f" {normalize(p)} " for p in ("main ne", "mai ne", "میں نے"))

# Who the complaint is against: a word that names the party's kind, before or after its name.
EMPLOYER_WORDS = _EMPLOYER = _forms("company", "kampani", "kampany", "compny", "kafeel", "kafil", "sponsor", "employer",
                   "malik", "seth", "کمپنی", "کفیل", "مالک")
EMPLOYER_SUFFIXES = _EMPLOYER_SUFFIX = _forms("company", "co", "trading", "contracting", "establishment", "est", "group", "llc",
                          "construction", "cleaning", "services", "کمپنی")
AGENT_WORDS = _AGENT = _forms("agent", "oep", "promoter", "ایجنٹ")
AGENT_SUFFIXES = _AGENT_SUFFIX = _forms("overseas", "manpower", "travel", "travels", "enterprises", "promoters", "recruiting",
                       "recruitment", "اوورسیز", "ٹریولز", "ٹریول", "مین پاور")
_NAME_INTRO = _forms("name", "naam", "called", "named", "is", "ka", "ki", "ke", "نام", "کا", "کی")
_NOT_A_NAME = _forms(
    "i", "the", "a", "an", "my", "our", "his", "her", "their", "is", "was", "has", "have", "had", "not", "did", "does",
    "in", "at", "of", "for", "to", "from", "and", "by", "with", "on", "he", "she", "they", "it", "me", "us",
    "ne", "nay", "ki", "ka", "ke", "ko", "se", "mein", "main", "mujhe", "hai", "hain", "tha", "thi", "aur", "ya",
    "mera", "meri", "mere", "wala", "wali", "wale", "jo", "ye", "yeh", "woh", "wo", "us", "is", "nahi", "nahin",
    "bhi", "ab", "abhi", "also", "who", "which", "that", "this", "paid", "pay", "salary", "passport", "visa",
    "took", "kept", "says", "said", "has", "not", "months", "month", "mahine", "saal", "years", "sent",
    "نے", "کی", "کا", "کے", "کو", "سے", "میں", "ہے", "تھا", "اور", "یا", "نہیں", "جو", "یہ", "وہ", "بھی",
)
MAX_NAME_WORDS = 4
LIKELY_SCORE = 40  # a keyword of the category, not just a name that looks a little alike

CNIC_IN = _CNIC_IN = re.compile(r"(?<!\d)(\d{5}[-\s]?\d{7}[-\s]?\d)(?!\d)")
PASSPORT_IN = _PASSPORT_IN = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2}\s?\d{7})(?![A-Za-z0-9])")  # Pakistan's: 2 letters, 7 digits
_WORD = re.compile(r"[^\s,.;:!?،۔؟()\"'#*]+")


@dataclass(frozen=True)
class Said:
    """What one message says about a complaint (None: it does not say)."""

    category: str | None = None  # the one category it clearly points to
    likely: tuple[str, ...] = ()  # categories it points to, best first
    country: str | None = None
    affected: str | None = None  # "self" | "family"
    relation: str | None = None  # the family member ("brother"), as typed
    employer: str | None = None
    agent: str | None = None
    cnic: str | None = None
    passport: str | None = None
    story: bool = False  # it tells what happened (more than "I want to complain")


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def content_words(text: str) -> list[str]:
    """The words of a message that say something beyond "I want to complain"."""
    return [w for w in _words(text) if normalize(w) and normalize(w) not in OPENER]


def is_opening(text: str) -> bool:
    """Only "I want to complain" (in any language), without a question: the intake starts, asking the story."""
    words = [normalize(w) for w in _words(text)]
    if not words or any(w in QUESTION for w in words) or "?" in text or "؟" in text:
        return False
    return cparse.is_complaint_word(text) and not content_words(text)


def tells_story(text: str) -> bool:
    """Enough words beyond the opener to count as what happened."""
    return len(content_words(text)) >= STORY_WORDS


def who(text: str) -> tuple[str | None, str | None]:
    """``("family", "brother")`` when a family member is named as the worker, ``("self", None)`` for first-person
    words, else ``(None, None)``."""
    words = _words(text)
    norms = [normalize(w) for w in words]
    for i, norm in enumerate(norms):
        if norm in _RELATION and i > 0 and norms[i - 1] in _POSSESSIVE:
            return "family", words[i]
    padded = f" {' '.join(norms)} "
    if any(w.lower() in _SELF_EN for w in words) or any(n in _SELF for n in norms) \
            or any(p in padded for p in _SELF_PHRASES):
        return "self", None
    return None, None


def _name_after(words: list[str], norms: list[str], i: int) -> str | None:
    j = i + 1
    while j < len(words) and norms[j] in _NAME_INTRO:
        j += 1
    introduced = j > i + 1
    if j < len(words) and not introduced and words[j][:1].islower():
        return None  # "kafeel beats me": only a name said to be one, or one written like a name, is taken
    name: list[str] = []
    while j < len(words) and len(name) < MAX_NAME_WORDS and norms[j] not in _NOT_A_NAME \
            and norms[j] not in OPENER and not any(ch.isdigit() for ch in words[j]):
        name.append(words[j])
        j += 1
    return " ".join(name) if name and len(" ".join(name)) >= 3 else None


def _name_before(words: list[str], norms: list[str], i: int) -> str | None:
    j = i - 1
    name: list[str] = []
    while j >= 0 and len(name) < MAX_NAME_WORDS - 1 and norms[j] not in _NOT_A_NAME and norms[j] not in OPENER \
            and norms[j] not in _EMPLOYER | _AGENT and not any(ch.isdigit() for ch in words[j]):
        name.insert(0, words[j])
        j -= 1
    return " ".join([*name, words[i]]) if name else None


def party(text: str, kinds: frozenset[str], suffixes: frozenset[str]) -> str | None:
    """A named party: "Al Noor Overseas" (a name before its kind) or "agent Rashid" (after it)."""
    words = _words(text)
    norms = [normalize(w) for w in words]
    for i, norm in enumerate(norms):
        if norm in suffixes and (found := _name_before(words, norms, i)):
            return found
    for i, norm in enumerate(norms):
        if norm in kinds and (found := _name_after(words, norms, i)):
            return found
    return None


def identity_numbers(text: str) -> tuple[str | None, str | None]:
    """A CNIC (13 digits) and a Pakistani passport number (2 letters, 7 digits) anywhere in a text."""
    plain = ascii_digits(text)
    cnic = _CNIC_IN.search(plain)
    passport = _PASSPORT_IN.search(plain)
    return (re.sub(r"[-\s]", "", cnic.group(1)) if cnic else None,
            passport.group(1).replace(" ", "").upper() if passport else None)


def read(text: str) -> Said:
    """Everything one message says about a complaint."""
    content = content_words(text)
    ranked = [code for code, score in cparse.category_scores(text) if score >= LIKELY_SCORE] if content else []
    affected, relation = who(text)
    cnic, passport = identity_numbers(text)
    category = cparse.best_category(text) if content else None
    top = load_taxonomy().category(ranked[0]) if ranked else None
    if category is None and top is not None and top.urgent:
        category = top.code  # a close call between harms ("beaten", "injured"): the first is taken, staff may correct
    return Said(category=category, likely=tuple(ranked),
                country=load_countries().find_in(text), affected=affected, relation=relation,
                employer=party(text, _EMPLOYER, _EMPLOYER_SUFFIX), agent=party(text, _AGENT, _AGENT_SUFFIX),
                cnic=cnic, passport=passport, story=tells_story(text))
