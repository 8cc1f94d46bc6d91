"""Split text into chunks that each pass a size test, breaking at the most natural boundary. Pure, no I/O.

One splitter serves every channel: SMS pagination (:func:`helpline.sms.paginate`) passes a segment budget,
the Telegram renderer passes the 4096 UTF-16 unit limit. Boundaries, coarsest first: blank line (paragraph),
line break, end of sentence (``. ! ? …`` and Urdu ``۔ ؟``), whitespace (word); a word is cut only when no
boundary fits at all, and never between a character and the combining mark, joiner or variation selector that
follows it, nor inside a surrogate pair.

Why a coarser boundary may be passed over: cutting at a paragraph break that leaves a page a third full costs
an extra SMS (and an extra "Reply MORE"). A coarser boundary is used only when its chunk keeps at least
:data:`MIN_FILL` of the text that the word-level cut would keep.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

MIN_FILL = 0.5
"""A coarser boundary must keep at least this share of what the finest (word) boundary keeps."""

# Each pattern's group 1 is the whitespace that disappears at a cut.
_LEVELS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(\n[^\S\n]*\n\s*)"),  # paragraph: a blank line
    re.compile(r"(\n\s*)"),  # line
    re.compile(r"[.!?…؟۔]+[\"'’”»)\]]*(\s+)"),  # sentence: end mark, optional closers, whitespace
)
_WORD = re.compile(r"(\s+)")

_JOINERS = frozenset("\u200c\u200d\u2060\u034f")  # ZWNJ, ZWJ, word joiner, combining grapheme joiner


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (an astral character such as an emoji counts 2), without encoding."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _sticks_to_previous(text: str, i: int) -> bool:
    """True if a cut just before ``text[i]`` would tear a character from what it belongs to."""
    ch, prev = text[i], text[i - 1]
    return (
        unicodedata.combining(ch) != 0
        or unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or ch in _JOINERS
        or prev in _JOINERS
        or "\ufe00" <= ch <= "\ufe0f"  # variation selectors (emoji vs text presentation)
        or ("\udc00" <= ch <= "\udfff" and "\ud800" <= prev <= "\udbff")  # a pair held as two code points
    )


def _first_break(text: str) -> int:
    """The shortest non-empty prefix that keeps a character with its marks and joiners."""
    return next((i for i in range(1, len(text)) if not _sticks_to_previous(text, i)), len(text))


def _last_true(candidates: Sequence[int], ok: Callable[[int], bool]) -> int | None:
    """The largest candidate passing ``ok``, by binary search (size tests grow with the prefix)."""
    lo, hi, best = 0, len(candidates) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if ok(candidates[mid]):
            best, lo = candidates[mid], mid + 1
        else:
            hi = mid - 1
    return best


def _reach(rest: str, ok: Callable[[int], bool]) -> int:
    """A length past which no cut fits: the first of 64, 128, 256, ... that fails (or the whole text).

    Bounds the boundary scan to about twice the chunk, so a long text costs linear, not quadratic, time.
    """
    size = 64
    while size < len(rest) and ok(size):
        size *= 2
    return min(size, len(rest))


def _cut(rest: str, fits: Callable[[str], bool]) -> tuple[int, int]:
    """Where to end the next chunk of ``rest`` and where the following one starts."""

    def ok(cut: int) -> bool:
        return fits(rest[:cut].rstrip())

    reach = _reach(rest, ok)

    def boundaries(pattern: re.Pattern[str]) -> dict[int, int]:
        found = pattern.finditer(rest, 0, reach + 1)
        return {m.start(1): m.end(1) for m in found if m.start(1) > 0}  # rest is lstripped

    words = boundaries(_WORD)
    word_cut = _last_true(list(words), ok)
    if word_cut is None:  # no boundary fits: cut inside the word, or take one character to make progress
        inside = [i for i in range(1, reach + 1) if i == len(rest) or not _sticks_to_previous(rest, i)]
        inner = _last_true(inside, ok) or _first_break(rest)
        return inner, inner
    for pattern in _LEVELS:
        found = boundaries(pattern)
        level_cut = _last_true(list(found), ok)
        if level_cut is not None and level_cut >= MIN_FILL * word_cut:
            return level_cut, found[level_cut]
    return word_cut, words[word_cut]


def split_text(text: str, fits: Callable[[str], bool], *, fits_last: Callable[[str], bool] | None = None) -> list[str]:
    """Split ``text`` into stripped, non-empty chunks that each pass ``fits``, at the most natural boundaries.

    The whitespace at each cut is dropped, so every word survives in order. ``fits_last`` (default ``fits``)
    judges the final chunk, which may be allowed more room (an SMS page that needs no "Reply MORE" line). If
    not even one character passes ``fits``, the chunk is that one character, so splitting always ends.
    """
    last = fits_last or fits
    chunks: list[str] = []
    rest = text.strip()
    while rest:
        if last(rest):
            chunks.append(rest)
            break
        end, start = _cut(rest, fits)
        chunks.append(rest[:end].rstrip())
        rest = rest[start:].lstrip()
    return chunks
