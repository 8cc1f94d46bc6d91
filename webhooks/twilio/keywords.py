"""The SMS channel's own words: Twilio's opt-out keywords, HELP, and MORE for the next page.

* Keywords are matched as Twilio does: the whole trimmed message, any case
  (https://help.twilio.com/articles/223134027). STOP-type words opt the contact out; START/UNSTOP opt back in;
  YES opts back in **only** a contact who opted out (anywhere else it is an ordinary answer for the engine);
  HELP/INFO get a short help text here, so the engine's own help word does not answer a second time.
* When Twilio's opt-out handling is on (``HELPLINE_TWILIO_HANDLES_OPT_OUT``, Twilio's default), Twilio has
  already answered those keywords: we record consent and say nothing, never a double reply.
* MORE / aur / mazeed / مزید / اور asks for the next page of a reply that was over the budget; with nothing
  waiting it gets a short "that was all" (``sms.no_more``), never the engine (it is no question for staff).

WhatsApp has no carrier opt-out: nobody answers STOP there but us (channels.md). :func:`whatsapp_keyword`
hears STOP and its Urdu and Roman Urdu equivalents ("band karo", "بند کریں", …) as a whole message, and START
(or "shuru", "شروع") from a contact who stopped. Not CANCEL, END or QUIT: on WhatsApp a worker who types
"cancel" in the middle of a complaint means the form, and opting them out would silently end their case
updates. HELP and MORE are no keywords on WhatsApp: HELP is the engine's, and replies are never paged.
"""

from __future__ import annotations

from helpline.text import normalize

OPT_OUT = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
OPT_IN = frozenset({"START", "UNSTOP"})  # and YES, for a contact who opted out
HELP = frozenset({"HELP", "INFO"})
MORE = frozenset({"more", "aur", "mazeed", "مزید", "اور"})


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


def _forms(*typed: str) -> frozenset[str]:
    return frozenset(normalize(t) for t in typed)


WHATSAPP_STOP = _forms(
    "STOP", "STOPALL", "UNSUBSCRIBE", "OPTOUT", "stop messages",
    "band", "band karo", "band karein", "band karen", "band kar do", "band kardo", "band kar dein",
    "msg band karo", "message band karo", "messages band karo", "paigham band karo", "mat bhejo", "mat bhejein",
    "بند", "بند کرو", "بند کریں", "بند کر دو", "بند کر دیں", "پیغام بند کریں", "پیغامات بند کریں", "مت بھیجو",
    "مت بھیجیں")
WHATSAPP_START = _forms(
    "START", "UNSTOP", "shuru", "shuru karo", "shuru karein", "shuru kar do", "شروع", "شروع کرو", "شروع کریں",
    "شروع کر دیں")  # not "dobara shuru karein" / «دوبارہ شروع کریں»: a menu label ("start the form again")


def whatsapp_keyword(text: str) -> str | None:
    """Which WhatsApp consent word a whole message is: "stop", "start", or None (letters folded, punctuation
    ignored). START opts in only a contact who stopped: for anyone else it is an ordinary message."""
    said = normalize(text)
    if said in WHATSAPP_STOP:
        return "stop"
    return "start" if said in WHATSAPP_START else None
