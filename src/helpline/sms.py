"""SMS encoding: GSM-7 vs UCS-2, exact segment counts, typographic clean-up, pagination. Pure, no I/O.

Facts (GSM 03.38 / 3GPP 23.038 and /work/shared/docs/channels.md, "SMS encoding and cost"):

- One SMS holds 160 GSM-7 septets or 70 UCS-2 units; a multipart message holds 153 / 67 per part (the rest
  of each 140-byte part is the 6-byte concatenation header).
- The extension characters ``^ { } \\ [ ~ ] | €`` and form feed are sent as ESC + code: two septets, and a
  phone never splits the pair across parts.
- A single character outside both GSM-7 tables switches the **whole** message to UCS-2, counted in UTF-16
  code units; an emoji is a surrogate pair (two units) and is never split across parts.
- So a part boundary can fall short of 153/67 and the real count can exceed ``ceil(units / 153)``: we count
  by actually splitting, as the handset does.

Choices: the empty text is 0 units and **0 segments** (nothing is sent: an empty TwiML ``<Response/>`` means
no reply, channels.md). A raw ESC (``\\x1b``) is not a character of either table, so it makes the text UCS-2.
National language shift tables (3GPP 23.038 has an Urdu one) are not counted on: handset and carrier support
varies, so we count as if they were absent, which never under-counts. Twilio's own explanation of segments:
https://www.twilio.com/docs/glossary/what-sms-character-limit
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from helpline.errors import InvalidInput
from helpline.textsplit import split_text

Encoding = Literal["GSM-7", "UCS-2"]

# GSM 03.38 default alphabet, indexed by septet value. 0x1B is ESC (the escape to the extension table).
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# GSM 03.38 extension table: character -> septet sent after ESC.
GSM7_EXTENSION: dict[str, int] = {
    "\f": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F,
    "[": 0x3C, "~": 0x3D, "]": 0x3E, "|": 0x40, "€": 0x65,
}  # fmt: skip
_BASIC = frozenset(GSM7_BASIC) - {"\x1b"}
_GSM = _BASIC | frozenset(GSM7_EXTENSION)

SINGLE_LIMIT: dict[Encoding, int] = {"GSM-7": 160, "UCS-2": 70}
PART_LIMIT: dict[Encoding, int] = {"GSM-7": 153, "UCS-2": 67}
MAX_BODY_CHARS = 1600  # Twilio refuses a longer Body: error 21617 (channels.md; twilio.com/docs/api/errors/21617)


@dataclass(frozen=True)
class SegmentInfo:
    """How a text travels: encoding, total units, segments, units per segment, units left in the last one."""

    encoding: Encoding
    units: int
    segments: int
    per_segment: int
    remaining: int


def is_gsm7(text: str) -> bool:
    """True if every character is in the GSM-7 default or extension table (the empty text is GSM-7)."""
    return _GSM.issuperset(text)


def _unit_cost(ch: str, encoding: Encoding) -> int:
    if encoding == "GSM-7":
        return 2 if ch in GSM7_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1


def _split(text: str) -> tuple[Encoding, list[str], list[int]]:
    """The encoding, the parts as the phone receives them, and each part's units."""
    encoding: Encoding = "GSM-7" if is_gsm7(text) else "UCS-2"
    if encoding == "GSM-7":
        doubles = sum(map(text.count, GSM7_EXTENSION))  # escape pairs
    else:
        doubles = len(text.encode("utf-16-le", "surrogatepass")) // 2 - len(text)  # surrogate pairs
    total = len(text) + doubles
    if total <= SINGLE_LIMIT[encoding]:
        return encoding, ([text] if text else []), ([total] if text else [])
    limit = PART_LIMIT[encoding]
    if not doubles:  # every character is one unit: parts are plain slices (the common case, and fast)
        parts = [text[i:i + limit] for i in range(0, len(text), limit)]
        return encoding, parts, [len(part) for part in parts]
    parts: list[str] = []
    sizes: list[int] = []
    start = used = 0
    for i, ch in enumerate(text):
        cost = _unit_cost(ch, encoding)
        if used + cost > limit:  # an escape pair or a surrogate pair moves whole to the next part
            parts.append(text[start:i])
            sizes.append(used)
            start, used = i, 0
        used += cost
    parts.append(text[start:])
    sizes.append(used)
    return encoding, parts, sizes


