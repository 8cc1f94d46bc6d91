"""Resolve message keys to words, per language, at the last moment.

Interface strings live in gettext catalogs, ``locales/<lang>/LC_MESSAGES/helpline.po`` plus one ``<concern>.po``
per concern (``complaints.po``, ``status.po``, ...; ``ur-Latn`` is stored as
``ur_Latn``, gettext's spelling), read with Babel. Message ids are symbolic (``menu.title``); every catalog,
English included, carries the words. Knowledge-base texts are addressed as ``kb:<topic>:<field>``; the answers
with their source line as ``kb:<topic>:answer`` (``answer_long`` the full one, ``answer_sms`` the one-SMS one).

Fallback chain: the requested language → the default language → the key itself (so a missing string is
visible, never a crash).
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any, Mapping

from babel.messages.pofile import read_po

from helpline.kb import KnowledgeBase
from helpline.messages import DEFAULT_LANGUAGE, LANGUAGES, Text

DOMAIN = "helpline"


def catalog_dir(lang: str) -> str:
    """The folder name of a language's catalog (BCP 47 ``ur-Latn`` → gettext ``ur_Latn``)."""
    return lang.replace("-", "_")


def load_catalogs(locales_dir: Path) -> dict[str, dict[str, str]]:
    """Every language's catalog as ``{msgid: msgstr}`` (untranslated and fuzzy entries left out)."""
    catalogs: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        catalogs[lang] = {}
        for path in catalog_files(locales_dir, lang):
            with path.open("rb") as fh:
                cat = read_po(fh, locale=None)
            catalogs[lang].update(
                (str(m.id), str(m.string)) for m in cat if m.id and m.string and not m.fuzzy and isinstance(m.id, str)
            )
    return catalogs


def catalog_files(locales_dir: Path, lang: str) -> list[Path]:
    """A language's catalogs: ``helpline.po`` first, then one file per concern (``complaints.po``, ...)."""
    folder = Path(locales_dir) / catalog_dir(lang) / "LC_MESSAGES"
    main = folder / f"{DOMAIN}.po"
    if not main.is_file():
        raise FileNotFoundError(main)
    return [main] + sorted(p for p in folder.glob("*.po") if p != main)


class _Lenient(string.Formatter):
    """``str.format`` that leaves an unknown ``{name}`` visible instead of raising."""

    def get_value(self, key: Any, args: Any, kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, str) and key not in kwargs:
            return "{" + key + "}"
        return super().get_value(key, args, kwargs)


_FORMATTER = _Lenient()


class I18n:
    """Turns :class:`~helpline.messages.Text` into words in one language."""

    def __init__(self, catalogs: dict[str, dict[str, str]], kb: KnowledgeBase, default: str = DEFAULT_LANGUAGE):
        self.catalogs = catalogs
        self.kb = kb
        self.default = default

    def gettext(self, key: str, lang: str) -> str:
        """The raw string for a key, through the fallback chain."""
        for candidate in (lang, self.default, DEFAULT_LANGUAGE):
            found = self.catalogs.get(candidate, {}).get(key)
            if found:
                return found
        return key

    def variant(self, text: Text, channel: str | None, lang: str) -> Text:
        """The channel's own wording of a key, if the language's catalog has one: on SMS, where every part is
        paid for, ``K.sms`` (a short menu label, a shorter question; kept in ``sms.po``) stands in for ``K``.
        Only the language's own catalog counts, so a missing Urdu short form never falls back to English."""
        if channel and not text.key.startswith("kb:"):
            key = f"{text.key}.{channel}"
            if key in self.catalogs.get(lang, {}):
                return Text(key, text.params)
        return text

    def render(self, text: Text, lang: str) -> str:
        """Words for a key + parameters; parameters that are themselves :class:`Text` are rendered too."""
        if text.key.startswith("kb:"):
            _, topic, field = text.key.split(":", 2)
            if topic not in self.kb.topics:
                return text.key
            country = text.params.get("country")  # the worker's destination: that country's rule, if any
            if field == "answer":
                return self.kb.answer(topic, lang, country=country)
            if field == "answer_long":
                return self.kb.answer(topic, lang, long=True, country=country)
            if field == "answer_sms":
                return self.kb.answer(topic, lang, sms=True, country=country)
            return self.kb.text(topic, field, lang)
        params = {k: self.render(v, lang) if isinstance(v, Text) else v for k, v in text.params.items()}
        template = self.gettext(text.key, lang)
        try:
            return _FORMATTER.format(template, **params)
        except (ValueError, IndexError):  # a broken template must not break a reply
            return template
