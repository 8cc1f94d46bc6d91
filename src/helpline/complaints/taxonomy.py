"""The complaint taxonomy (categories, responsible bodies, urgent words), read from ``taxonomy.toml``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from helpline.errors import InvalidInput
from helpline.messages import LANGUAGES
from helpline.text import normalize

TAXONOMY_FILE = Path(__file__).with_name("taxonomy.toml")


@dataclass(frozen=True)
class Body:
    """A responsible body (CWA, Protector of Emigrants, FIA, ...), named in each language."""

    code: str
    names: dict[str, str]

    def name(self, lang: str) -> str:
        """The body's name in ``lang`` (English if missing)."""
        return self.names.get(lang) or self.names["en"]


@dataclass(frozen=True)
class Category:
    """A complaint category: names, default body, urgency and matching keywords (normalised)."""

    code: str
    names: dict[str, str]
    body: str
    urgent: bool
    keywords: tuple[str, ...]
    norm_names: tuple[str, ...] = ()  # the names, normalised, for matching
    fuzzy_keywords: tuple[str, ...] = ()  # single-word keywords long enough for typo-tolerant matching
    shorts: dict[str, str] = field(default_factory=dict)  # the name on an SMS menu
    topics: tuple[str, ...] = ()  # FAQ topics whose answer offers to file a complaint in this category
    party: bool = False  # the intake asks who the complaint is against (employer or agent)
    weak_keywords: tuple[str, ...] = ()  # words that point here only when nothing else is named ("kafeel")

    def name(self, lang: str) -> str:
        """The category's name in ``lang`` (English if missing)."""
        return self.names.get(lang) or self.names["en"]

    def short(self, lang: str) -> str:
        """The category's short name in ``lang`` (its name when it has none)."""
        return self.shorts.get(lang) or self.shorts.get("en") or self.name(lang)


@dataclass(frozen=True)
class Taxonomy:
    """Every category (in menu order), body and urgent word."""

    categories: tuple[Category, ...]
    bodies: dict[str, Body]
    urgent_words: tuple[tuple[str, str], ...]  # (normalised phrase, reason)

    def category(self, code: str) -> Category | None:
        """The category with this code."""
        return next((c for c in self.categories if c.code == code), None)

    def for_topic(self, topic: str | None) -> Category | None:
        """The category an FAQ topic is a complaint of (unpaid wages → wages), if it is one."""
        return next((c for c in self.categories if topic and topic in c.topics), None)

    def body(self, code: str) -> Body:
        """The body with this code (the helpline itself for an unknown code)."""
        return self.bodies.get(code) or self.bodies["HELPLINE"]

    def urgent_reason(self, text: str) -> str | None:
        """The reason code of the first urgent word or phrase in ``text``, if any."""
        padded = f" {normalize(text)} "
        for phrase, reason in self.urgent_words:
            if f" {phrase} " in padded:
                return reason
        return None


def _phrases(words: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for p in (normalize(w) for w in words) if p))


def parse(data: dict) -> Taxonomy:
    """Build a :class:`Taxonomy` from the TOML structure, checking it is complete."""
    bodies = {code: Body(code, {lang: str(v[lang]) for lang in LANGUAGES}) for code, v in data["bodies"].items()}
    if "HELPLINE" not in bodies:
        raise InvalidInput("taxonomy: a HELPLINE body is required")
    categories = []
    for raw in data["categories"]:
        if raw["body"] not in bodies:
            raise InvalidInput(f"taxonomy: category {raw['code']!r} names unknown body {raw['body']!r}")
        names = {lang: str(raw[lang]) for lang in LANGUAGES}
        keywords = _phrases(list(raw.get("keywords", [])))
        categories.append(Category(code=raw["code"], names=names, body=raw["body"],
                                   urgent=bool(raw.get("urgent", False)), keywords=keywords,
                                   norm_names=_phrases(list(names.values())),
                                   fuzzy_keywords=tuple(k for k in keywords if " " not in k and len(k) >= 5),
                                   shorts={lang: str(v) for lang, v in raw.get("short", {}).items()},
                                   topics=tuple(raw.get("topics", ())), party=bool(raw.get("party", False)),
                                   weak_keywords=_phrases(list(raw.get("weak_keywords", [])))))
    codes = [c.code for c in categories]
    if len(set(codes)) != len(codes) or "other" not in codes:
        raise InvalidInput("taxonomy: category codes must be unique and include 'other'")
    words = tuple((p, reason) for reason, ws in data.get("urgent_words", {}).items() for p in _phrases(ws))
    return Taxonomy(tuple(categories), bodies, words)


@lru_cache(maxsize=4)
def load(path: Path = TAXONOMY_FILE) -> Taxonomy:
    """Read and check the taxonomy file (cached)."""
    with path.open("rb") as fh:
        return parse(tomllib.load(fh))
