"""Render replies as SMS (one body within the segment budget now, the rest kept as pages for MORE) and as
WhatsApp messages (:func:`render_whatsapp`: no budget, no paging).

Buttons do not exist on SMS, so a menu degrades to "1 Label" lines and the worker types the number (or the
label) back; :func:`helpline.menus.numbered_choice` reads it. Cost matters here: a single curly quote turns a
whole message into UCS-2 at 70 instead of 160 characters per SMS (channels.md, "SMS encoding and cost"), so
English and Roman Urdu text goes through :func:`helpline.sms.to_gsm7`. Urdu script is UCS-2 anyway.

The pages that wait for MORE are the pager's own state (``conversations.pager``), never the engine's.

WhatsApp costs the same per message whatever its length, so a reply is sent whole: numbered menus as on SMS
(no buttons: a typed number or label is the choice), Unicode kept as written, Urdu lines marked right to left
(:mod:`helpline.bidi`), and split on natural boundaries only past 1,600 characters, Twilio's limit for one
message body (errors 21617/21658; WhatsApp itself allows 4,096).
"""

from __future__ import annotations

import logging
from typing import Any

from helpline.bidi import RTL_LANGUAGES, rtl_lines
from helpline.errors import InvalidInput
from helpline.i18n import I18n
from helpline.menus import layout
from helpline.messages import LANGUAGES, Text
from helpline.pipeline import RenderedReply
from helpline.sms import MAX_BODY_CHARS, count_segments, paginate, to_gsm7
from helpline.textsplit import split_text

log = logging.getLogger(__name__)

GSM7_LANGUAGES = frozenset({"en", "ur-Latn"})
MAX_WHATSAPP_BODY = 1600  # Twilio's Body limit for any channel (21617); WhatsApp's own is 4,096


def render_sms(paragraphs: list[str], menu: list[tuple[str, str]], *, lang: str) -> str:
    """One SMS body: paragraphs separated by blank lines, then "1 Label" lines; GSM-7 for en and ur-Latn."""
    if lang not in LANGUAGES:
        raise InvalidInput(f"unknown language {lang!r}; expected one of {LANGUAGES}")
    body = layout(paragraphs, menu)
    return to_gsm7(body) if lang in GSM7_LANGUAGES else body


def render_whatsapp(paragraphs: list[str], menu: list[tuple[str, str]], *, lang: str) -> list[str]:
    """WhatsApp message bodies: paragraphs, then "1 Label" lines; Urdu lines right to left; at most 1,600
    characters each, split at the most natural boundary (the menu stays with the last part)."""
    if lang not in LANGUAGES:
        raise InvalidInput(f"unknown language {lang!r}; expected one of {LANGUAGES}")
    body = layout(paragraphs, menu)
    if lang in RTL_LANGUAGES:
        body = rtl_lines(body)
    return split_text(body, lambda part: len(part) <= MAX_WHATSAPP_BODY) if body else []


def whatsapp_messages(replies: list[RenderedReply]) -> list[RenderedReply]:
    """A turn's replies as the WhatsApp messages that go out (one per body), in the language of the last."""
    if not replies:
        return []
    text = "\n\n".join(body for r in replies for body in render_whatsapp(r.paragraphs, r.menu, lang=r.lang))
    lang = replies[-1].lang
    return [RenderedReply(lang=lang, paragraphs=[part])
            for part in split_text(text, lambda part: len(part) <= MAX_WHATSAPP_BODY)] if text else []


def keyword_reply(i18n: I18n, key: str, lang: str) -> RenderedReply:
    """A catalog text (STOP, START, HELP answers) as one SMS."""
    return RenderedReply(lang=lang, paragraphs=[render_sms([i18n.render(Text(key), lang)], [], lang=lang)])


def first_page(replies: list[RenderedReply], budget: int, i18n: I18n) -> tuple[list[RenderedReply], dict[str, Any] | None]:
    """A turn's replies as one SMS body within ``budget`` segments, and the pager (the later pages) or None.

    A question and its choices arrive together: see :func:`pages`."""
    if not replies:
        return [], None
    lang = replies[-1].lang
    bodies = pages(replies, budget, i18n.render(Text("sms.more"), lang))
    first = [RenderedReply(lang=lang, paragraphs=[bodies[0]])] if bodies else []
    return first, ({"lang": lang, "pages": bodies[1:]} if len(bodies) > 1 else None)


