"""Menus shared by every channel: a typed number or label is the same choice as a button. Pure, no I/O.

A menu is a list of ``(id, label)`` pairs in display order. SMS shows it as numbered lines ("1 Jobs"),
Telegram as buttons; a worker on either may type the number (ASCII, Urdu ``۱۲۳`` or Arabic-Indic ``١٢٣``
digits) or the label, and :func:`numbered_choice` maps that back to the id. Numbers are positions, starting
at 1; ids are never shown.
"""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans({"‘": "'", "’": "'", "ʼ": "'", "`": "'", "“": '"', "”": '"'})
_NUMBER_THEN_LABEL = re.compile(r"(\d+)[\s.):\-]*(.*)")  # \d matches every script's decimal digits


def _edge(ch: str) -> bool:
    """Punctuation, symbols, spaces, controls and marks: ignored around what the worker typed."""
    return unicodedata.category(ch)[0] in "PSZCM"


def _normalize(text: str) -> str:
    """Fold width, quotes, case and spacing, and trim punctuation and symbols at both ends."""
    text = " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold().split())
    start, end = 0, len(text)
    while start < end and _edge(text[start]):
        start += 1
    while end > start and _edge(text[end - 1]):
        end -= 1
    return text[start:end]


def _at(menu: list[tuple[str, str]], number: str) -> tuple[str, str] | None:
    position = int(number)  # int() reads Urdu and Arabic-Indic digits as well as ASCII
    return menu[position - 1] if 1 <= position <= len(menu) else None


def numbered_choice(text: str, menu: list[tuple[str, str]]) -> str | None:
    """The id of the menu item the worker typed, by number ("2", "۲", " 2. ") or by label; else None."""
    said = _normalize(text)
    if not said or not menu:
        return None
    if said.isdecimal():
        item = _at(menu, said)
        return item[0] if item else None
    for item_id, label in menu:
        if _normalize(label) == said:
            return item_id
    match = _NUMBER_THEN_LABEL.fullmatch(said)  # the whole line copied back: "2 Jobs abroad"
    if match and match.group(1).isdecimal():
        item = _at(menu, match.group(1))
        if item and _normalize(item[1]) == _normalize(match.group(2)):
            return item[0]
    return None


def layout(paragraphs: list[str], menu: list[tuple[str, str]]) -> str:
    """Text for a screen without buttons: paragraphs separated by blank lines, then "1 Label" lines."""
    blocks = [p.strip() for p in paragraphs if p.strip()]
    if menu:
        blocks.append("\n".join(f"{n} {' '.join(label.split())}" for n, (_id, label) in enumerate(menu, 1)))
    return "\n\n".join(blocks)
