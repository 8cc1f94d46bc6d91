"""Passport / protector / skills-passport status: ask the tracking number, then a verification factor.

The flow keeps only the canonical tracking number (and, after a success, the record ids) in conversation state.
The check itself goes through the read-only ``status`` port; the engine emits :class:`StatusChecked` so the
service withholds the answer from the message log and counts failures. "Not found" and "wrong factor" get the
same reply, so a number cannot be probed. See docs/status.md.
"""

from __future__ import annotations

import re
from typing import Any

from helpline.engine.core import MAIN_MENU, Flow, Turn
from helpline.engine.events import (SensitiveInbound, StatusCheck, StatusChecked, StatusThrottled,
                                    StatusWatchRequested)
from helpline.matcher import OUT_OF_SCOPE
from helpline.messages import MenuItem, Text
from helpline.status import codes as codebook
from helpline.status.config import StatusConfig
from helpline.status.factors import find_number, mask_number, normalize_number, parse_factor
from helpline.text import ascii_digits, normalize

HOW = "status_lookup:how"
WATCH = "status_lookup:watch"
AGAIN = "status_lookup:again"
HOW_TOPIC = "status_check_how"  # the FAQ topic on status checks, offered with its source
REFUSED = "refused"  # the step after a refused lookup (throttled, unavailable): a date sent then is withheld


def _forms(*typed: str) -> tuple[str, ...]:
    return tuple(f" {normalize(t)} " for t in typed)


# What a status question is about, and how it asks (all compared in normalised form, as whole words).
KIND_WORDS = _forms("passport", "pasport", "passpot", "paspot", "پاسپورٹ", "پاسپوٹ", "protector", "protecter",
                    "protectorate", "پروٹیکٹر", "پروٹیکٹر", "پروٹکٹر", "skills passport", "nsp")
ASK_WORDS = _forms(
    "status", "stetus", "satus", "اسٹیٹس", "سٹیٹس", "اسٹیٹس", "track", "tracking", "traking", "ٹریک", "ٹریکنگ",
    "token", "ٹوکن", "kahan", "کہاں", "where", "ready", "tayyar", "tayar", "تیار", "ban gaya", "bana", "بن گیا",
    "ho gaya", "hua ya nahi", "ہو گیا", "kab milega", "kab milay ga", "کب ملے گا", "check", "chek", "چیک",
    "pohancha", "pohncha", "pahuncha", "پہنچا", "kab aye ga", "kab ayega", "when will i get",
)
# Passport questions that are not about an application's progress: the FAQ answers them.
NOT_STATUS = _forms(
    "nicop", "نائیکوپ", "complaint", "shikayat", "شکایت", "ticket", "employer", "kafeel", "kafil", "sponsor",
    "company", "seth", "malik", "rakh liya", "rakha", "chheen", "cheen", "confiscated", "held", "کفیل", "مالک",
    "کمپنی", "رکھ لیا", "lost", "gum", "kho", "kho gaya", "گم", "کھو", "renew", "renewal", "apply", "banwana",
    "fee", "fees", "فیس", "office", "daftar", "دفتر", "kya hota", "what is", "کیا ہوتا",
)
STATUS_PREFIXES = _forms("status", "اسٹیٹس", "سٹیٹس", "tracking", "tracking number", "token", "token number")
MIN_BARE_NUMBER = 8  # "STATUS <number>": complaint references are 7 symbols and belong to the complaints flow


def _has(norm: str, forms: tuple[str, ...]) -> bool:
    padded = f" {norm} "
    return any(form in padded for form in forms)


def _home() -> MenuItem:
    return MenuItem(MAIN_MENU, Text("menu.main"))


