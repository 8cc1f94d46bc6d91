"""The kinds of record and the status codes, read from ``codes.toml`` (data, so staff can add more)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from helpline.errors import InvalidInput
from helpline.messages import DEFAULT_LANGUAGE, LANGUAGES

CODES_FILE = Path(__file__).with_name("codes.toml")
_SEPARATORS = re.compile(r"[\s\-_/]+")


@dataclass(frozen=True)
class Kind:
    """A kind of record (``passport``, ``protector``, ``skills_passport``) and its name per language."""

    id: str
    names: dict[str, str]

    def name(self, lang: str) -> str:
        """The kind's name in ``lang`` (English if missing)."""
        return self.names.get(lang) or self.names[DEFAULT_LANGUAGE]


@dataclass(frozen=True)
class Code:
    """A status code, what it means and what to do next, per language."""

    id: str
    texts: dict[str, tuple[str, str]]  # lang -> (text, next step)
    final: bool = False

    def text(self, lang: str) -> str:
        """What the status means, in ``lang``."""
        return (self.texts.get(lang) or self.texts[DEFAULT_LANGUAGE])[0]

    def next_step(self, lang: str) -> str:
        """What the worker should do now, in ``lang``."""
        return (self.texts.get(lang) or self.texts[DEFAULT_LANGUAGE])[1]


@dataclass(frozen=True)
class Codebook:
    """Every kind and code, with the spellings the import accepts for each."""

    kinds: dict[str, Kind]
    codes: dict[str, Code]
    kind_aliases: dict[str, str]
    code_aliases: dict[str, str]

    def kind_id(self, value: str) -> str | None:
        """The kind id for a spelling such as ``Skills Passport`` or ``skills-passport``; None if unknown."""
        return self.kind_aliases.get(_key(value))

    def code_id(self, value: str) -> str | None:
        """The status code id for a spelling such as ``Ready for collection``; None if unknown."""
        return self.code_aliases.get(_key(value))


def _key(value: str) -> str:
    return _SEPARATORS.sub("_", value.strip().casefold())


def parse(data: dict) -> Codebook:
    """Build a codebook from the TOML data; raise :class:`InvalidInput` naming what is wrong."""
    kinds, codes, kind_aliases, code_aliases = {}, {}, {}, {}
    for kid, entry in data.get("kinds", {}).items():
        names = {lang: entry[lang] for lang in LANGUAGES if entry.get(lang)}
        if DEFAULT_LANGUAGE not in names:
            raise InvalidInput(f"kind {kid}: no {DEFAULT_LANGUAGE} name")
        kinds[kid] = Kind(kid, names)
        for alias in [kid, *entry.get("aliases", [])]:
            kind_aliases[_key(alias)] = kid
    for cid, entry in data.get("codes", {}).items():
        texts = {lang: (entry[lang]["text"], entry[lang]["next"]) for lang in LANGUAGES if lang in entry}
        if DEFAULT_LANGUAGE not in texts:
            raise InvalidInput(f"status {cid}: no {DEFAULT_LANGUAGE} text")
        codes[cid] = Code(cid, texts, bool(entry.get("final", False)))
        for alias in [cid, *entry.get("aliases", [])]:
            code_aliases[_key(alias)] = cid
    return Codebook(kinds, codes, kind_aliases, code_aliases)


@lru_cache(maxsize=1)
def load() -> Codebook:
    """The packaged codebook (read once)."""
    with CODES_FILE.open("rb") as fh:
        return parse(tomllib.load(fh))
