"""Urdu lines that read right to left in chat apps (Telegram, WhatsApp). Pure, no I/O.

Chat clients pick each line's direction from its first strong character (Unicode bidi, rule P2), so an Urdu
line that starts with a Latin word ("NICOP کے لیے ...") would be laid out left to right, with its punctuation on
the wrong side. Such lines get one RIGHT-TO-LEFT MARK (U+200F) in front; lines starting with a digit or an Urdu
letter already read right to left and are left alone, and a stray LEFT-TO-RIGHT mark or embedding at the start
of an Urdu line is dropped. Lines with no Urdu letter (a URL, a number) keep their own direction. Only ``ur``
text is touched (:data:`RTL_LANGUAGES`).
"""

from __future__ import annotations

import unicodedata

RLM = "\u200f"
_LTR_FORCING = "\u200e\u202a\u202d"  # LRM, LRE, LRO at the start of an Urdu line
RTL_LANGUAGES = frozenset({"ur"})


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
