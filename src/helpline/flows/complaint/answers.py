"""Reading the worker's answer to each step into the draft; each reader says what should happen next.

A reader is a function ``(turn, draft) -> Verdict`` named after its step (:mod:`.steps` lists them). It writes
the draft and, when the worker stays on the step (more of the story, an ambiguous country, a mistyped number),
gives the reply from :mod:`.prompts`; moving between steps and filing are the flow's (:mod:`.flow`).
"""

from __future__ import annotations

import re
from enum import Enum

from helpline.complaints import parse as cparse
from helpline.complaints.countries import load as load_countries
from helpline.complaints.extract import (AGENT_SUFFIXES, AGENT_WORDS, CNIC_IN, EMPLOYER_SUFFIXES, EMPLOYER_WORDS,
                                        PASSPORT_IN, identity_numbers, party, tells_story)
from helpline.complaints.taxonomy import load as load_taxonomy
from helpline.engine.core import Turn
from helpline.flows.complaint import prompts
from helpline.flows.complaint.draft import IDENTITY, MAX_FIELD, MAX_RELATION, Draft, fill, party_named
from helpline.text import ascii_digits, normalize

COUNTRY_SURE = 86  # a typed country's match score taken without asking "which one?"
COUNTRY_MARGIN = 5  # ... when the runner-up scores more than this much less
COUNTRY_CHOICES = 4  # at most this many offered when unsure
STORY_NOT_NAME = 6  # words: an answer to "against whom?" this long, with no name in it, is more of the story


class Verdict(Enum):
    """What the flow does after a reader."""

    NEXT = "next"  # the answer is in the draft: ask the next question
    AGAIN = "again"  # not understood: ask this step's question again
    STAY = "stay"  # the reader replied itself: wait on this step for more
    NEW = "new"  # (resume) a new draft instead of the old one
    RESTART = "restart"  # (confirm) start over, leaving the flow
    FILE = "file"  # (confirm) file the complaint
    CHANGE = "change"  # (confirm) the worker wants to correct something: which part?
    FIX = "fix"  # (change) ask the chosen part again (its step id is in the flow's data under "fix")


NO_WORDS = frozenset(normalize(w) for w in ("no", "nahi", "nahin", "nai", "na", "نہیں", "نا", "change", "badlo",
                                            "tabdeel", "galat", "ghalat", "wrong", "غلط", "تبدیل"))
ANONYMOUS_WORDS = frozenset(normalize(w) for w in ("anonymous", "anon", "gumnaam", "gumnam", "گمنام", "no name",
                                                   "naam nahi", "نام نہیں"))
FIXES = {f"{prompts.FIX}{step}": step for step in ("category", "country", "story", "who", "identity", "against")}


def resume(turn: Turn, draft: Draft) -> Verdict:
    """Continue (or yes) keeps the draft; new (or no) starts another."""
    if turn.choice == prompts.CONTINUE or (turn.choice is None and cparse.is_yes(turn.text)):
        return Verdict.NEXT
    if turn.choice == prompts.NEW or (turn.choice is None and normalize(turn.text) in NO_WORDS):
        return Verdict.NEW
    return Verdict.AGAIN


def story(turn: Turn, draft: Draft) -> Verdict:
    """What happened, in the worker's own words: kept whole, and every answer it already gives is taken."""
    if cparse.is_done(turn.text) or not turn.text:  # DONE, or a photo alone: the words are still to come
        if draft["story"] and turn.text:
            draft["story_told"] = True
            return Verdict.NEXT
        prompts.story_empty(turn)
        return Verdict.STAY
    fill(draft, turn.text)
    draft["story_told"] = True
    return Verdict.NEXT


def category(turn: Turn, draft: Draft) -> Verdict:
    """A category from the menu (or the next part of the menu), or the best match of what was typed."""
    choice = turn.choice or ""
    if choice == prompts.MORE_CATEGORIES:
        draft["category_page"] = int(draft.get("category_page") or 0) + 1
        prompts.category(turn, draft)
        return Verdict.STAY
    code = choice.removeprefix(prompts.CATEGORY) if choice.startswith(prompts.CATEGORY) else None
    code = code or cparse.best_category(turn.text)
    if code is None or load_taxonomy().category(code) is None:
        return Verdict.AGAIN
    draft["category"] = code
    draft.pop("category_page", None)
    return Verdict.NEXT


def country(turn: Turn, draft: Draft) -> Verdict:
    """A country from the menu, a skip (empty), a clear match of what was typed, or "which of these?"."""
    choice = turn.choice or ""
    if choice.startswith(prompts.COUNTRY):
        draft["country"] = choice[len(prompts.COUNTRY):]
        return Verdict.NEXT
    if cparse.is_skip(turn.text):
        draft["country"] = ""
        return Verdict.NEXT
    found = load_countries().match(turn.text)
    if found and (found[0][1] >= COUNTRY_SURE
                  and (len(found) == 1 or found[1][1] < found[0][1] - COUNTRY_MARGIN)):
        draft["country"] = found[0][0]
        return Verdict.NEXT
    if found:
        prompts.which_country(turn, [code for code, _ in found[:COUNTRY_CHOICES]])
        return Verdict.STAY
    return Verdict.AGAIN


