"""The complaint flow: its entry points (start, resume, intercept, gate, handle), moving between steps, filing.

Which step comes next, what BACK forgets and who reads an answer all come from the table in :mod:`.steps`;
this module only follows it. The policy (promised dates, draft lifetime) is ``ctx.config["complaints.policy"]``;
the reference is asked for (:class:`~helpline.engine.events.NewReference`), never made here.
"""

from __future__ import annotations

import re

from helpline.complaints import parse as cparse
from helpline.complaints.extract import QUESTION, content_words, tells_story
from helpline.complaints.policy import Policy
from helpline.complaints.taxonomy import load as load_taxonomy
from helpline.engine.core import Flow, Turn
from helpline.engine.events import ComplaintConfirmed, NewReference
from helpline.flows.complaint import prompts, steps
from helpline.flows.complaint.answers import Verdict
from helpline.flows.complaint.draft import (DEFAULT_DAYS, DRAFT, IDENTITY, MAX_FIELD, Draft, collect_attachments, fill,
                                            has_answers, is_fresh, new_draft, urgency)
from helpline.text import normalize

FLOW = "complaint"
PREFILL = "complaint_prefill"
"""A flow that offers "File a complaint" (a menu item with the id ``complaint``) may leave
``{"category": <code>, "agent": <name>}`` under this key of its own data: the intake then starts in that category
with that agent named (the OEP check's "not found → File a complaint")."""
STORY_MAY_COME = ("category", "country", "who")  # a story sent instead of these answers is taken as more story


def policy(turn: Turn) -> Policy | None:
    """The complaints policy the wiring loaded (None: complaints are not wired, e.g. an engine-only test)."""
    return turn.ctx.config.get("complaints.policy")


