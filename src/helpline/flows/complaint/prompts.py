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

# Menu item ids; a category's is CATEGORY + its code, a country's COUNTRY + its ISO code, a fix's FIX + its step.
YES, RESTART, CONTINUE, NEW, SELF, FAMILY, ANON, CHANGE = (
    "c:yes", "c:restart", "c:continue", "c:new", "c:self", "c:family", "c:anon", "c:change")
CATEGORY, COUNTRY, FIX = "cat:", "cc:", "fix:"
MORE_CATEGORIES = "cat:+"
MAX_SUMMARY_STORY = 160
MAX_SUMMARY_STORY_SMS = 50  # every character of the summary is paid for, and the worker wrote the story
CATEGORY_CHOICES = 4  # the likeliest categories on the first menu; the rest come in groups of this many + 1
COMMON = ("wages", "documents_held", "contract", "fake_agent")  # offered first when nothing points elsewhere


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


def _sms(turn: Turn) -> bool:
    return turn.msg.channel == "sms"


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


def story(turn: Turn, draft: Draft) -> None:
    """What happened, in one message: what, where and who (so nothing needs asking again)."""
    turn.say("complaint.ask.story")


def category_pages(likely: Sequence[str]) -> list[list[str]]:
    """The category menu in parts that fit an SMS: the likeliest (or commonest) first, then the rest in order."""
    tax = load_taxonomy()
    codes = [c.code for c in tax.categories if c.code != "other"]
    first = [c for c in likely if c in codes][:CATEGORY_CHOICES]
    first += [c for c in COMMON if c not in first][:CATEGORY_CHOICES - len(first)]
    rest = [c for c in codes if c not in first]
    pages = [first]
    while rest:
        pages.append(rest[:CATEGORY_CHOICES + 1])
        rest = rest[CATEGORY_CHOICES + 1:]
    pages[-1].append("other")
    return pages


def category(turn: Turn, draft: Draft) -> None:
    """What is the complaint about? The likeliest categories, and "more" for the rest."""
    tax = load_taxonomy()
    pages = category_pages(draft.get("likely") or ())
    page = min(int(draft.get("category_page") or 0), len(pages) - 1)
    turn.say("complaint.ask.category")
    items = []
    for code in pages[page]:
        cat = tax.category(code)
        if cat is not None:
            items.append(MenuItem(f"{CATEGORY}{code}",
                                  Text("complaint.label", {"name": cat.short(turn.lang) if _sms(turn) else cat.name(turn.lang)})))
    if page < len(pages) - 1:
        items.append(MenuItem(MORE_CATEGORIES, Text("complaint.category.more")))
    turn.menu(items)


def country(turn: Turn, draft: Draft) -> None:
    """In which country (typed)?"""
    turn.say("complaint.ask.country")


def who(turn: Turn, draft: Draft) -> None:
    """Is the complaint about the sender, or a family member?"""
    turn.say("complaint.ask.who")
    turn.menu([MenuItem(SELF, Text("complaint.who.self")), MenuItem(FAMILY, Text("complaint.who.family"))])


def relation(turn: Turn, draft: Draft) -> None:
    """How is the family member related to the worker?"""
    turn.say("complaint.ask.relation")


FIELDS = ("complaint.fields.0", "complaint.fields.1", "complaint.fields.2", "complaint.fields.3")  # "a, b and c"
IDENTITY_LABELS = {"name": "complaint.field.name", "cnic": "complaint.field.cnic",
                   "passport": "complaint.field.passport"}


def identity(turn: Turn, draft: Draft) -> None:
    """Name, CNIC and passport number (only those not given yet) in one message, or SKIP to stay anonymous."""
    missing = [f for f in ("name", "cnic", "passport") if not draft.get(f)]
    fields = [Text(IDENTITY_LABELS[f]) for f in missing]
    key = "complaint.ask.identity.family" if _for_family(draft) else "complaint.ask.identity"
    turn.say(key, fields=Text(FIELDS[len(fields)], {f"f{i}": t for i, t in enumerate(fields)}))


def against(turn: Turn, draft: Draft) -> None:
    """Who is it against: the employer (company, kafeel) or the agent?"""
    turn.say("complaint.ask.against")


