"""The complaint flow: its entry points (start, resume, intercept, gate, handle), moving between steps, filing.

Which step comes next, what BACK forgets and who reads an answer all come from the table in :mod:`.steps`;
this module only follows it. The policy (promised dates, draft lifetime) is ``ctx.config["complaints.policy"]``;
the reference is asked for (:class:`~helpline.engine.events.NewReference`), never made here.
"""

from __future__ import annotations

from helpline.complaints import parse as cparse
from helpline.complaints.policy import Policy
from helpline.complaints.taxonomy import load as load_taxonomy
from helpline.engine.core import Flow, Turn
from helpline.engine.events import ComplaintConfirmed, NewReference
from helpline.flows.complaint import answers, prompts, steps
from helpline.flows.complaint.answers import Verdict
from helpline.flows.complaint.draft import (DEFAULT_DAYS, DRAFT, IDENTITY, Draft, collect_attachments, has_answers,
                                            is_fresh, new_draft, urgency)

FLOW = "complaint"


def policy(turn: Turn) -> Policy | None:
    """The complaints policy the wiring loaded (None: complaints are not wired, e.g. an engine-only test)."""
    return turn.ctx.config.get("complaints.policy")


class ComplaintFlow(Flow):
    """Complaint intake: the steps of :data:`.steps.STEPS`, then a reference and a receipt."""

    id = FLOW
    label = "menu.complaint"

    # -- entry points -----------------------------------------------------------------------------------------

    def start(self, turn: Turn) -> None:
        """Offer to resume a recent unfinished draft, else begin a new one."""
        turn.leave()
        if policy(turn) is None:
            prompts.unavailable(turn)
            turn.main_menu(None)
            return
        draft = turn.state.get(DRAFT)
        if draft and self._fresh(turn, draft) and has_answers(draft):
            turn.enter(FLOW, steps.RESUME.id)
            self._ask(turn, steps.RESUME.id)
            return
        turn.state[DRAFT] = new_draft(turn, turn.ctx.new_id())
        self._advance(turn)

    def resume(self, turn: Turn) -> None:
        """BACK landed on this step: forget its answer and ask it again."""
        draft = turn.state.get(DRAFT)
        if not draft:
            turn.main_menu()
            return
        steps.forget(draft, turn.step)
        self._ask(turn, turn.step or steps.next_step(draft))

    def intercept(self, turn: Turn) -> bool:
        """``COMPLAINT ...`` / ``shikayat ...`` / ``شکایت ...``: the one-shot form (a bare word starts the intake)."""
        form = cparse.one_shot(turn.text)
        if form is None:
            return False
        if not form.rest:
            self.start(turn)
            return True
        if form.category is None and form.country is None:
            return False  # "complaint kaise karein": a question for the FAQ
        turn.leave()
        if policy(turn) is None:
            prompts.unavailable(turn)
            turn.main_menu(None)
            return True
        draft = new_draft(turn, turn.ctx.new_id())
        answers.one_shot(draft, form)
        turn.state[DRAFT] = draft
        collect_attachments(draft, turn.msg.attachments)
        prompts.one_shot_got(turn, draft)
        self._advance(turn)
        return True

    def gate(self, turn: Turn) -> bool:
        """The one-shot form also works right after an FAQ answer (the FAQ flow would take it otherwise)."""
        return turn.flow == "faq" and not turn.msg.choice and cparse.one_shot(turn.text) is not None \
            and self.intercept(turn)

    def handle(self, turn: Turn) -> None:
        """One answer to the current step: its row's reader, then what the verdict says."""
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
        if verdict is Verdict.NEXT:
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
        turn.leave()
        prompts.filed(turn, reference, category, referral, resolution,
                      urgent_hours=pol.urgent_review_hours if urgent else None,
                      trackable=not anonymous and bool(draft.get("cnic")))
