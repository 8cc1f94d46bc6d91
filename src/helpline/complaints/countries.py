"""Countries by ISO code, found from names and cities in English, Urdu script and Roman Urdu (fuzzy)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from helpline.errors import InvalidInput
from helpline.text import normalize

COUNTRIES_FILE = Path(__file__).with_name("countries.toml")
_LANG_KEYS = ("en", "ur", "ur-Latn")
SURE = 86  # fuzzy score for a single clear answer
MAYBE = 72  # fuzzy score for "did you mean"
_MIN_FUZZY_LEN = 4  # shorter aliases (UAE, KSA, UK) must match exactly
# Words that, around a country or city, only say where the worker is ("main Dubai mein hun", "I am in Qatar").
WHERE_WORDS: frozenset[str] = frozenset(normalize(w) for w in (
    "i", "am", "im", "m", "we", "are", "is", "in", "at", "from", "now", "currently", "still", "here", "there",
    "live", "living", "work", "working", "stay", "staying", "city", "country", "my", "the",
    "main", "mein", "mai", "me", "mn", "ma", "hun", "hoon", "hu", "hon", "hn", "hain", "hai", "abhi", "ab", "yahan",
    "rehta", "rehti", "rahta", "rahti", "kaam", "karta", "karti", "krta", "krti", "mera", "meri", "mulk", "shehar",
    "hum", "se", "ka", "ki",
    "میں", "مین", "ہوں", "ہو", "ہیں", "ہے", "ابھی", "اب", "یہاں", "رہتا", "رہتی", "کام", "کرتا", "کرتی", "میرا",
    "میری", "ملک", "شہر", "ہم", "سے",
))


@dataclass(frozen=True)
class Countries:
    """Display names per language and every normalised alias → code."""

    names: dict[str, dict[str, str]]  # code → lang → display name
    aliases: dict[str, str]  # normalised alias → code

    def name(self, code: str | None, lang: str) -> str:
        """The display name of ``code`` in ``lang`` (the code itself if unknown)."""
        if not code:
            return ""
        names = self.names.get(code)
        return (names.get(lang) or names["en"]) if names else code

    def match(self, text: str) -> list[tuple[str, float]]:
        """Candidate codes for an answer to "which country?", best first (one with score 100 when certain)."""
        norm = normalize(text)
        if not norm:
            return []
        if norm in self.aliases:
            return [(self.aliases[norm], 100.0)]
        found = self.find_in(text)
        if found:
            return [(found, 100.0)]
        if len(norm) < _MIN_FUZZY_LEN:
            return []
        best: dict[str, float] = {}
        for alias, score, _ in process.extract(norm, list(self.aliases), scorer=fuzz.ratio, limit=8,
                                               score_cutoff=MAYBE):
            if len(alias) >= _MIN_FUZZY_LEN:
                code = self.aliases[alias]
                best[code] = max(best.get(code, 0.0), float(score))
        return sorted(best.items(), key=lambda kv: -kv[1])

    def find_in(self, text: str) -> str | None:
        """The country named anywhere in a longer text (exact alias, or a close spelling of a long one)."""
        words = normalize(text).split()
        for size in (3, 2, 1):
            for i in range(len(words) - size + 1):
                gram = " ".join(words[i:i + size])
                if gram in self.aliases:
                    return self.aliases[gram]
        for size in (2, 1):
            for i in range(len(words) - size + 1):
                gram = " ".join(words[i:i + size])
                if len(gram) < 5 or gram.isdigit():
                    continue
                hit = process.extractOne(gram, list(self.aliases), scorer=fuzz.ratio, score_cutoff=88)
                if hit and len(hit[0]) >= 5:
                    return self.aliases[hit[0]]
        return None

    def alias_words(self, text: str) -> int:
        """How many words of ``text`` are part of a country or city name (to tell a story from a form)."""
        words = normalize(text).split()
        used = 0
        for w in words:
            if w in self.aliases or any(w in a.split() for a in self._multiword):
                used += 1
        return used

    def only_place(self, text: str, max_words: int = 12) -> bool:
        """True when ``text`` only says where the worker is ("Qatar", "main UAE mein hun", "میں دبئی میں ہوں"):
        a country or city, and nothing but :data:`WHERE_WORDS` around it."""
        words = normalize(text).split()
        if not words or len(words) > max_words:
            return False
        places = self.alias_words(text)
        return places > 0 and len([w for w in words if w not in WHERE_WORDS]) <= places

    @property
    def _multiword(self) -> list[str]:
        return [a for a in self.aliases if " " in a]


def parse(data: dict) -> Countries:
    """Build :class:`Countries` from the TOML structure."""
    names: dict[str, dict[str, str]] = {}
    aliases: dict[str, str] = {}
    for code, entry in data.items():
        if len(code) != 2 or not code.isupper():
            raise InvalidInput(f"countries: {code!r} is not an ISO 3166-1 alpha-2 code")
        names[code] = {lang: entry[lang][0] for lang in _LANG_KEYS}
        for key in (*_LANG_KEYS, "cities"):
            for alias in entry.get(key, []):
                norm = normalize(alias)
                if norm and norm not in aliases:
                    aliases[norm] = code
    return Countries(names, aliases)


@lru_cache(maxsize=2)
def load(path: Path = COUNTRIES_FILE) -> Countries:
    """Read the countries file (cached)."""
    with path.open("rb") as fh:
        return parse(tomllib.load(fh))