class StatusLookupFlow(Flow):
    id = "status_lookup"
    label = "status_lookup.menu"

    def offered_after(self, topic: str) -> str | None:
        """Under the answer on how to check a status: the check itself."""
        return self.label if topic == "status_check_how" else None

    def start(self, turn: Turn, number: str | None = None) -> None:
        """Ask for the tracking number (or, if the message had one, for the verification factor)."""
        turn.leave()
        if _config(turn) is None:
            turn.say("status_lookup.unavailable")
            turn.main_menu(None)
            turn.enter(self.id, REFUSED)
            return
        if turn.ask(StatusThrottled(number)):
            self._throttled(turn)
            return
        if number:
            turn.enter(self.id, "factor", {"number": number})
            turn.say("status_lookup.ask_factor", number=mask_number(number))
            turn.menu([_home()])
            return
        turn.enter(self.id, "number")
        self._ask_number(turn)

    def intercept(self, turn: Turn) -> bool:
        """Claim passport / protector / skills-passport status questions and ``STATUS <tracking number>``."""
        norm = turn.norm
        number = find_number(turn.text)
        if _has(norm, NOT_STATUS) and not number:
            return False
        about_status = _has(norm, KIND_WORDS) and _has(norm, ASK_WORDS) and not _not_ours(turn)
        bare = (number is not None and len(number) >= MIN_BARE_NUMBER
                and any(f" {norm}".startswith(form) for form in STATUS_PREFIXES))
        if not (about_status or bare):
            return False
        if has_date(turn.text):  # "status 1234-5678901 21-03-1987": the birth date came with the number
            turn.emit(SensitiveInbound("verification"))
        self.start(turn, number)
        return True

    def handle(self, turn: Turn) -> None:
        """The next answer: a number, a factor, or a choice after the result."""
        choice = turn.choice
        if choice == HOW:
            turn.say(f"kb:{HOW_TOPIC}:answer")
            self._reprompt(turn)
        elif choice == AGAIN:
            self.start(turn)
        elif choice == WATCH and turn.step == "found" and turn.data.get("records"):
            turn.emit(StatusWatchRequested(tuple(turn.data["records"]), turn.lang))
            turn.say("status_lookup.watching")
            turn.main_menu(None)
        elif turn.step == "number":
            self._number(turn)
        elif turn.step == "factor":
            self._factor(turn)
        elif turn.step == REFUSED:
            self._after_refusal(turn)
        else:
            self._elsewhere(turn)

    # -- steps -------------------------------------------------------------------------------------------------

    def _ask_number(self, turn: Turn, key: str = "status_lookup.ask_number") -> None:
        turn.say(key)
        turn.menu([MenuItem(HOW, Text("status_lookup.how")), _home()] if HOW_TOPIC in turn.ctx.kb.topics else [_home()])

    def _reprompt(self, turn: Turn) -> None:
        if turn.step == "factor":
            turn.say("status_lookup.ask_factor", number=mask_number(turn.data.get("number", "")))
            turn.menu([_home()])
        else:
            turn.goto("number")
            self._ask_number(turn)

    def _number(self, turn: Turn) -> None:
        number = find_number(turn.text)
        factor = parse_factor(turn.text)
        sent_a_date = factor is not None and factor.kind == "dob" and any(sep in turn.text for sep in "-/. ")
        if sent_a_date or has_date(turn.text):  # a birth date, first or with the number: never kept
            turn.emit(SensitiveInbound("verification"))
        if number is None or sent_a_date:  # nothing like a number, or the birth date sent first
            self._ask_number(turn, "status_lookup.bad_number")
            return
        self.start(turn, number)

    def _factor(self, turn: Turn) -> None:
        turn.emit(SensitiveInbound("verification"))  # whatever it is, it answers "your date of birth?"
        number = turn.data.get("number") or ""
        factor = parse_factor(turn.text)
        if factor is None:
            turn.emit(StatusChecked(number, "unreadable"))
            turn.say("status_lookup.bad_factor")
            turn.menu([_home()])
            return
        if _config(turn) is None:
            self.start(turn)  # says the lookup is unavailable
            return
        outcome = turn.ask(StatusCheck(number, factor))
        turn.emit(StatusChecked(number, outcome.result))
        if outcome.result == "throttled":
            self._throttled(turn)
        elif outcome.result == "found":
            self._found(turn, outcome.records)
        else:
            turn.leave()
            turn.say("status_lookup.no_match")
            turn.menu([MenuItem(AGAIN, Text("status_lookup.again")), _home()])
            turn.enter(self.id, "done")

    def _found(self, turn: Turn, records: Any) -> None:
        book = codebook.load()
        lang = turn.lang
        for record in records:
            kind = book.kinds.get(record.kind)
            code = book.codes.get(record.status)
            turn.say("status_lookup.result", kind=kind.name(lang) if kind else record.kind,
                     number=mask_number(record.number), status=code.text(lang) if code else record.status,
                     updated=record.updated)
            if code:
                turn.say("status_lookup.next", next=code.next_step(lang))
            if record.office:
                turn.say("status_lookup.office", office=record.office)
        ids = [r.record_id for r in records if r.record_id is not None]
        turn.leave()
        turn.enter(self.id, "found", {"records": ids})
        items = [MenuItem(WATCH, Text("status_lookup.watch"))] if ids else []
        turn.menu([*items, MenuItem(AGAIN, Text("status_lookup.again")), _home()])

    def _throttled(self, turn: Turn) -> None:
        turn.leave()
        cfg = _config(turn)
        turn.say("status_lookup.throttled", minutes=int(cfg.window.total_seconds() // 60) if cfg else 60)
        turn.main_menu(None)
        turn.enter(self.id, REFUSED)  # a date of birth sent anyway is withheld, not taken for a question

    def _after_refusal(self, turn: Turn) -> None:
        """A birth date or CNIC digits sent after the lookup was refused: not stored, not checked, not a question
        for staff; the refusal again. Anything else is free text, as if no flow were active."""
        if parse_factor(turn.text) is None:
            turn.leave()
            if not any(flow.intercept(turn) for flow in turn.ctx.flows) and \
                    not any(flow.fallback(turn) for flow in turn.ctx.flows):
                turn.main_menu("choice.invalid")
            return
        turn.emit(SensitiveInbound("verification"))
        turn.leave()
        cfg = _config(turn)
        if cfg is None:
            turn.say("status_lookup.unavailable")
        else:
            turn.say("status_lookup.throttled", minutes=int(cfg.window.total_seconds() // 60))
        turn.main_menu(None)
        turn.enter(self.id, REFUSED)

    def _elsewhere(self, turn: Turn) -> None:
        """Free text after a result: another status question, or a question for the FAQ."""
        turn.leave()
        number = find_number(turn.text)
        if number and normalize_number(turn.text) == number:  # just another tracking number: look it up
            self.start(turn, number)
            return
        if self.intercept(turn):
            return
        faq = turn.ctx.flow("faq")
        if faq is None or not faq.fallback(turn):
            turn.main_menu("choice.invalid")



_DATE = re.compile(r"(?<!\d)(?:\d{1,2}[-/. ]\d{1,2}[-/. ](?:19|20)\d\d|(?:19|20)\d\d-\d{1,2}-\d{1,2}|\d{1,2}[ -]?"
                   r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[ -,]*(?:19|20)\d\d)(?!\d)", re.IGNORECASE)


def has_date(text: str) -> bool:
    """Whether a message carries a date (a birth date sent along with the tracking number)."""
    return bool(_DATE.search(ascii_digits(text or "")))


def _not_ours(turn: Turn) -> bool:
    """The matcher reads the message as out of scope ("my phone's screen protector is broken, where...")."""
    return turn.ctx.matcher.match(turn.text).declined == OUT_OF_SCOPE


def _config(turn: Turn) -> StatusConfig | None:
    """The status settings the wiring loaded (None: status lookups are not wired, e.g. an engine-only test)."""
    return turn.ctx.config.get("status.config")
