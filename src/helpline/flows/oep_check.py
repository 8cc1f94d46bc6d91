"""Check an agent: is this recruiting agency (OEP) licensed by the Bureau? By name or licence number.

The worker sends a name ("Zarvolan Overseas", "زرولان", with a city or not) or a licence number in any common
spelling ("OEP 1234/RWP", "1234-rwp"). The registry is asked through :class:`~helpline.engine.events.OepLookup`
(answered by :func:`helpline.oep.turns.lookup`); the engine reads nothing. Answers, always with the date of the
list they come from, and never calling anyone "safe":

* **valid** — the licence number, city and office address from the list, and the warning that fraudsters use
  real agencies' names: pay only at the licensed office, get a receipt, check the licence number on the wall;
* **suspended / cancelled / expired** — a clear warning not to pay, and "File a complaint";
* **not found** — a clear warning, what to do next, and "File a complaint", which opens the intake in the fake
  agent category with the name the worker gave (:data:`helpline.flows.complaint.flow.PREFILL`);
* **several close names** — a short numbered list (with "None of these").
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Any

from helpline.complaints.fmt import day
from helpline.engine.core import MAIN_MENU, Flow, Turn
from helpline.engine.events import OepLookup
from helpline.flows.complaint.flow import PREFILL
from helpline.messages import MenuItem, Text
from helpline.oep.names import cities, find_licence, name_as_typed, read_query
from helpline.text import normalize

FLOW = "oep"
AGAIN = "oep:again"
NONE_OF_THESE = "oep:none"
CANDIDATE = "oep:c"  # + the candidate's position
COMPLAINT = "complaint"  # the complaint flow's id: choosing it starts the intake, pre-filled from our data
FAKE_AGENT = "fake_agent"
MAX_QUERY = 120
SHORT_NAME = 26  # characters of a name on an SMS menu line (GSM-7: 153 a part)
SHORT_NAME_UR = 18  # ... in an Urdu SMS (UCS-2: 67 a part)
SMS_CANDIDATES = 3  # names on an SMS menu: the question and its options fit one page in Urdu too
BUREAU_LIST = "www.beoe.gov.pk/list-of-oeps"  # where the Bureau publishes its list (knowledge base: oep_licence_check)
TOPICS = ("oep_licence_check", "fake_agents_fake_visas", "recruitment_fees")


def _forms(*typed: str) -> tuple[str, ...]:
    return tuple(f" {normalize(t)} " for t in typed)


# A licence number in a message that also says it is about an agent's licence is ours ("OEP 1234/RWP",
# "agency ka license no 2231/RWP chal raha hai?"); a name alone is left to the intent classifier.
LICENCE_WORDS = _forms("oep", "licence", "license", "lisence", "licenced", "licensed", "lic", "لائسنس", "agency",
                       "agent", "ایجنسی", "ایجنٹ", "promoter", "پروموٹر", "registered", "رجسٹرڈ")


def _home() -> MenuItem:
    return MenuItem(MAIN_MENU, Text("menu.main"))


def list_day(iso: str | None, lang: str) -> str:
    """The list's date as workers read it ("3 Dec 2026", "3 دسمبر 2026")."""
    if not iso:
        return ""
    return day(datetime.combine(date.fromisoformat(iso), time(12), tzinfo=timezone.utc), lang)


def short_name(name: str, size: int = SHORT_NAME) -> str:
    """A name cut (at a word when it can) for an SMS menu line."""
    if len(name) <= size:
        return name
    cut = name[:size + 1].rsplit(" ", 1)[0] if " " in name[:size + 1] else name[:size]
    return cut.rstrip(" ,.-(")


