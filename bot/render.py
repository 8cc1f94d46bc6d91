"""Render a reply as Telegram sendMessage payloads (plain dicts; ``telegram`` is not imported here).

Limits (channels.md, "Telegram"; https://core.telegram.org/bots/api#sendmessage): text ≤ 4096 characters,
which we count as UTF-16 code units to be safe; ``callback_data`` 1-64 bytes. Text is sent without
``parse_mode``, so nothing needs escaping. Buttons ride on the last message only, so they stay under the
text they answer.

Urdu reads right to left. Telegram clients pick each line's direction from its first strong character
(Unicode bidi, rule P2), so an Urdu line that starts with a Latin word ("NICOP کے لیے ...") would be laid out
left to right, with its punctuation on the wrong side. Such lines get one RIGHT-TO-LEFT MARK (U+200F) in
front; lines starting with a digit or an Urdu letter already read right to left and are left alone, and a
stray LEFT-TO-RIGHT mark or embedding at the start of an Urdu line is dropped. Lines with no Urdu letter
(a URL, a number) keep their own direction. Only ``ur`` text is touched.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from helpline.errors import InvalidInput
from helpline.messages import LANGUAGES
from helpline.textsplit import split_text, utf16_len

MAX_TEXT_UNITS = 4096
MAX_CALLBACK_BYTES = 64
MAX_LABEL_CHARS = 40  # longer labels are cut on a word boundary: clients clip wide buttons anyway
SHORT_LABEL_CHARS = 14  # when every label is this short, buttons go two per row


RLM = "\u200f"
_LTR_FORCING = "\u200e\u202a\u202d"  # LRM, LRE, LRO at the start of an Urdu line
_RTL_LANGUAGES = frozenset({"ur"})


def _first_strong(line: str) -> str | None:
    """The bidi class of the first strong character: "L", "R"/"AL", or None."""
    for ch in line:
        kind = unicodedata.bidirectional(ch)
        if kind in ("L", "R", "AL"):
            return kind
    return None


def rtl_lines(text: str) -> str:
    """Urdu text whose every line with an Urdu letter reads right to left (see the module docstring)."""
    out = []
    for line in text.split("\n"):
        if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in line):
            line = line.lstrip(_LTR_FORCING)
            if _first_strong(line) == "L":
                line = RLM + line
        out.append(line)
    return "\n".join(out)


def _label(text: str) -> str:
    """A button label of at most MAX_LABEL_CHARS, cut at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= MAX_LABEL_CHARS:
        return text
    return split_text(text, lambda s: len(s) <= MAX_LABEL_CHARS - 1)[0] + "…"


def _keyboard(menu: list[tuple[str, str]]) -> dict[str, Any]:
    """An inline keyboard: one button per row, two when every label is short."""
    buttons = []
    for item_id, label in menu:
        size = len(item_id.encode("utf-8"))
        if not 1 <= size <= MAX_CALLBACK_BYTES:  # Bot API: callback_data is 1-64 bytes
            raise InvalidInput(f"menu id {item_id!r} is {size} bytes; callback_data takes 1-{MAX_CALLBACK_BYTES}")
        buttons.append({"text": _label(label), "callback_data": item_id})
    width = 2 if all(len(b["text"]) <= SHORT_LABEL_CHARS for b in buttons) else 1
    return {"inline_keyboard": [buttons[i : i + width] for i in range(0, len(buttons), width)]}


def render_telegram(paragraphs: list[str], menu: list[tuple[str, str]], *, lang: str) -> list[dict[str, Any]]:
    """sendMessage payloads: text split at ≤ 4096 UTF-16 units on natural boundaries, buttons on the last."""
    if lang not in LANGUAGES:
        raise InvalidInput(f"unknown language {lang!r}; expected one of {LANGUAGES}")
    text = "\n\n".join(p.strip() for p in paragraphs if p.strip())
    if not text:
        if menu:  # Telegram refuses a message without text, and buttons need a message
            raise InvalidInput("a menu needs some text to ride on")
        return []
    direct = rtl_lines if lang in _RTL_LANGUAGES else (lambda s: s)
    messages: list[dict[str, Any]] = [
        {"text": direct(chunk)} for chunk in split_text(text, lambda s: utf16_len(direct(s)) <= MAX_TEXT_UNITS)
    ]
    if menu:
        messages[-1]["reply_markup"] = _keyboard(menu)
    return messages