def summary(turn: Turn, draft: Draft) -> None:
    """What was understood (identity numbers masked), urgent or not, then file it, change something, or restart?
    A field the worker did not give is left out of the summary, never shown as a dash."""
    sms = _sms(turn)
    story = " ".join(draft["story"])
    limit = MAX_SUMMARY_STORY_SMS if sms else MAX_SUMMARY_STORY
    story = story if len(story) <= limit else story[:limit - 3].rstrip() + "..."
    comma = "، " if turn.lang == "ur" else ", "
    if not _for_family(draft):
        who = Text("complaint.who.self.short")
    elif draft.get("relation"):
        who = Text("complaint.who.family.short", {"relation": draft["relation"]})
    else:
        who = Text("complaint.who.family.unnamed")
    details: Text | str
    if draft.get("anonymous"):
        details = Text("complaint.summary.anonymous")
    else:
        hide = _tail if sms else mask  # on SMS the last digits are enough to see it was read right
        parts = [draft.get("name") or "", hide(draft.get("cnic") or ""), hide(draft.get("passport") or "")]
        details = comma.join(p for p in parts if p)
    against = comma.join(p for p in (draft.get("employer"), draft.get("agent")) if p)
    files = len(draft["attachments"])
    cat = load_taxonomy().category(draft.get("category") or "")
    name = "" if cat is None else cat.short(turn.lang) if sms else cat.name(turn.lang)
    country = load_countries().name(draft.get("country"), turn.lang) or ""
    case = (comma if sms else " - ").join(p for p in (name, country) if p)
    line = ".sms" if sms else ""
    turn.say("complaint.summary", case=case, story=story, who=who,
             details=Text(f"complaint.summary.details{line}", {"details": details}) if details else "",
             against=Text(f"complaint.summary.against{line}", {"against": against}) if against else "",
             files=Text("complaint.summary.files", {"files": files}) if files else "")
    urgent, _ = urgency(draft)
    if urgent:
        turn.say("complaint.summary.urgent")
    turn.say("complaint.confirm.ask")
    turn.menu([MenuItem(YES, Text("complaint.confirm.yes")), MenuItem(CHANGE, Text("complaint.confirm.change")),
               MenuItem(RESTART, Text("complaint.confirm.restart"))])


def _tail(number: str) -> str:
    """An identity number as its last three characters ("…671"), for the SMS summary."""
    return f"…{number[-3:]}" if number else ""


FIX_LABELS = {"category": "complaint.fix.category", "country": "complaint.fix.country",
              "story": "complaint.fix.story", "who": "complaint.fix.who", "identity": "complaint.fix.identity",
              "against": "complaint.fix.against"}


def change(turn: Turn, draft: Draft) -> None:
    """Which part to correct?"""
    turn.say("complaint.ask.change")
    turn.menu([MenuItem(f"{FIX}{step}", Text(key)) for step, key in FIX_LABELS.items()])


# -- replies that keep the worker on a step --------------------------------------------------------------------

def which_country(turn: Turn, codes: Sequence[str]) -> None:
    """The typed country is ambiguous: which of these?"""
    countries = load_countries()
    turn.say("complaint.country.which")
    turn.menu([MenuItem(f"{COUNTRY}{code}", Text("complaint.label", {"name": countries.name(code, turn.lang)}))
               for code in codes] + [home()])


def story_empty(turn: Turn) -> None:
    """Nothing was said about what happened yet."""
    turn.say("complaint.story.empty")


def cnic_invalid(turn: Turn) -> None:
    """A number that is not a CNIC (nor a passport number)."""
    turn.say("complaint.cnic.invalid")


# -- around the steps -----------------------------------------------------------------------------------------

def unavailable(turn: Turn) -> None:
    """Complaints are not wired in this deployment."""
    turn.say("complaint.unavailable")


def expired(turn: Turn) -> None:
    """The draft was left too long and is forgotten."""
    turn.say("complaint.expired")


def filed(turn: Turn, reference: str, category: Category, referral: datetime, resolution: datetime,
          urgent_hours: int | None, office_opens: datetime | None, trackable: bool) -> None:
    """The receipt: reference, responsible body, promised dates, urgency (review within the policy's hours while
    the office is open; when it opens, if it is closed: never a "same day" it cannot keep), and how to track it."""
    ref = references.display(reference)
    turn.say("complaint.filed", ref=ref, body=load_taxonomy().body(category.body).name(turn.lang),
             referral=fmt.day(referral, turn.lang), resolution=fmt.day(resolution, turn.lang))
    if urgent_hours is not None and office_opens is None:
        turn.say("complaint.filed.urgent", hours=urgent_hours)
    elif urgent_hours is not None and office_opens is not None:
        turn.say("complaint.filed.urgent.closed", day=fmt.day(office_opens, turn.lang),
                 time=office_opens.strftime("%H:%M"))
    if trackable:
        turn.say("complaint.filed.track", ref=ref)
    else:
        turn.say("complaint.filed.this_phone", ref=ref)
    turn.menu([home()])
