"""Reading the worker's answer to each step into the draft; each reader says what should happen next.

A reader is a function ``(turn, draft) -> Verdict`` named after its step (:mod:`.steps` lists them). It writes
the draft and, when the worker stays on the step (more of the story, an ambiguous country, a mistyped number),
gives the reply from :mod:`.prompts`; moving between steps and filing are the flow's (:mod:`.flow`).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from helpline.complaints import parse as cparse
from helpline.complaints.countries import load as load_countries
from helpline.complaints.parse import OneShot
from helpline.complaints.taxonomy import load as load_taxonomy
from helpline.engine.core import Turn
from helpline.flows.complaint import prompts
from helpline.flows.complaint.draft import IDENTITY, MAX_FIELD, MAX_RELATION, MAX_STORY, Draft

COUNTRY_SURE = 86  # a typed country's match score taken without asking "which one?"
COUNTRY_MARGIN = 5  # ... when the runner-up scores more than this much less
COUNTRY_CHOICES = 4  # at most this many offered when unsure


class Verdict(Enum):
    """What the flow does after a reader."""

    NEXT = "next"  # the answer is in the draft: ask the next question
    AGAIN = "again"  # not understood: ask this step's question again
    STAY = "stay"  # the reader replied itself: wait on this step for more
    NEW = "new"  # (resume) a new draft instead of the old one
    RESTART = "restart"  # (confirm) start over, leaving the flow
    FILE = "file"  # (confirm) file the complaint


def one_shot(draft: Draft, form: OneShot) -> None:
    """Fill a new draft from the one-shot form: category, country and what happened (done if the form said so)."""
    draft.update(category=form.category, country=form.country)
    draft["story"] = [form.rest[:MAX_STORY]]
    draft["story_done"] = form.story


def resume(turn: Turn, draft: Draft) -> Verdict:
    """Continue (or yes) keeps the draft; new starts another."""
    if turn.choice == prompts.CONTINUE or cparse.is_yes(turn.text):
        return Verdict.NEXT
    if turn.choice == prompts.NEW:
        return Verdict.NEW
    return Verdict.AGAIN


def category(turn: Turn, draft: Draft) -> Verdict:
    """A category from the menu, or the best match of what was typed."""
    choice = turn.choice or ""
    code = choice.removeprefix(prompts.CATEGORY) if choice.startswith(prompts.CATEGORY) else None
    code = code or cparse.best_category(turn.text)
    if code is None or load_taxonomy().category(code) is None:
        return Verdict.AGAIN
    draft["category"] = code
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


def story(turn: Turn, draft: Draft) -> Verdict:
    """One more part of what happened (up to the length limit), or DONE once something was said."""
    if cparse.is_done(turn.text):
        if not draft["story"]:
            prompts.story_empty(turn)
            return Verdict.STAY
        draft["story_done"] = True
        return Verdict.NEXT
    if turn.text:
        used = sum(len(part) for part in draft["story"])
        if used < MAX_STORY:
            draft["story"].append(turn.text[:MAX_STORY - used])
    prompts.story_more(turn, draft)
    return Verdict.STAY


def who(turn: Turn, draft: Draft) -> Verdict:
    """Self or family, from the menu or typed ("for my brother" also gives the relation)."""
    typed = cparse.who(turn.text) if turn.choice is None else None
    if turn.choice not in (prompts.SELF, prompts.FAMILY) and typed is None:
        return Verdict.AGAIN
    draft["affected"] = typed or ("self" if turn.choice == prompts.SELF else "family")
    if draft["affected"] == "self":
        draft["relation"] = None
    elif typed == "family":
        draft["relation"] = turn.text[:MAX_RELATION]  # "for my brother" already says how they are related
    return Verdict.NEXT


def relation(turn: Turn, draft: Draft) -> Verdict:
    """How the family member is related (skippable)."""
    draft["relation"] = "" if cparse.is_skip(turn.text) else turn.text[:MAX_RELATION]
    return Verdict.NEXT


def identity(turn: Turn, draft: Draft) -> Verdict:
    """Give identity or stay anonymous (menu only); anonymous forgets any identity already given."""
    if turn.choice not in (prompts.GIVE, prompts.ANON):
        return Verdict.AGAIN
    draft["anonymous"] = turn.choice == prompts.ANON
    if draft["anonymous"]:
        for field in IDENTITY:
            draft[field] = None
    return Verdict.NEXT


def _free_text(turn: Turn, draft: Draft, field: str) -> Verdict:
    draft[field] = "" if cparse.is_skip(turn.text) else turn.text[:MAX_FIELD]
    return Verdict.NEXT


def name(turn: Turn, draft: Draft) -> Verdict:
    """The worker's name, as typed (skippable)."""
    return _free_text(turn, draft, "name")


def _checked(turn: Turn, draft: Draft, field: str, read: Callable[[str], str | None],
             refuse: Callable[[Turn], None]) -> Verdict:
    """An identity number (skippable): kept when ``read`` accepts it, else refused and asked again."""
    if cparse.is_skip(turn.text):
        draft[field] = ""
    elif (value := read(turn.text)) is not None:
        draft[field] = value
    else:
        refuse(turn)
        return Verdict.STAY
    return Verdict.NEXT


def cnic(turn: Turn, draft: Draft) -> Verdict:
    """A CNIC's 13 digits (skippable); anything else is refused."""
    return _checked(turn, draft, "cnic", cparse.cnic, prompts.cnic_invalid)


def passport(turn: Turn, draft: Draft) -> Verdict:
    """A passport number (skippable); anything else is refused."""
    return _checked(turn, draft, "passport", cparse.passport, prompts.passport_invalid)


def employer(turn: Turn, draft: Draft) -> Verdict:
    """The employer, as typed (skippable)."""
    return _free_text(turn, draft, "employer")


def agent(turn: Turn, draft: Draft) -> Verdict:
    """The recruiting agent, as typed (skippable)."""
    return _free_text(turn, draft, "agent")


def confirm(turn: Turn, draft: Draft) -> Verdict:
    """Yes (menu, or typed when no menu item was chosen) files; restart starts over."""
    if turn.choice == prompts.YES or (turn.choice is None and cparse.is_yes(turn.text)):
        return Verdict.FILE
    if turn.choice == prompts.RESTART:
        return Verdict.RESTART
    return Verdict.AGAIN
