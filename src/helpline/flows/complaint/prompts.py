"""What the complaint intake says and offers: message keys and menu items, nothing else.

Each step's question is a function ``(turn, draft)`` named after the step (:mod:`.steps` lists them); then the
replies to an answer that keep the worker on a step, and the words around the steps (unavailable, expired, the
one-shot acknowledgement, the receipt). The menu item ids below are what :mod:`.answers` reads back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from helpline.complaints import fmt, references
from helpline.complaints.countries import load as load_countries
from helpline.complaints.taxonomy import Category
from helpline.complaints.taxonomy import load as load_taxonomy
from helpline.engine.core import MAIN_MENU, Turn
from helpline.flows.complaint.draft import Draft, urgency
from helpline.messages import MenuItem, Text
from helpline.privacy import mask

# Menu item ids; a category's is CATEGORY + its code, a country's COUNTRY + its ISO code.
YES, RESTART, CONTINUE, NEW, SELF, FAMILY, GIVE, ANON = (
    "c:yes", "c:restart", "c:continue", "c:new", "c:self", "c:family", "c:give", "c:anon")
CATEGORY, COUNTRY = "cat:", "cc:"
MAX_SUMMARY_STORY = 160


def home() -> MenuItem:
    """The menu item back to the main menu."""
    return MenuItem(MAIN_MENU, Text("menu.main"))


def category_name(turn: Turn, draft: Draft) -> str:
    """The draft's category in the worker's language (``-`` when not known)."""
    cat = load_taxonomy().category(draft.get("category") or "")
    return cat.name(turn.lang) if cat else "-"


def country_name(turn: Turn, draft: Draft) -> str:
    """The draft's country in the worker's language (``-`` when not known or skipped)."""
    return load_countries().name(draft.get("country"), turn.lang) or "-"


def _for_family(draft: Draft) -> bool:
    return draft.get("affected") == "family"


# -- each step's question -------------------------------------------------------------------------------------

def again(turn: Turn) -> None:
    """The answer was not understood: said before the question is asked again."""
    turn.say("complaint.again")


def resume(turn: Turn, draft: Draft) -> None:
    """Continue the unfinished draft, or start a new one?"""
    turn.say("complaint.resume.ask", category=category_name(turn, draft) or "-",
             date=fmt.day(draft.get("started"), turn.lang))
    turn.menu([MenuItem(CONTINUE, Text("complaint.resume.continue")),
               MenuItem(NEW, Text("complaint.resume.new")), home()])


def category(turn: Turn, draft: Draft) -> None:
    """What is the complaint about? One menu item per category."""
    turn.say("complaint.ask.category")
    turn.menu([MenuItem(f"{CATEGORY}{c.code}", Text("complaint.label", {"name": c.name(turn.lang)}))
               for c in load_taxonomy().categories])


def country(turn: Turn, draft: Draft) -> None:
    """In which country (typed)?"""
    turn.say("complaint.ask.country")


def story(turn: Turn, draft: Draft) -> None:
    """What happened (any number of messages, then DONE)?"""
    turn.say("complaint.ask.story")


def who(turn: Turn, draft: Draft) -> None:
    """Is the complaint for the worker or for a family member?"""
    turn.say("complaint.ask.who")
    turn.menu([MenuItem(SELF, Text("complaint.who.self")), MenuItem(FAMILY, Text("complaint.who.family"))])


def relation(turn: Turn, draft: Draft) -> None:
    """How is the family member related to the worker?"""
    turn.say("complaint.ask.relation")


def identity(turn: Turn, draft: Draft) -> None:
    """Give the worker's identity, or stay anonymous (with what that means)?"""
    turn.say("complaint.ask.identity.family" if _for_family(draft) else "complaint.ask.identity")
    turn.say("complaint.anon.explain")
    turn.menu([MenuItem(GIVE, Text("complaint.identity.give")), MenuItem(ANON, Text("complaint.identity.anon"))])


def name(turn: Turn, draft: Draft) -> None:
    """The worker's name."""
    turn.say("complaint.ask.name.family" if _for_family(draft) else "complaint.ask.name")


def cnic(turn: Turn, draft: Draft) -> None:
    """The worker's CNIC."""
    turn.say("complaint.ask.cnic.family" if _for_family(draft) else "complaint.ask.cnic")


