"""The table of the intake's steps, and what is derived from it: the next question, BACK's forgetting, dispatch.

One row per step, in the order they are asked: its id (also the engine's ``step``), the draft fields it fills,
whether it applies to this draft, when it counts as answered, the function that asks its question
(:mod:`.prompts`) and the one that reads the answer (:mod:`.answers`). ``resume`` is offered only by
``ComplaintFlow.start`` for a recent unfinished draft and ``change`` only from the summary, so neither comes up as
the next question; ``confirm`` fills nothing and is never answered: it is where every complete draft ends up.
A step whose answer the worker's first words already gave (:func:`.draft.fill`) is never asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from helpline.complaints.taxonomy import load as load_taxonomy
from helpline.engine.core import Turn
from helpline.flows.complaint import answers, prompts
from helpline.flows.complaint.answers import Verdict
from helpline.flows.complaint.draft import IDENTITY, Draft, blank, party_named

Ask = Callable[[Turn, Draft], None]
Read = Callable[[Turn, Draft], Verdict]
Test = Callable[[Draft], bool]


def always(draft: Draft) -> bool:
    """Every draft."""
    return True


def never(draft: Draft) -> bool:
    """No draft."""
    return False


def for_family(draft: Draft) -> bool:
    """The complaint is for a family member."""
    return draft.get("affected") == "family"


def story_told(draft: Draft) -> bool:
    """The worker said what happened."""
    return bool(draft.get("story_told"))


def identity_given(draft: Draft) -> bool:
    """The worker gave their identity (all or some of it) or chose to stay anonymous."""
    anonymous = draft.get("anonymous")
    return anonymous is True or (anonymous is False and all(draft.get(f) is not None for f in IDENTITY))


def has_party(draft: Draft) -> bool:
    """The category is about someone (an employer, a kafeel, an agent): ask who, unless already said."""
    cat = load_taxonomy().category(draft.get("category") or "")
    return cat is not None and cat.party


@dataclass(frozen=True)
class Step:
    """One row of the table."""

    id: str
    fills: tuple[str, ...]  # the draft fields it answers: BACK to this step resets them (draft.BLANK)
    ask: Ask  # its question: what it says and offers
    read: Read  # its answer: into the draft, and what happens next
    applies: Test = always  # asked of this draft at all?
    answered: Test | None = None  # None: when every field it fills has a value (is not None)

    def pending(self, draft: Draft) -> bool:
        """This step applies to the draft and has no answer yet."""
        if not self.applies(draft):
            return False
        if self.answered is not None:
            return not self.answered(draft)
        return any(draft.get(field) is None for field in self.fills)


STEPS: tuple[Step, ...] = (
    #    id          fills                                      asks with         reads with        applies / answered
    Step("resume",   (),                                        prompts.resume,   answers.resume,   applies=never),
    Step("story",    ("story", "story_told"),                   prompts.story,    answers.story,    answered=story_told),
    Step("category", ("category",),                             prompts.category, answers.category),
    Step("country",  ("country",),                              prompts.country,  answers.country),
    Step("who",      ("affected", "relation"),                  prompts.who,      answers.who,
         answered=lambda d: d.get("affected") is not None),
    Step("relation", ("relation",),                             prompts.relation, answers.relation, applies=for_family),
    Step("identity", ("anonymous", "name", "cnic", "passport"), prompts.identity, answers.identity,
         answered=identity_given),
    Step("against",  ("employer", "agent"),                     prompts.against,  answers.against,  applies=has_party,
         answered=party_named),
    Step("confirm",  (),                                        prompts.summary,  answers.confirm,  answered=never),
    Step("change",   (),                                        prompts.change,   answers.change,   applies=never),
)
"""Every step, in the order they are asked."""

BY_ID: dict[str, Step] = {step.id: step for step in STEPS}
RESUME = BY_ID["resume"]
CHANGE = BY_ID["change"]
# What the worker may correct from the summary: the step asked again (its answers forgotten first).
FIXABLE = ("category", "country", "story", "who", "identity", "against")


def find(step_id: str | None) -> Step | None:
    """The row for the engine's current step (None for no step or one this table does not know)."""
    return BY_ID.get(step_id or "")


def next_step(draft: Draft) -> str:
    """The first question the draft has no answer to (``confirm`` when complete)."""
    return next(step.id for step in STEPS if step.pending(draft))


def forget(draft: Draft, step_id: str | None) -> None:
    """BACK landed on this step: reset the fields it fills, so it is asked afresh."""
    step = find(step_id)
    for field in step.fills if step is not None else ():
        draft[field] = blank(field)
    if step_id == "story":  # what was read from the old story goes with it: a retold story is read afresh
        for field in draft.pop("inferred", []):
            draft[field] = blank(field)
        draft["likely"] = []
