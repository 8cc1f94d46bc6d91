"""Complaint intake: category, country, what happened, who, optional identity, summary, then a reference.

The draft lives in the conversation state under ``complaint_draft`` (plain JSON), outside the flow's own data,
so MENU, HELP or a language switch leave it in place for resuming (for ``Policy.draft_days``). Each step is
entered with ``Turn.enter``, so the engine's BACK returns to the previous step, whose answer is then asked
again. On confirmation the flow asks for a fresh reference (:class:`~helpline.engine.events.NewReference`), emits
:class:`~helpline.engine.events.ComplaintConfirmed` (stored by ``helpline.complaints.turns`` in the turn's
transaction, once per draft key) and clears the draft, so a second "yes" finds nothing to file. The policy
(promised dates, draft lifetime) is ``ctx.config["complaints.policy"]``, loaded at start-up.

One module per job:

* :mod:`.steps` — the table of steps (id, fields filled, applies to this draft?, asks with, reads with), and
  what is derived from it: ``next_step``, what BACK forgets, which reader an answer goes to;
* :mod:`.prompts` — what each step says and offers (message keys, menu items), and the receipt;
* :mod:`.answers` — reading each step's answer into the draft, with a verdict on what happens next;
* :mod:`.draft` — the draft's shape, blank answers, lifetime, files and urgency;
* :mod:`.flow` — ``ComplaintFlow``: the entry points, moving between steps, filing.
"""

from __future__ import annotations

from helpline.flows.complaint.draft import AGAINST, DRAFT, IDENTITY, MAX_FIELD, MAX_STORY, new_draft, urgency
from helpline.flows.complaint.flow import FLOW, ComplaintFlow, policy
from helpline.flows.complaint.steps import STEPS, Step, next_step

__all__ = ["AGAINST", "DRAFT", "FLOW", "IDENTITY", "MAX_FIELD", "MAX_STORY", "STEPS", "ComplaintFlow", "Step",
           "new_draft", "next_step", "policy", "urgency"]