def pages(replies: list[RenderedReply], budget: int, more_hint: str) -> list[str]:
    """A turn's replies as SMS pages of at most ``budget`` segments, every page but the last ending in the hint.

    The question (the last paragraph of the last reply with a menu, see :func:`question_of`) and its "1 Label"
    lines are one block that is never split: what comes before it may go on earlier pages (the worker sends
    MORE), but the options never arrive on a later page than their question. A block that alone exceeds the
    budget is a content bug (``tests/sms/test_every_prompt.py`` walks every prompt); the options are then kept
    together with the end of the question, and nothing is ever cut.
    """
    body = "\n\n".join(render_sms(r.paragraphs, r.menu, lang=r.lang) for r in replies)
    if _within(body, budget):
        return [body] if body else []
    asking = next((i for i in range(len(replies) - 1, -1, -1) if replies[i].menu), None)
    if asking is None:
        return paginate(body, budget, more_hint)
    r = replies[asking]
    said, question = question_of(r)
    before = "\n\n".join([*(render_sms(x.paragraphs, x.menu, lang=x.lang) for x in replies[:asking]),
                           render_sms([said], [], lang=r.lang)]).strip()
    after = "\n\n".join(render_sms(x.paragraphs, x.menu, lang=x.lang) for x in replies[asking + 1:]).strip()
    kept = _around(before, render_sms([question], r.menu, lang=r.lang), after, budget, more_hint)
    if kept is None:  # a content bug: at least keep the options together, with as much of the question as fits
        log.warning("an SMS question and its %d options do not fit %d segments", len(r.menu), budget)
        kept = _around("\n\n".join(filter(None, [before, render_sms([question], [], lang=r.lang)])),
                       render_sms([], r.menu, lang=r.lang), after, budget, more_hint, tail=True)
    return kept if kept is not None else paginate(body, budget, more_hint)


def _around(before: str, block: str, after: str, budget: int, more_hint: str, *,
            tail: bool = False) -> list[str] | None:
    """Pages with ``block`` whole on one of them, after the pages of ``before`` (its last page shared with the
    block when both fit; with ``tail``, cut so that its end always does) and before those of ``after``; None
    when the block alone does not fit a page."""
    suffix = "\n" + more_hint.strip() if more_hint.strip() else ""

    def fits(page: str) -> bool:  # a page that is not the last one: the hint must fit too
        return _within(page + suffix, budget)

    holds = fits if after else (lambda page: _within(page, budget))
    if not holds(block):
        return None
    chunks = split_text(before, fits) if before else []
    if tail and chunks and not holds(chunks[-1] + "\n\n" + block):  # cut so the end goes with the block
        cut = split_text(before, fits, fits_last=lambda page: holds(page + "\n\n" + block))
        chunks = cut if holds(cut[-1] + "\n\n" + block) else chunks
    if chunks and holds(chunks[-1] + "\n\n" + block):
        chunks[-1] += "\n\n" + block
    else:
        chunks.append(block)
    if not after:
        return [c + suffix for c in chunks[:-1]] + chunks[-1:]
    return [c + suffix for c in chunks] + paginate(after, budget, more_hint)


def question_of(reply: RenderedReply) -> tuple[str, str]:
    """A reply's words before its question, and the question: the last paragraph (the last block of it, when a
    paragraph holds blank lines, as a summary followed by "Is this right?" does)."""
    text = layout(reply.paragraphs, [])
    said, _, question = text.rpartition("\n\n")
    return said, question


def _within(page: str, budget: int) -> bool:
    return len(page) <= MAX_BODY_CHARS and count_segments(page).segments <= budget


def next_page(pager: dict[str, Any], default_lang: str) -> tuple[list[RenderedReply], dict[str, Any] | None]:
    """The next waiting page, and what is left (None when that was the last)."""
    first, *rest = pager["pages"]
    lang = pager.get("lang") or default_lang
    return [RenderedReply(lang=lang, paragraphs=[first])], ({"lang": lang, "pages": rest} if rest else None)
