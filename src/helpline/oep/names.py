"""Licence numbers, agency names and cities as workers (and the Bureau's list) write them.

* A licence number is canonical as ``<digits>/<letters>`` (``1234/RWP``), leading zeros dropped; workers write
  ``OEP 1234/RWP``, ``1234-RWP``, ``1234 rwp``, ``RWP-1234``, ``licence no. 1234``, Urdu digits. A number without
  letters is kept as ``1234`` and matches that number in every city.
* A name is compared by its **core**: folded, punctuation dropped, and without the words every agency carries
  ("Overseas Employment Promoters", "OEP", "Manpower", "(Pvt) Ltd", "International", "Services", and their Urdu
  spellings), plus its consonant **skeleton** (:func:`helpline.classifier.skeleton`), which writes Urdu script
  and Roman Urdu alike, so ``زرولان`` finds ``Zarvolan``.
* A city is recognised from ``cities.toml`` (names, Urdu spellings, codes such as ``LHR``).

Pure functions and data read once; nothing here touches the database.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from helpline.text import ascii_digits, normalize

CITIES_FILE = Path(__file__).with_name("cities.toml")

_PREFIX = r"(?:oep|o\.e\.p|licen[cs]e|lisence|lic|no|number|nmbr|#|لائسنس|نمبر)"
# "1234/RWP", "1234-rwp", "1234 RWP", "OEP 1234/RWP", "lic no. 0123 / lhr"
_NUM_CODE = re.compile(r"(?<![\w/])(\d{1,5})\s*(?:[/\\\-–.]\s*|\s+)([A-Za-z]{2,4})(?![A-Za-z])")
# "RWP-1234", "RWP/1234"
_CODE_NUM = re.compile(r"(?<![A-Za-z])([A-Za-z]{2,4})\s*[/\\\-–]\s*(\d{1,5})(?![\d/])")
# "licence 1234", "OEP no 1234", "لائسنس نمبر 1234"
_PREFIXED_NUM = re.compile(rf"{_PREFIX}[\s.:#\-]*(?:{_PREFIX}[\s.:#\-]*)?(\d{{1,5}})(?![\d/])", re.IGNORECASE)
_BARE_NUM = re.compile(r"^\D*?(\d{1,5})\D*$")
_CANONICAL = re.compile(r"^(\d{1,5})(?:/([A-Z]{2,4}))?$")
# Letter runs after a number that are words, not city codes ("4 lakh", "2 saal", "1234 hai").
_NOT_CODES = frozenset({
    "lakh", "lac", "lacs", "hai", "he", "hain", "ka", "ki", "ke", "ko", "se", "me", "mein", "main", "tha", "thi",
    "saal", "sal", "din", "rs", "pkr", "the", "and", "is", "was", "per", "ok", "plz", "no", "not", "nahi", "year",
    "days", "day", "wala", "wali", "sar", "sr", "aed", "riyal", "hy", "h",
})

GENERIC_PHRASES = tuple(normalize(p) for p in (
    "overseas employment promoters", "overseas employment promoter", "overseas employment", "employment promoters",
    "overseas employment corporation", "man power", "private limited", "pvt ltd", "pvt limited", "recruiting agency",
    "recruitment agency", "travel and tours", "travels and tours", "اوورسیز ایمپلائمنٹ پروموٹرز",
    "اوورسیز ایمپلائمنٹ", "مین پاور", "پرائیویٹ لمیٹڈ",
))
GENERIC_WORDS = frozenset(normalize(w) for w in (
    "overseas", "oversea", "oversease", "employment", "promoters", "promoter", "promotors", "oep", "oeps",
    "manpower", "pvt", "private", "ltd", "limited", "ltd.", "international", "internationals", "intl", "services",
    "service", "recruiting", "recruitment", "recruiters", "agency", "agencies", "company", "co", "corporation",
    "enterprises", "enterprise", "and", "the", "m/s", "ms", "&", "trading", "consultants", "consultant",
    "اوورسیز", "اورسیز", "اوورسیزز", "ایمپلائمنٹ", "ایمپلائیمنٹ", "امپلائمنٹ", "پروموٹرز", "پروموٹر", "پروموٹرس",
    "مینپاور", "پاور", "پرائیویٹ", "پرائیوٹ", "لمیٹڈ", "لمیٹیڈ", "انٹرنیشنل", "سروسز", "سروس", "ایجنسی",
    "کمپنی", "اینڈ", "ٹریڈنگ",
))
# Words around a name in a worker's question ("is X licensed?", "X ka licence check karo", "کیا X رجسٹرڈ ہے").
QUESTION_WORDS = frozenset(normalize(w) for w in (
    "is", "are", "was", "a", "an", "this", "that", "my", "called", "named", "name", "in", "from", "of", "at", "city",
    "licensed", "licenced", "license", "licence", "lisence", "licens", "lic", "valid", "registered", "register",
    "genuine", "real", "legit", "legal", "fake", "check", "chek", "verify", "please", "plz", "pls", "can", "you",
    "i", "want", "to", "know", "if", "whether", "agent", "agents", "ejent", "number", "no", "it", "does", "do",
    "have", "has", "ok", "okay", "or", "not", "with", "bureau", "list", "on", "office", "approved", "tell", "me",
    "ka", "ki", "ke", "ko", "hai", "he", "h", "hain", "kya", "kia", "ye", "yeh", "wo", "woh", "asli", "jaali", "jali",
    "sahi", "theek", "thik", "bata", "batao", "btao", "bta", "karo", "kro", "karna", "krna", "karni", "krni", "hy",
    "mera", "meri", "mere", "wala", "wali", "walay", "se", "mein", "me", "naam", "nam", "bhai", "ji", "sir",
    "chal", "raha", "rha", "cancel", "hua", "ya", "nahi", "ni", "check", "kar", "kr", "do", "dein", "den", "is",
    "کیا", "یہ", "وہ", "ہے", "ہیں", "کا", "کی", "کے", "کو", "میں", "سے", "لائسنس", "لائسنسڈ", "یافتہ", "ایجنٹ",
    "چیک", "کریں", "کرنا", "کرو", "اصلی", "جعلی", "رجسٹرڈ", "منظور", "شدہ", "نمبر", "نام", "والا", "والی", "درست",
    "صحیح", "بتائیں", "بتاؤ", "میرا", "میری", "ہو", "او", "ای", "پی",
))


def _key(text: str) -> str:
    return normalize(ascii_digits(text or ""))


# -- licence numbers ------------------------------------------------------------------------------------------


def canonical_licence(number: str, code: str | None = None) -> str:
    """``1234/RWP`` from its digits and letters (leading zeros dropped); ``1234`` without letters."""
    digits = str(int(number))
    return f"{digits}/{code.upper()}" if code else digits


def parse_licence(value: str) -> str | None:
    """A licence number as the Bureau's list or a staff member writes it, canonical; None if it is not one."""
    value = ascii_digits(value or "").strip()
    if m := _NUM_CODE.search(value):
        return canonical_licence(m[1], m[2])
    if m := _CODE_NUM.search(value):
        return canonical_licence(m[2], m[1])
    if re.fullmatch(r"\d{1,5}", value):
        return canonical_licence(value)
    return None