class OepCheckFlow(Flow):
    id = FLOW
    label = "oep.menu"

    def offered_after(self, topic: str) -> str | None:
        """Under the answers on checking an agent, fake agents and recruitment fees: the check itself."""
        return self.label if topic in TOPICS else None

    def start(self, turn: Turn) -> None:
        """Ask for a name or licence number; a message that already names one (free text) is checked at once."""
        text = turn.text if turn.choice is None else ""
        turn.leave()
        if text and not read_query(text).empty:
            self._check(turn, text)
            return
        turn.enter(FLOW, "ask")
        self._ask(turn)

    def intercept(self, turn: Turn) -> bool:
        """A licence number with a word saying it is an agent's licence ("OEP 1234/RWP")."""
        licence = find_licence(turn.text)
        if not licence or "/" not in licence or not any(f in f" {turn.norm} " for f in LICENCE_WORDS):
            return False
        turn.leave()
        self._check(turn, turn.text)
        return True

    def handle(self, turn: Turn) -> None:
        """A name or number, a candidate chosen, "none of these", or another check."""
        choice = turn.choice or ""
        if choice == AGAIN:
            self.start(turn)
        elif choice.startswith(CANDIDATE) and turn.step == "choose":
            views = turn.data.get("candidates") or []
            at = int(choice[len(CANDIDATE):]) if choice[len(CANDIDATE):].isdigit() else -1
            if 0 <= at < len(views):
                self._result(turn, views[at], turn.data.get("asked", ""))
            else:
                self._ask(turn)
        elif choice == NONE_OF_THESE and turn.step == "choose":
            self._not_found(turn, turn.data.get("asked", ""), turn.data.get("list_date"))
        elif turn.text:
            if read_query(turn.text).empty:
                turn.say("oep.unclear")
                self._ask(turn)
            else:
                self._check(turn, turn.text)
        else:
            self._ask(turn)

    # -- steps -------------------------------------------------------------------------------------------------

    def _ask(self, turn: Turn) -> None:
        if turn.flow != FLOW:
            turn.enter(FLOW, "ask")
        else:
            turn.goto("ask")
        turn.say("oep.ask")
        turn.menu([_home()])

    def _check(self, turn: Turn, text: str) -> None:
        query = read_query(text)
        asked = text.strip()[:MAX_QUERY]
        result, views, newest = turn.ask(OepLookup(query.licence, query.name, query.city))
        if turn.flow != FLOW:
            turn.enter(FLOW, "ask")
        if result == "unavailable":
            turn.leave()
            turn.say("oep.unavailable", url=BUREAU_LIST)
            turn.main_menu(None)
        elif result == "found":
            self._result(turn, views[0], asked)
        elif result == "candidates":
            self._candidates(turn, list(views), asked)
        else:
            self._not_found(turn, asked, newest)

    def _candidates(self, turn: Turn, views: list[dict[str, Any]], asked: str) -> None:
        lang = turn.lang
        sms = turn.msg.channel == "sms"  # every character is paid for: three names at most, cut short, no licence
        views = views[:SMS_CANDIDATES] if sms else views
        turn.goto("choose", candidates=views, asked=asked, list_date=views[0]["list_date"])
        turn.say("oep.candidates" if len(views) > 1 else "oep.candidate_one", date=list_day(views[0]["list_date"], lang))
        items = [MenuItem(f"{CANDIDATE}{i}", Text("oep.candidate", {
            "name": short_name(v["name"], SHORT_NAME_UR if lang == "ur" else SHORT_NAME) if sms else v["name"], "city": cities().display(v["city"], lang),
            "licence": v["licence_no"]})) for i, v in enumerate(views)]
        turn.menu([*items, MenuItem(NONE_OF_THESE, Text("oep.none_of_these")), _home()])

    def _result(self, turn: Turn, view: dict[str, Any], asked: str) -> None:
        lang = turn.lang
        params = {"name": view["name"], "licence": view["licence_no"], "city": cities().display(view["city"], lang),
                  "date": list_day(view["list_date"], lang)}
        status = view["status"]
        turn.goto("result", candidates=[], asked=asked)
        if status == "valid":
            turn.say("oep.valid", **params)
            if view.get("valid_until"):
                turn.say("oep.valid_until", until=list_day(view["valid_until"], lang))
            if view.get("address"):
                turn.say("oep.address", address=view["address"])
            turn.say("oep.valid_warning", licence=view["licence_no"])
            turn.menu([MenuItem(AGAIN, Text("oep.again")), _home()])
            return
        turn.say(f"oep.{status}" if status in ("suspended", "cancelled", "expired") else "oep.cancelled", **params)
        turn.say("oep.do_not_pay")
        turn.data[PREFILL] = {"category": FAKE_AGENT, "agent": view["name"]}
        turn.menu([MenuItem(COMPLAINT, Text("complaint.file")), MenuItem(AGAIN, Text("oep.again")), _home()])

    def _not_found(self, turn: Turn, asked: str, list_date: str | None) -> None:
        query = read_query(asked)
        named = name_as_typed(asked)
        agent = f"{named} (licence {query.licence})" if query.licence and named else query.licence or named
        turn.goto("result", candidates=[], asked=asked)
        turn.say("oep.not_found", query=query.licence or named or asked, date=list_day(list_date, turn.lang))
        turn.say("oep.not_found_advice", url=BUREAU_LIST)
        turn.data[PREFILL] = {"category": FAKE_AGENT, "agent": agent or None}
        turn.menu([MenuItem(COMPLAINT, Text("complaint.file")), MenuItem(AGAIN, Text("oep.again")), _home()])