def count_segments(text: str) -> SegmentInfo:
    """Exact encoding, units and segment count of ``text`` sent as one (possibly concatenated) SMS."""
    encoding, parts, sizes = _split(text)
    per = SINGLE_LIMIT[encoding] if len(parts) <= 1 else PART_LIMIT[encoding]
    return SegmentInfo(encoding, sum(sizes), len(parts), per, per - (sizes[-1] if sizes else 0))


def split_parts(text: str) -> list[str]:
    """The parts of a concatenated SMS as the phone receives them (``"".join`` gives ``text`` back)."""
    return _split(text)[1]


# Typographic characters -> GSM-7 (RapidPro saw 2 messages become 8 parts from stray quotes, channels.md).
_REPLACEMENTS = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′`´ʼ‹›", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009", " "),
        **dict.fromkeys("\u200a\u202f\u205f\u3000", " "),
        **dict.fromkeys("\u2028\u2029\u0085\v", "\n"),
        **dict.fromkeys("‐‑‒–—―−", "-"),
        **dict.fromkeys("•·‣◦⁃∙", "-"),
        **dict.fromkeys("\u200b\u2060\ufeff\u00ad"),  # zero-width space, word joiner, BOM, soft hyphen
        "…": "...",
        "⁄": "/",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "©": "(c)",
        "®": "(R)",
    }
)
# ZWNJ / ZWJ shape Urdu script and emoji sequences; drop them only where a GSM-7 character is beside them.
_GSM_CLASS = "[" + re.escape("".join(sorted(_GSM))) + "]"
_LOOSE_JOINER = re.compile(
    rf"(?<={_GSM_CLASS})[\u200c\u200d]|[\u200c\u200d](?={_GSM_CLASS})|^[\u200c\u200d]|[\u200c\u200d]$"
)


def _fold(ch: str, previous: str) -> str:
    """A GSM-7 stand-in for one non-GSM character (accent stripped), or the character itself."""
    if unicodedata.combining(ch) and previous in _GSM:
        return ""  # a stray accent on a GSM letter that has no precomposed GSM form
    decomposed = unicodedata.normalize("NFKD", ch).translate(_REPLACEMENTS)  # "½" -> "1⁄2" -> "1/2"
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return folded if folded and is_gsm7(folded) else ch


def to_gsm7(text: str) -> str:
    """Replace typographic and accented characters with GSM-7 equivalents; leave the rest (then it is UCS-2)."""
    text = _LOOSE_JOINER.sub("", unicodedata.normalize("NFC", text).translate(_REPLACEMENTS))
    out: list[str] = []
    for ch in text:
        out.append(ch if ch in _GSM else _fold(ch, out[-1][-1:] if out else ""))
    return "".join(out)


def paginate(text: str, budget_segments: int, more_hint: str) -> list[str]:
    """Split a long reply into SMS pages of at most ``budget_segments`` each, hint line included; last has none.

    Encoding is decided per page, so an Urdu page does not make an English one UCS-2. If the hint cannot fit
    beside even one character, a page is sized without it (the hint is still added), so pages always progress.
    """
    if budget_segments < 1:
        raise InvalidInput("budget_segments must be at least 1")
    suffix = "\n" + more_hint.strip() if more_hint.strip() else ""

    def within(page: str) -> bool:
        return len(page) <= MAX_BODY_CHARS and count_segments(page).segments <= budget_segments

    def fits(page: str) -> bool:
        return within(page + suffix) or (not within(page[:1] + suffix) and within(page))

    pages = split_text(text, fits, fits_last=within)
    return [page + suffix for page in pages[:-1]] + pages[-1:]
