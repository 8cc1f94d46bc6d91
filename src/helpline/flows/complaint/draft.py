"""The complaint draft: where it lives in the state, its blank answers, its lifetime, its files and its urgency.

A draft is plain JSON: ``key``, ``started`` and ``updated`` (ISO times), one entry per answer (see :data:`BLANK`)
and ``attachments``. Nothing here says or asks anything.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from helpline.complaints.extract import read
from helpline.complaints.taxonomy import load as load_taxonomy
from helpline.engine.core import Turn
from helpline.messages import Attachment

Draft = dict[str, Any]

DRAFT = "complaint_draft"  # the state key, outside the flow's own data so MENU, HELP or a language switch keep it
IDENTITY = ("name", "cnic", "passport")  # asked only when the complaint is not anonymous
AGAINST = ("employer", "agent")
MAX_STORY = 4000
MAX_FIELD = 200
MAX_RELATION = 60
MAX_FILES = 20  # per draft
MAX_FILES_PER_MESSAGE = 10
DEFAULT_DAYS = 7  # a draft's lifetime when complaints are not wired

BLANK: dict[str, Any] = {
    "story": [], "story_told": False, "category": None, "likely": [], "country": None, "affected": None,
    "relation": None, "anonymous": None, "name": None, "cnic": None, "passport": None, "employer": None,
    "agent": None,
}
"""Every answer a draft holds, unanswered: what a new draft starts with and what BACK resets a step's fields to."""


def blank(field: str) -> Any:
    """The unanswered value of one answer (a fresh list for the story)."""
    return copy.deepcopy(BLANK[field])


def new_draft(turn: Turn, key: str) -> Draft:
    """An empty draft started now."""
    now = turn.ctx.now.isoformat()
    return {"key": key, "started": now, "updated": now, **{field: blank(field) for field in BLANK},
            "attachments": []}


def has_answers(draft: Draft) -> bool:
    """Worth offering to resume: the category, the country or some of what happened is known."""
    return bool(draft.get("category") or draft.get("country") or draft.get("story"))


def party_named(draft: Draft) -> bool:
    """The employer or the agent is named (or the worker skipped the question)."""
    return draft.get("employer") is not None or draft.get("agent") is not None


def fill(draft: Draft, text: str, *, story: bool = True) -> None:
    """Keep the worker's words as part of the story (``story``) and take from them every answer the draft has not
    got yet: category, country, for whom, who it is against, identity numbers (read by
    :func:`helpline.complaints.extract.read`, shown back in the summary for the worker to correct)."""
    text = text.strip()
    if not text:
        return
    if story:
        used = sum(len(part) for part in draft["story"])
        if used < MAX_STORY:
            draft["story"].append(text[:MAX_STORY - used])
    said = read(text)
    draft["story_told"] = draft.get("story_told") or said.story
    found = {"category": said.category, "country": said.country, "affected": said.affected,
             "employer": said.employer, "agent": said.agent, "cnic": said.cnic, "passport": said.passport}
    for field, value in found.items():
        if value and draft.get(field) is None:
            draft[field] = value
            draft.setdefault("inferred", []).append(field)
    if said.affected == "family" and draft.get("affected") == "family" and draft.get("relation") is None:
        draft["relation"] = (said.relation or "")[:MAX_RELATION] or None
        draft.setdefault("inferred", []).append("relation")
    if said.likely and not draft.get("likely"):
        draft["likely"] = list(said.likely)
    if (said.cnic or said.passport) and draft.get("anonymous") is None:
        draft["anonymous"] = False  # numbers given unasked: the identity question asks only for the rest


def is_fresh(draft: Draft, now: datetime, days: int) -> bool:
    """Touched within the last ``days`` days (a draft with no readable time is stale)."""
    try:
        updated = datetime.fromisoformat(draft.get("updated") or "")
    except ValueError:
        return False
    return now - updated <= timedelta(days=days)


def collect_attachments(draft: Draft, attachments: Sequence[Attachment]) -> None:
    """Keep the message's files on the draft (at most 10 a message, 20 a draft)."""
    for a in attachments[:MAX_FILES_PER_MESSAGE]:
        if len(draft["attachments"]) < MAX_FILES:
            draft["attachments"].append({"kind": a.kind, "ref": a.ref, "content_type": a.content_type})


def urgency(draft: Draft) -> tuple[bool, str | None]:
    """Urgent by category, or by an urgent word in what happened; with the reason recorded on the complaint."""
    tax = load_taxonomy()
    cat = tax.category(draft.get("category") or "other")
    if cat is not None and cat.urgent:
        return True, f"category:{cat.code}"
    word = tax.urgent_reason(" ".join(draft.get("story") or []))
    return (True, f"word:{word}") if word else (False, None)
