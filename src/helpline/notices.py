"""Notices: short fixed texts a channel may send where free text is not allowed (WhatsApp's approved templates).

More than 24 hours after a worker last wrote, WhatsApp accepts from a business only a template Meta approved,
sent by its Content SID with the values of its placeholders (channels.md, "WhatsApp through Twilio"). A message
the helpline sends on its own (a case update, a status alert) therefore carries a :class:`NoticeRef` in its
outbox row: which notice can stand in for it, and the values of that notice's variables, already in the worker's
language. The WhatsApp channel sends the notice instead when the window is closed, and the full message once the
worker has replied (``docs/whatsapp.md``). Other channels ignore it.

The notices and their texts in every language are ``locales/whatsapp_templates.toml``: exactly what the operator
submits for approval, with WhatsApp's ``{{1}}``-style placeholders. :func:`load` reads and checks them; the
core only needs them to log what was sent and to show staff the text the console offers. No I/O but the file.

The window itself (:data:`WINDOW`, :func:`window_open`) is here too, so the channel and the console agree on it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from helpline.errors import InvalidInput
from helpline.messages import LANGUAGES

FILE = "whatsapp_templates.toml"
PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")
MAX_VALUE = 200  # a variable's value: one short line (Twilio takes up to 1600, but a notice is a doorbell)

CASE_UPDATE, STATUS_ALERT, REPLY_WAITING = "case_update", "status_alert", "reply_waiting"

WINDOW = timedelta(hours=24)  # WhatsApp's customer service window, from the worker's last message
MARGIN = timedelta(minutes=10)  # we learn of a message a little after WhatsApp's clock starts: do not cut it close


def window_open(since_inbound: timedelta | None) -> bool:
    """Whether free-form text may be sent on WhatsApp: the worker wrote less than 24 hours ago (minus a margin)."""
    return since_inbound is not None and since_inbound < WINDOW - MARGIN


@dataclass(frozen=True)
class NoticeRef:
    """Which notice can stand in for a message, and its variables' values (in the message's language)."""

    name: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, name: str, **params: Any) -> NoticeRef:
        """A reference with each value made one clean line (WhatsApp refuses line breaks in a variable)."""
        return cls(name, tuple((key, one_line(value)) for key, value in params.items()))

    def to_payload(self) -> dict[str, Any]:
        """The JSON kept in an outbox row's payload."""
        return {"name": self.name, "params": dict(self.params)}

    @classmethod
    def from_payload(cls, data: Any) -> NoticeRef | None:
        """The reference an outbox payload holds, or None (no notice, or not one this code can read)."""
        if not isinstance(data, Mapping) or not isinstance(data.get("name"), str):
            return None
        params = data.get("params") if isinstance(data.get("params"), Mapping) else {}
        return cls(data["name"], tuple((str(k), str(v)) for k, v in params.items()))


@dataclass(frozen=True)
class SentNotice:
    """A notice a channel sent in a message's place: its provider id and its words, for the conversation log."""

    name: str
    lang: str
    text: str
    provider_id: str


def one_line(value: Any) -> str:
    """A variable's value as WhatsApp takes it: no line breaks or tabs, no runs of spaces, at most 200 characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


@dataclass(frozen=True)
class Notice:
    """One notice: its purpose, its variables in placeholder order, its text per language."""

    name: str
    description: str
    variables: tuple[str, ...]
    texts: Mapping[str, str]

    def values(self, ref: NoticeRef) -> dict[str, str]:
        """The placeholder values (``{"1": …, "2": …}``, Twilio's ContentVariables) for a reference; a variable
        the reference lacks is an :class:`InvalidInput` (a bug at the caller, caught by the tests)."""
        given = dict(ref.params)
        missing = [v for v in self.variables if not given.get(v)]
        if missing:
            raise InvalidInput(f"notice {self.name!r} needs {', '.join(missing)}")
        return {str(n): given[v] for n, v in enumerate(self.variables, 1)}

    def render(self, ref: NoticeRef, lang: str) -> str:
        """The text as the worker reads it, placeholders filled."""
        values = self.values(ref)
        return PLACEHOLDER.sub(lambda m: values[m.group(1)], self.texts[lang])


def check(notices: Mapping[str, Notice]) -> list[str]:
    """What breaks Meta's rules for templates (or ours): placeholders not 1..n in order, a placeholder at the
    very start or end, two placeholders side by side, a language missing."""
    problems = []
    for notice in notices.values():
        expected = [str(n) for n in range(1, len(notice.variables) + 1)]
        for lang in LANGUAGES:
            text = notice.texts.get(lang, "")
            where = f"{notice.name} [{lang}]"
            if not text.strip():
                problems.append(f"{where}: no text")
                continue
            if PLACEHOLDER.findall(text) != expected:
                problems.append(f"{where}: placeholders {PLACEHOLDER.findall(text)}, expected {expected}")
            if PLACEHOLDER.match(text.strip()) or re.search(r"\{\{\d+\}\}\W*$", text):
                problems.append(f"{where}: a placeholder at the start or the end")
            if re.search(r"\}\}\s*\{\{", text):
                problems.append(f"{where}: two placeholders side by side")
    return problems


def parse(data: Mapping[str, Any]) -> dict[str, Notice]:
    """Notices from the TOML's tables; :class:`InvalidInput` listing every problem."""
    notices = {name: Notice(name, str(table.get("description", "")), tuple(table.get("variables", ())),
                            {lang: str(table[lang]) for lang in LANGUAGES if lang in table})
               for name, table in data.items() if isinstance(table, Mapping)}
    problems = check(notices)
    if problems:
        raise InvalidInput(f"{FILE}: " + "; ".join(problems))
    return notices


@lru_cache(maxsize=4)
def load(locales_dir: Path) -> dict[str, Notice]:
    """Every notice in ``locales_dir/whatsapp_templates.toml``, checked (read once per folder)."""
    with (Path(locales_dir) / FILE).open("rb") as fh:
        return parse(tomllib.load(fh))
