"""SMS rules around the engine: Twilio's opt-out keywords, HELP, and MORE paging within the segment budget.

They run inside the turn's transaction through the service's :class:`~helpline.service.ChannelRules` hook, so
consent, the reply and the remaining pages are stored together, and the engine stays channel-free.

* Keywords are matched as Twilio does: the whole trimmed message, any case
  (https://help.twilio.com/articles/223134027). STOP-type words opt the contact out; START/UNSTOP opt back in;
  YES opts back in **only** a contact who opted out (anywhere else it is an ordinary answer for the engine);
  HELP/INFO get a short help text here, so the engine's own help word does not answer a second time.
* When Twilio's opt-out handling is on (``HELPLINE_TWILIO_HANDLES_OPT_OUT``, Twilio's default), Twilio has
  already answered those keywords: we record consent and say nothing, never a double reply.
* An opted-out contact's messages are logged and never answered.
* A reply longer than the budget is paged: the first page goes now, with "Reply MORE for the rest"; the
  rest wait in the conversation state (``state["sms_pages"]``) for MORE / aur / mazeed / مزید / اور.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from helpline.messages import Text
from helpline.service import Core, RenderedReply, TurnScope
from helpline.sms import paginate
from webhooks.sms_render import render_sms

OPT_OUT = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
OPT_IN = frozenset({"START", "UNSTOP"})  # and YES, for a contact who opted out
HELP = frozenset({"HELP", "INFO"})
MORE = frozenset({"more", "aur", "mazeed", "مزید", "اور"})
PAGES = "sms_pages"  # state key: {"lang": ..., "pages": [...]} still to send


def keyword(text: str) -> str | None:
    """Which Twilio keyword class a whole message is: "stop", "start", "yes", "help", or None."""
    word = text.strip().upper()
    if word in OPT_OUT:
        return "stop"
    if word in OPT_IN:
        return "start"
    if word == "YES":
        return "yes"
    return "help" if word in HELP else None


def is_more(text: str) -> bool:
    """True if the message asks for the next page (MORE in any case, Roman Urdu or Urdu; stray dots ignored)."""
    return text.strip().strip(".!۔").strip().casefold() in MORE


@dataclass
class SmsRules:
    """The SMS channel's :class:`~helpline.service.ChannelRules`."""

    core: Core
    budget: int = 2
    provider_answers_keywords: bool = True

    def before(self, scope: TurnScope, state: dict[str, Any]) -> bool:
        """Keywords, opted-out contacts and MORE; True when the engine must not run."""
        contact, text = scope.contact, scope.inbound.text
        lang = state.get("lang") or contact.language or self.core.default_lang
        word = keyword(text)
        if word == "stop":
            if not contact.opted_out:
                contact.opted_out, contact.opted_out_at = True, scope.now
            self._keyword_reply(scope, "sms.stopped", lang)
            return True
        if word == "start" or (word == "yes" and contact.opted_out):
            contact.opted_out, contact.opted_out_at = False, None
            self._keyword_reply(scope, "sms.started", lang)
            return True
        if contact.opted_out:
            return True  # logged (staff can see it), never answered: Twilio would refuse with 21610 anyway
        if word == "help":
            self._keyword_reply(scope, "sms.help", lang)
            return True
        waiting = state.get(PAGES) or {}
        if waiting.get("pages") and is_more(text):
            first, *rest = waiting["pages"]
            scope.replies.append(RenderedReply(lang=waiting.get("lang") or lang, paragraphs=[first]))
            state[PAGES] = {"lang": waiting.get("lang"), "pages": rest}  # a new object: the JSON column sees it
            if not rest:
                del state[PAGES]
            return True
        return False

    def after(self, scope: TurnScope, state: dict[str, Any]) -> None:
        """Join the turn's replies into one SMS body and keep only the first page; the rest wait for MORE."""
        state.pop(PAGES, None)  # a new answer replaces unread pages of the last one
        if not scope.replies:
            return
        lang = scope.replies[-1].lang
        body = "\n\n".join(render_sms(r.paragraphs, r.menu, lang=r.lang) for r in scope.replies)
        pages = paginate(body, self.budget, self.core.i18n.render(Text("sms.more"), lang))
        scope.replies[:] = [RenderedReply(lang=lang, paragraphs=[pages[0]])] if pages else []
        if len(pages) > 1:
            state[PAGES] = {"lang": lang, "pages": pages[1:]}

    def _keyword_reply(self, scope: TurnScope, key: str, lang: str) -> None:
        if self.provider_answers_keywords:
            return  # Twilio already answered this keyword itself
        text = render_sms([self.core.i18n.render(Text(key), lang)], [], lang=lang)
        scope.replies.append(RenderedReply(lang=lang, paragraphs=[text]))
