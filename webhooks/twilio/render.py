"""Render replies as SMS: one body within the segment budget now, the rest kept as pages for MORE.

Buttons do not exist on SMS, so a menu degrades to "1 Label" lines and the worker types the number (or the
label) back; :func:`helpline.menus.numbered_choice` reads it. Cost matters here: a single curly quote turns a
whole message into UCS-2 at 70 instead of 160 characters per SMS (channels.md, "SMS encoding and cost"), so
English and Roman Urdu text goes through :func:`helpline.sms.to_gsm7`. Urdu script is UCS-2 anyway.

The pages that wait for MORE are the pager's own state (``conversations.pager``), never the engine's.
"""

from __future__ import annotations

from typing import Any

from helpline.errors import InvalidInput
from helpline.i18n import I18n
from helpline.menus import layout
from helpline.messages import LANGUAGES, Text
from helpline.pipeline import RenderedReply
from helpline.sms import paginate, to_gsm7

GSM7_LANGUAGES = frozenset({"en", "ur-Latn"})


def render_sms(paragraphs: list[str], menu: list[tuple[str, str]], *, lang: str) -> str:
    """One SMS body: paragraphs separated by blank lines, then "1 Label" lines; GSM-7 for en and ur-Latn."""
    if lang not in LANGUAGES:
        raise InvalidInput(f"unknown language {lang!r}; expected one of {LANGUAGES}")
    body = layout(paragraphs, menu)
    return to_gsm7(body) if lang in GSM7_LANGUAGES else body


def keyword_reply(i18n: I18n, key: str, lang: str) -> RenderedReply:
    """A catalog text (STOP, START, HELP answers) as one SMS."""
    return RenderedReply(lang=lang, paragraphs=[render_sms([i18n.render(Text(key), lang)], [], lang=lang)])


def first_page(replies: list[RenderedReply], budget: int, i18n: I18n) -> tuple[list[RenderedReply], dict[str, Any] | None]:
    """A turn's replies as one SMS body within ``budget`` segments, and the pager (the later pages) or None."""
    if not replies:
        return [], None
    lang = replies[-1].lang
    body = "\n\n".join(render_sms(r.paragraphs, r.menu, lang=r.lang) for r in replies)
    pages = paginate(body, budget, i18n.render(Text("sms.more"), lang))
    first = [RenderedReply(lang=lang, paragraphs=[pages[0]])] if pages else []
    return first, ({"lang": lang, "pages": pages[1:]} if len(pages) > 1 else None)


def next_page(pager: dict[str, Any], default_lang: str) -> tuple[list[RenderedReply], dict[str, Any] | None]:
    """The next waiting page, and what is left (None when that was the last)."""
    first, *rest = pager["pages"]
    lang = pager.get("lang") or default_lang
    return [RenderedReply(lang=lang, paragraphs=[first])], ({"lang": lang, "pages": rest} if rest else None)