def passport(turn: Turn, draft: Draft) -> None:
    """The worker's passport number."""
    turn.say("complaint.ask.passport.family" if _for_family(draft) else "complaint.ask.passport")


def employer(turn: Turn, draft: Draft) -> None:
    """The employer complained about."""
    turn.say("complaint.ask.employer.family" if _for_family(draft) else "complaint.ask.employer")


def agent(turn: Turn, draft: Draft) -> None:
    """The recruiting agent complained about."""
    turn.say("complaint.ask.agent.family" if _for_family(draft) else "complaint.ask.agent")


def summary(turn: Turn, draft: Draft) -> None:
    """The whole draft (identity numbers masked), urgent or not, then file it or start over?"""
    story = " ".join(draft["story"])
    story = story if len(story) <= MAX_SUMMARY_STORY else story[:MAX_SUMMARY_STORY - 3] + "..."
    who = Text("complaint.who.family.short", {"relation": draft.get("relation") or "-"}) \
        if _for_family(draft) else Text("complaint.who.self.short")
    details: Text | str
    if draft.get("anonymous"):
        details = Text("complaint.summary.anonymous")
    else:
        parts = [draft.get("name") or "", mask(draft.get("cnic") or ""), mask(draft.get("passport") or "")]
        details = ", ".join(p for p in parts if p) or "-"
    against = ", ".join(p for p in (draft.get("employer"), draft.get("agent")) if p) or "-"
    turn.say("complaint.summary", category=category_name(turn, draft), country=country_name(turn, draft) or "-",
             story=story, who=who, details=details, against=against, files=len(draft["attachments"]))
    urgent, _ = urgency(draft)
    if urgent:
        turn.say("complaint.summary.urgent")
    turn.menu([MenuItem(YES, Text("complaint.confirm.yes")), MenuItem(RESTART, Text("complaint.confirm.restart")),
               home()])


# -- replies that keep the worker on a step --------------------------------------------------------------------

def which_country(turn: Turn, codes: Sequence[str]) -> None:
    """The typed country is ambiguous: which of these?"""
    countries = load_countries()
    turn.say("complaint.country.which")
    turn.menu([MenuItem(f"{COUNTRY}{code}", Text("complaint.label", {"name": countries.name(code, turn.lang)}))
               for code in codes] + [home()])


def story_empty(turn: Turn) -> None:
    """DONE before anything was said about what happened."""
    turn.say("complaint.story.empty")


def story_more(turn: Turn, draft: Draft) -> None:
    """Got it (this many parts so far); more, or DONE."""
    turn.say("complaint.story.more", count=len(draft["story"]) + len(draft["attachments"]))


def cnic_invalid(turn: Turn) -> None:
    """Not a CNIC."""
    turn.say("complaint.cnic.invalid")


def passport_invalid(turn: Turn) -> None:
    """Not a passport number."""
    turn.say("complaint.passport.invalid")


# -- around the steps -----------------------------------------------------------------------------------------

def unavailable(turn: Turn) -> None:
    """Complaints are not wired in this deployment."""
    turn.say("complaint.unavailable")


def expired(turn: Turn) -> None:
    """The draft was left too long and is forgotten."""
    turn.say("complaint.expired")


def one_shot_got(turn: Turn, draft: Draft) -> None:
    """The one-shot form was read: its category and country."""
    turn.say("complaint.oneshot.got", category=category_name(turn, draft), country=country_name(turn, draft))


def filed(turn: Turn, reference: str, category: Category, referral: datetime, resolution: datetime,
          urgent_hours: int | None, trackable: bool) -> None:
    """The receipt: reference, responsible body, promised dates, urgency, and how to track it."""
    ref = references.display(reference)
    turn.say("complaint.filed", ref=ref, body=load_taxonomy().body(category.body).name(turn.lang),
             referral=fmt.day(referral, turn.lang), resolution=fmt.day(resolution, turn.lang))
    if urgent_hours is not None:
        turn.say("complaint.filed.urgent", hours=urgent_hours)
    if trackable:
        turn.say("complaint.filed.track", ref=ref)
    else:
        turn.say("complaint.filed.this_phone", ref=ref)
    turn.menu([home()])
