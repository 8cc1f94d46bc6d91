"""Render a reply as Telegram sendMessage payloads (plain dicts; ``telegram`` is not imported here).

Limits (channels.md, "Telegram"; https://core.telegram.org/bots/api#sendmessage): text ≤ 4096 characters,
which we count as UTF-16 code units to be safe; ``callback_data`` 1-64 bytes. Text is sent without
``parse_mode``, so nothing needs escaping. Buttons ride on the last message only, so they stay under the
text they answer.

Urdu reads right to left: lines of ``ur`` text go through :func:`helpline.bidi.rtl_lines` (an Urdu line that
starts with a Latin word gets a RIGHT-TO-LEFT MARK, as Telegram and WhatsApp lay a line out by its first strong
character).
"""

from __future__ import annotations

from typing import Any

from helpline.bidi import RLM, RTL_LANGUAGES, rtl_lines  # noqa: F401 - RLM for callers and tests
from helpline.errors import InvalidInput
from helpline.messages import LANGUAGES
from helpline.textsplit import split_text, utf16_len

MAX_TEXT_UNITS = 4096
MAX_CALLBACK_BYTES = 64
MAX_LABEL_CHARS = 40  # longer labels are cut on a word boundary: clients clip wide buttons anyway
SHORT_LABEL_CHARS = 14  # when every label is this short, buttons go two per row


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
    direct = rtl_lines if lang in RTL_LANGUAGES else (lambda s: s)
    messages: list[dict[str, Any]] = [
        {"text": direct(chunk)} for chunk in split_text(text, lambda s: utf16_len(direct(s)) <= MAX_TEXT_UNITS)
    ]
    if menu:
        messages[-1]["reply_markup"] = _keyboard(menu)
    return messages