class ComplaintFlow(Flow):
    """Complaint intake: the steps of :data:`.steps.STEPS`, then a reference and a receipt."""

    id = FLOW
    label = "menu.complaint"

    # -- entry points -----------------------------------------------------------------------------------------

    def start(self, turn: Turn) -> None:
        """Begin with what the worker already said: the message that opened the intake ("my company has not paid
        me…"), or the question an FAQ answer offered to turn into a complaint. A bare opening ("I want to
        complain", the menu) offers to resume a recent unfinished draft instead."""
        category, words = self._opening(turn)
        prefill = turn.data.get(PREFILL) if turn.choice == FLOW else None
        turn.leave()
        if policy(turn) is None:
            prompts.unavailable(turn)
            turn.main_menu(None)
            return
        draft = turn.state.get(DRAFT)
        if draft and not (category or words) and self._fresh(turn, draft) and has_answers(draft):
            turn.enter(FLOW, steps.RESUME.id)
            self._ask(turn, steps.RESUME.id)
            return
        draft = turn.state[DRAFT] = new_draft(turn, turn.ctx.new_id())
        draft["category"] = category
        fill(draft, words)
        if isinstance(prefill, dict) and prefill.get("agent"):
            draft["agent"] = str(prefill["agent"])[:MAX_FIELD]
        collect_attachments(draft, turn.msg.attachments)
        self._advance(turn)

    def _opening(self, turn: Turn) -> tuple[str | None, str]:
        """The category and the words the intake starts from: an FAQ answer's topic and question when the worker
        chose "file a complaint" under it; the message itself when it opened the intake; else nothing."""
        prefill = turn.data.get(PREFILL) if turn.choice == FLOW else None
        if isinstance(prefill, dict):  # another flow's "File a complaint", pre-filled (see PREFILL)
            return prefill.get("category"), ""
        if turn.choice == FLOW and turn.flow == "faq":
            cat = load_taxonomy().for_topic(turn.data.get("topic"))
            question = str(turn.data.get("question") or "")
            return (cat.code if cat else None), question if content_words(question) else ""
        text = re.sub(r"[#*;]+", " ", turn.text)  # the one-shot form's separators ("COMPLAINT#wages#Dubai")
        if turn.choice is None and content_words(text):
            return None, text
        return None, ""

    def offered_after(self, topic: str) -> str | None:
        """Under an FAQ answer on how to complain, or on a harm that is a complaint by nature (unpaid wages, a held
        passport, a fake agent…): "File a complaint", which starts from the category and the worker's question."""
        return "complaint.file" if topic == "complaint_file" or load_taxonomy().for_topic(topic) else None

    def resume(self, turn: Turn) -> None:
        """BACK landed on this step: forget its answer and ask it again."""
        draft = turn.state.get(DRAFT)
        if not draft:
            turn.main_menu()
            return
        steps.forget(draft, turn.step)
        self._ask(turn, turn.step or steps.next_step(draft))

    def intercept(self, turn: Turn) -> bool:
        """A message that opens a complaint ("COMPLAINT wages Dubai…", "shikayat karni hai", "شکایت …"): the intake
        starts from it. "complaint kaise karein" is a question, for the FAQ."""
        if cparse.one_shot(turn.text) is None:
            return False
        if any(normalize(w) in QUESTION for w in turn.text.split()) or turn.text.rstrip().endswith(("?", "؟")):
            return False
        self.start(turn)
        return True

    def gate(self, turn: Turn) -> bool:
        """A complaint can also open right after an FAQ answer (the FAQ flow would take the message otherwise)."""
        return turn.flow == "faq" and not turn.msg.choice and self.intercept(turn)

    def handle(self, turn: Turn) -> None:
        """One answer to the current step: its row's reader, then what the verdict says. A message that answers
        something else (the story, when a category was asked) is taken as more of the story, and the question
        that is still open is asked again."""
        draft = turn.state.get(DRAFT)
        if not draft:
            self.start(turn)
            return
        if turn.step != steps.RESUME.id and not self._fresh(turn, draft):
            turn.state.pop(DRAFT, None)
            prompts.expired(turn)
            self.start(turn)
            return
        draft["updated"] = turn.ctx.now.isoformat()
        collect_attachments(draft, turn.msg.attachments)
        step = steps.find(turn.step)
        if step is None:
            self._advance(turn)
            return
        verdict = step.read(turn, draft)
        if step.id in STORY_MAY_COME and tells_story(turn.text):
            fill(draft, turn.text)  # the worker's words are kept, and what they say is taken
            if verdict is Verdict.AGAIN:
                verdict = Verdict.NEXT  # the question still open is asked (again) next
        if verdict is Verdict.NEXT and step is steps.RESUME:
            self._continue(turn, draft)
        elif verdict is Verdict.NEXT:
            self._advance(turn)
        elif verdict is Verdict.AGAIN:
            self._ask(turn, step.id, again=True)
        elif verdict is Verdict.NEW:
            turn.state[DRAFT] = new_draft(turn, turn.ctx.new_id())
            self._advance(turn)
        elif verdict is Verdict.RESTART:
            turn.leave()
            turn.state[DRAFT] = new_draft(turn, turn.ctx.new_id())
            self._advance(turn)
        elif verdict is Verdict.CHANGE:
            turn.enter(FLOW, steps.CHANGE.id)
            self._ask(turn, steps.CHANGE.id)
        elif verdict is Verdict.FIX:
            fix = str(turn.data.get("fix"))
            steps.forget(draft, fix)
            turn.enter(FLOW, fix)
            self._ask(turn, fix)
        elif verdict is Verdict.FILE:
            self._file(turn, draft)
        # Verdict.STAY: the reader replied; wait on this step

    # -- moving between steps ---------------------------------------------------------------------------------

    def _advance(self, turn: Turn) -> None:
        """Enter the draft's next step (so BACK returns here) and ask it."""
        step = steps.next_step(turn.state[DRAFT])
        if turn.flow != FLOW or turn.step != step:
            turn.enter(FLOW, step)
        self._ask(turn, step)

    def _continue(self, turn: Turn, draft: Draft) -> None:
        """Resume an unfinished draft at its next question, BACK leading through the questions already answered."""
        turn.state["history"] = [{"flow": FLOW, "step": s.id, "data": {}} for s in steps.STEPS
                                 if s.id in steps.FIXABLE or s.id == "relation"
                                 if s.applies(draft) and not s.pending(draft)]
        step = steps.next_step(draft)
        turn.goto(step)
        self._ask(turn, step)

    def _ask(self, turn: Turn, step_id: str, again: bool = False) -> None:
        """Ask a step's question (after "not understood" when ``again``)."""
        if again:
            prompts.again(turn)
        step = steps.find(step_id)
        if step is not None:
            step.ask(turn, turn.state[DRAFT])

    def _fresh(self, turn: Turn, draft: Draft) -> bool:
        """Touched within the policy's draft lifetime."""
        pol = policy(turn)
        return is_fresh(draft, turn.ctx.now, pol.draft_days if pol is not None else DEFAULT_DAYS)

    # -- filing -----------------------------------------------------------------------------------------------

    def _file(self, turn: Turn, draft: Draft) -> None:
        """Emit the confirmed complaint with a fresh reference, forget the draft and give the receipt."""
        pol = policy(turn)
        assert pol is not None  # the draft could only start with complaints wired
        tax = load_taxonomy()
        category = tax.category(draft["category"]) or tax.category("other")
        assert category is not None
        urgent, reason = urgency(draft)
        referral, resolution = pol.promised(turn.ctx.now, urgent)
        reference = turn.ask(NewReference())
        anonymous = bool(draft["anonymous"])

        def opt(field: str) -> str | None:
            return None if anonymous and field in IDENTITY else (draft.get(field) or None)

        turn.emit(ComplaintConfirmed(
            draft_key=draft["key"], reference=reference, lang=turn.lang, category=category.code,
            country=draft.get("country") or None, description="\n".join(draft["story"]),
            affected=draft["affected"] or "self", filer_relation=draft.get("relation") or None,
            worker_name=opt("name"), worker_cnic=opt("cnic"), worker_passport=opt("passport"),
            employer=opt("employer"), agent=opt("agent"), anonymous=anonymous, urgent=urgent, urgent_reason=reason,
            responsible_body=category.body, promised_referral_at=referral.isoformat(),
            promised_resolution_at=resolution.isoformat(), started_at=draft["started"],
            attachment_refs=tuple(a["ref"] for a in draft["attachments"])))
        turn.state.pop(DRAFT, None)
        if draft.get("country"):  # the FAQ gives this country's rules from now on (until another is named)
            turn.state["country"] = draft["country"]
        turn.leave()
        prompts.filed(turn, reference, category, referral, resolution,
                      urgent_hours=pol.urgent_review_hours if urgent else None,
                      office_opens=None if pol.office.is_open(turn.ctx.now) else pol.office.next_opening(turn.ctx.now),
                      trackable=not anonymous and bool(draft.get("cnic")))