def find_licence(text: str) -> str | None:
    """The licence number in a worker's message, canonical (``1234/RWP``, or ``1234`` when no city code was
    given); None when the message has none. A number followed by a word ("4 lakh") is not a licence."""
    text = ascii_digits(text or "")
    for m in _NUM_CODE.finditer(text):
        if m[2].casefold() not in _NOT_CODES:
            return canonical_licence(m[1], m[2])
    for m in _CODE_NUM.finditer(text):
        if m[1].casefold() not in _NOT_CODES:
            return canonical_licence(m[2], m[1])
    if m := _PREFIXED_NUM.search(text):
        return canonical_licence(m[1])
    if (m := _BARE_NUM.match(text)) and len(text.split()) <= 2:
        return canonical_licence(m[1])
    return None


def licence_digits(licence: str) -> str:
    """The number part of a canonical licence (``1234/RWP`` → ``1234``)."""
    return licence.split("/", 1)[0]


def is_canonical(licence: str) -> bool:
    """True for ``1234/RWP`` or ``1234``."""
    return bool(_CANONICAL.match(licence or ""))


# -- cities ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class City:
    """A city: its id, its names per script, and every spelling (normalised) that means it."""

    id: str
    en: str
    ur: str
    forms: tuple[str, ...]

    def name(self, lang: str) -> str:
        """The city's name for a reply in ``lang``."""
        return self.ur if lang == "ur" else self.en


