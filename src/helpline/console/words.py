"""Console words for people (issue 15): deadlines as time left ("due in 5 h", "overdue 2 d") and the urgent reason
in words ("said: hospital", "category: Abuse or harassment") instead of codes (``word:medical``)."""

from __future__ import annotations

from datetime import datetime

from helpline.complaints.taxonomy import load as load_taxonomy
from helpline.console.views import bp
from helpline.console.web import now
from helpline.text import normalize


def span(seconds: float) -> str:
    """A duration, roughly: ``40 min``, ``5 h``, ``2 d``."""
    seconds = abs(int(seconds))
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} d"
    if seconds >= 3600:
        return f"{seconds // 3600} h"
    return f"{max(1, seconds // 60)} min"


def time_left(due: datetime | None, at: datetime | None = None) -> str:
    """``due in 5 h`` or ``overdue 2 d`` (empty without a date)."""
    if due is None:
        return ""
    seconds = (due - (at or now())).total_seconds()
    return f"due in {span(seconds)}" if seconds >= 0 else f"overdue {span(seconds)}"


def urgent_in_words(reason: str | None, text: str | None = "") -> str:
    """What made a complaint urgent, for people: the category's name, or the urgent words the worker used
    (found again in their story), never a code."""
    if not reason:
        return ""
    kind, _, code = reason.partition(":")
    taxonomy = load_taxonomy()
    if kind == "category":
        category = taxonomy.category(code)
        return f"category: {category.name('en') if category else code}"
    if kind == "word":
        padded = f" {normalize(text or '')} "
        said = [p for p, r in taxonomy.urgent_words if r == code and f" {p} " in padded]
        said = [p for p in dict.fromkeys(said) if not any(q != p and q in p for q in said)]  # "hospital", not also
        if said:                                                                             # "hospital main"
            return "said: " + ", ".join(said)
        return f"said a word about: {code.replace('_', ' ')}"
    return reason


bp.add_app_template_filter(time_left, "time_left")
bp.add_app_template_global(urgent_in_words, "urgent_in_words")