def who(turn: Turn, draft: Draft) -> Verdict:
    """About the worker (the menu, "yes", "me") or a family member ("no", "for my brother" also gives the
    relation)."""
    typed = cparse.who(turn.text) if turn.choice is None else None
    if typed is None and turn.choice is None:
        typed = "self" if cparse.is_yes(turn.text) else "family" if normalize(turn.text) in NO_WORDS else None
    if turn.choice not in (prompts.SELF, prompts.FAMILY) and typed is None:
        return Verdict.AGAIN
    draft["affected"] = typed or ("self" if turn.choice == prompts.SELF else "family")
    if draft["affected"] == "self":
        draft["relation"] = ""
    elif typed == "family" and cparse.who(turn.text) == "family" and normalize(turn.text) not in FAMILY_ONLY:
        draft["relation"] = turn.text[:MAX_RELATION]  # "for my brother" already says how they are related
    else:
        draft["relation"] = None
    return Verdict.NEXT


FAMILY_ONLY = frozenset(normalize(w) for w in ("family", "ghar wale", "gharwale", "گھر والے"))


def relation(turn: Turn, draft: Draft) -> Verdict:
    """How the family member is related (skippable)."""
    draft["relation"] = "" if cparse.is_skip(turn.text) else turn.text[:MAX_RELATION]
    return Verdict.NEXT


def identity(turn: Turn, draft: Draft) -> Verdict:
    """Name, CNIC and passport number in one message, in any order (what is missing stays empty), or SKIP to stay
    anonymous. A number that is almost a CNIC is refused, so a mistyped one is not kept."""
    norm = normalize(turn.text)
    # prompts.ANON: the "stay anonymous" button of the earlier intake, still on screen in conversations that
    # were at this step when the intake changed
    if turn.choice == prompts.ANON or cparse.is_skip(turn.text) or norm in ANONYMOUS_WORDS:
        draft["anonymous"] = True
        for field in IDENTITY:
            draft[field] = None
        return Verdict.NEXT
    given = read_identity(turn.text)
    if given is None:
        prompts.cnic_invalid(turn)
        return Verdict.STAY
    name, cnic, passport = given
    if not (name or cnic or passport):
        return Verdict.AGAIN
    draft["anonymous"] = False
    for field, value in (("name", name), ("cnic", cnic), ("passport", passport)):
        if value:
            draft[field] = value
        elif draft.get(field) is None:
            draft[field] = ""
    return Verdict.NEXT


_DIGITS = re.compile(r"\d[\d\s-]{7,}\d")
_FILLER = frozenset(normalize(w) for w in (
    "name", "naam", "my", "is", "mera", "meri", "hai", "cnic", "nic", "id", "card", "shanakhti", "passport",
    "number", "no", "num", "nmbr", "and", "aur", "ka", "ki", "ke", "worker", "brother", "bhai", "نام", "میرا",
    "ہے", "شناختی", "کارڈ", "پاسپورٹ", "نمبر", "اور", "کا", "کی"))


def read_identity(text: str) -> tuple[str, str, str] | None:
    """``(name, cnic, passport)`` from one message ("" for what it does not give); None when it holds a number
    that is neither (a CNIC with a digit missing)."""
    plain = ascii_digits(text)
    cnic, passport = identity_numbers(plain)
    words = PASSPORT_IN.sub(" ", CNIC_IN.sub(" ", plain)).replace(",", " ").replace("،", " ").split()
    if passport is None:
        for word in words:
            if (p := cparse.passport(word)) is not None:
                passport = p
                words.remove(word)
                break
    if _DIGITS.search(" ".join(words)) or any(w.isdigit() and len(w) >= 5 for w in words):
        return None
    name = " ".join(w for w in words
                    if normalize(w) and normalize(w) not in _FILLER and not any(c.isdigit() for c in w))
    return name[:MAX_FIELD], cnic or "", passport or ""


def against(turn: Turn, draft: Draft) -> Verdict:
    """Who the complaint is against: an agent or OEP when named as one, else the employer (skippable)."""
    if cparse.is_yes(turn.text):
        return Verdict.AGAIN  # "yes" names nobody
    if cparse.is_skip(turn.text):
        draft["employer"] = draft["employer"] or ""
        draft["agent"] = draft["agent"] or ""
        return Verdict.NEXT
    agent = party(turn.text, AGENT_WORDS, AGENT_SUFFIXES)
    employer = party(turn.text, EMPLOYER_WORDS, EMPLOYER_SUFFIXES)
    if agent or employer:
        draft["agent"], draft["employer"] = agent and agent[:MAX_FIELD], employer and employer[:MAX_FIELD]
        return Verdict.NEXT
    if tells_story(turn.text) and len(turn.text.split()) > STORY_NOT_NAME:  # more of what happened, no name in it
        fill(draft, turn.text)
        if not party_named(draft):
            draft["employer"] = ""
        return Verdict.NEXT
    first = normalize(turn.text).split()[:1]
    if first and first[0] in AGENT_WORDS:
        draft["agent"] = turn.text[:MAX_FIELD]
    else:
        draft["employer"] = turn.text[:MAX_FIELD]
    return Verdict.NEXT


def confirm(turn: Turn, draft: Draft) -> Verdict:
    """Yes (menu, or typed in any language) files; change asks what to correct; restart starts over."""
    if turn.choice == prompts.YES or (turn.choice is None and cparse.is_yes(turn.text)):
        return Verdict.FILE
    if turn.choice == prompts.CHANGE or (turn.choice is None and normalize(turn.text) in NO_WORDS):
        return Verdict.CHANGE
    if turn.choice == prompts.RESTART:
        return Verdict.RESTART
    return Verdict.AGAIN


def change(turn: Turn, draft: Draft) -> Verdict:
    """Which part to correct: that step is asked again."""
    step = FIXES.get(turn.choice or "")
    if step is None:
        return Verdict.AGAIN
    turn.data["fix"] = step
    return Verdict.FIX