@dataclass(frozen=True)
class Cities:
    """Every known city, and a lookup from a normalised spelling to it."""

    by_id: dict[str, City]
    by_form: dict[str, str]
    longest: int  # words in the longest spelling

    def city_of(self, value: str | None) -> City | None:
        """The city a cell or a word names (``Lahore``, ``lhr``, ``لاہور``), if known."""
        found = self.by_form.get(_key(value or ""))
        return self.by_id.get(found) if found else None

    def display(self, value: str | None, lang: str) -> str:
        """A stored city as shown to a worker: its Urdu name in Urdu when known, else as stored."""
        city = self.city_of(value)
        return city.name(lang) if city else (value or "")


@lru_cache(maxsize=1)
def cities() -> Cities:
    """The packaged city table (read once)."""
    with CITIES_FILE.open("rb") as fh:
        data = tomllib.load(fh)
    by_id, by_form = {}, {}
    for cid, entry in data.items():
        forms = tuple(dict.fromkeys(_key(f) for f in (entry["en"], entry["ur"], cid.replace("_", " "),
                                                      *entry.get("aliases", [])) if _key(f)))
        by_id[cid] = City(cid, entry["en"], entry["ur"], forms)
        for form in forms:
            by_form.setdefault(form, cid)
    return Cities(by_id, by_form, max(len(f.split()) for f in by_form))


def city_key(value: str | None) -> str:
    """The key a stored city is grouped by: the known city's id, else its normalised text."""
    city = cities().city_of(value)
    return city.id if city else _key(value or "")


# -- names ----------------------------------------------------------------------------------------------------


def name_core(name: str) -> str:
    """A name without punctuation and the words every agency carries; the whole name if nothing else is left."""
    norm = re.sub(r"^m\s*/?\s*s\b\.?", " ", _key(name))  # "M/S" (messrs) before a name
    norm = re.sub(r"[^\w\s]", " ", norm.replace("&", " and "))
    norm = " ".join(norm.split())
    padded = f" {norm} "
    for phrase in GENERIC_PHRASES:
        padded = padded.replace(f" {phrase} ", " ")
    words = [w for w in padded.split() if w not in GENERIC_WORDS]
    return " ".join(words) or norm


def name_skeleton(core: str) -> str:
    """The consonant skeleton of a name's core, without spaces ("Al Noor" and "النور" both ``lnr``)."""
    from helpline.classifier import skeleton

    return skeleton(core).replace(" ", "")


@dataclass(frozen=True)
class Query:
    """What a worker's message asks about: a licence number, or a name (its core) and perhaps a city."""

    licence: str | None = None
    name: str = ""
    city: str | None = None  # a city id from cities.toml

    @property
    def empty(self) -> bool:
        """Nothing to look up."""
        return not (self.licence or self.name)


def read_query(text: str) -> Query:
    """A worker's message as a lookup: the licence number if it has one; else the name with the question words
    ("is … licensed", "… ka licence check karo", "کیا … رجسٹرڈ ہے") and the city taken out."""
    licence = find_licence(text)
    words = re.sub(r"[^\w\s&]", " ", _key(text)).split()
    table = cities()
    city: str | None = None
    kept: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(table.longest, len(words) - i), 0, -1):
            found = table.by_form.get(" ".join(words[i:i + size]))
            if found and (size > 1 or len(words[i]) > 2 or i > 0):
                city = city or found
                i += size
                break
        else:
            kept.append(words[i])
            i += 1
    name = " ".join(w for w in kept if w not in QUESTION_WORDS and not w.isdigit())
    if licence:
        return Query(licence=licence, city=city)
    return Query(name=name_core(name) if name else "", city=city)


def name_as_typed(text: str) -> str:
    """The agency's name as the worker wrote it, without the question around it ("is Zarvolan Overseas licensed
    in Lahore?" → "Zarvolan Overseas"); for a complaint's "against whom". Empty when nothing is left."""
    table = cities()
    kept = []
    for word in re.sub(r"[^\w\s&.\-/]", " ", ascii_digits(text or "")).split():
        key = _key(word.strip(".-/"))
        if not key or key in QUESTION_WORDS or key in table.by_form or any(ch.isdigit() for ch in key):
            continue
        kept.append(word)
    return " ".join(kept).strip(" .-")
