"""Render a reply as SMS text: paragraphs, then the menu as numbered lines; GSM-7 wherever the language allows.

Buttons do not exist on SMS, so a menu degrades to "1 Label" lines and the worker types the number (or the
label) back; :func:`helpline.menus.numbered_choice` reads it. Cost matters here: a single curly quote turns a
whole message into UCS-2 at 70 instead of 160 characters per SMS (channels.md, "SMS encoding and cost"), so
English and Roman Urdu text goes through :func:`helpline.sms.to_gsm7`. Urdu script is UCS-2 anyway.
"""

from __future__ import annotations

from helpline.menus import layout
from helpline.messages import LANGUAGES
from helpline.sms import to_gsm7

GSM7_LANGUAGES = frozenset({"en", "ur-Latn"})


def render_sms(paragraphs: list[str], menu: list[tuple[str, str]], *, lang: str) -> str:
    """One SMS body: paragraphs separated by blank lines, then "1 Label" lines; GSM-7 for en and ur-Latn."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGUAGES}")
    body = layout(paragraphs, menu)
    return to_gsm7(body) if lang in GSM7_LANGUAGES else body
