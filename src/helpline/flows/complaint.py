"""Complaint intake: category, country, what happened, who, optional identity, summary, then a reference.

The draft lives in the conversation state under ``complaint_draft`` (plain JSON), outside the flow's own data,
so MENU, HELP or a language switch leave it in place for resuming (for ``Policy.draft_days``). Each step is
entered with ``Turn.enter``, so the engine's BACK returns to the previous step, whose answer is then asked
again. On confirmation the flow asks for a fresh reference (:class:`~helpline.engine.events.NewReference`), emits
:class:`~helpline.engine.events.ComplaintConfirmed` (stored by ``helpline.complaints.turns`` in the turn's
transaction, once per draft key) and clears the draft, so a second "yes" finds nothing to file. The policy
(promised dates, draft lifetime) is ``ctx.config["complaints.policy"]``, loaded at start-up.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from helpline.complaints import fmt, references
from helpline.complaints import parse as cparse
from helpline.complaints.countries import load as load_countries
from helpline.complaints.policy import Policy
from helpline.complaints.taxonomy import load as load_taxonomy
from helpline.engine.core import MAIN_MENU, Flow, Turn
from helpline.engine.events import ComplaintConfirmed, NewReference
from helpline.messages import MenuItem, Text
from helpline.privacy import mask

DRAFT = "complaint_draft"
FLOW = "complaint"
IDENTITY = ("name", "cnic", "passport")
AGAINST = ("employer", "agent")
MAX_STORY = 4000
MAX_FIELD = 200
# What BACK to a step forgets, so the step is asked afresh.
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "category": ("category",), "country": ("country",), "story": ("story", "story_done"), "who": ("affected",),
    "relation": ("relation",), "identity": ("anonymous",), "name": ("name",), "cnic": ("cnic",),
    "passport": ("passport",), "employer": ("employer",), "agent": ("agent",),
}
YES, RESTART, CONTINUE, NEW, SELF, FAMILY, GIVE, ANON = (
    "c:yes", "c:restart", "c:continue", "c:new", "c:self", "c:family", "c:give", "c:anon")


def _home() -> MenuItem:
    return MenuItem(MAIN_MENU, Text("menu.main"))


def policy(turn: Turn) -> Policy | None:
    """The complaints policy the wiring loaded (None: complaints are not wired, e.g. an engine-only test)."""
    return turn.ctx.config.get("complaints.policy")


def new_draft(turn: Turn, key: str) -> dict[str, Any]:
    """An empty draft started now."""
    return {"key": key, "started": turn.ctx.now.isoformat(), "updated": turn.ctx.now.isoformat(), "category": None,
            "country": None, "story": [], "story_done": False, "affected": None, "relation": None,
            "anonymous": None, "name": None, "cnic": None, "passport": None, "employer": None, "agent": None,
            "attachments": []}


def next_step(draft: dict[str, Any]) -> str:
    """The first question the draft has no answer to (``confirm`` when complete)."""
    if draft.get("category") is None:
        return "category"
    if draft.get("country") is None:
        return "country"
    if not draft.get("story_done"):
        return "story"
    if draft.get("affected") is None:
        return "who"
    if draft["affected"] == "family" and draft.get("relation") is None:
        return "relation"
    if draft.get("anonymous") is None:
        return "identity"
    for field in (() if draft["anonymous"] else IDENTITY) + AGAINST:
        if draft.get(field) is None:
            return field
    return "confirm"


def urgency(draft: dict[str, Any]) -> tuple[bool, str | None]:
    """Urgent by category, or by an urgent word in what happened; with the reason recorded on the complaint."""
    tax = load_taxonomy()
    cat = tax.category(draft.get("category") or "other")
    if cat is not None and cat.urgent:
        return True, f"category:{cat.code}"
    word = tax.urgent_reason(" ".join(draft.get("story") or []))
    return (True, f"word:{word}") if word else (False, None)


class ComplaintFlow(Flow):
    id = FLOW
    label = "menu.complaint"

    # -- entry points -----------------------------------------------------------------------------------------

    def start(self, turn: Turn) -> None:
        """Offer to resume a recent unfinished draft, else begin a new one."""
        turn.leave()
        if policy(turn) is None:
            turn.say("complaint.unavailable")
            turn.main_menu(None)
            return
        draft = turn.state.get(DRAFT)
        if draft and self._fresh(turn, draft) and self._has_answers(draft):
            turn.enter(FLOW, "resume")
            self._ask(turn, "resume")
            return
        turn.state[DRAFT] = new_draft(turn, turn.ctx.new_id())
        self._advance(turn)

    def resume(self, turn: Turn) -> None:
        """BACK landed on this step: forget its answer and ask it again."""
        draft = turn.state.get(DRAFT)
        if not draft:
            turn.main_menu()
            return
        for field in STEP_FIELDS.get(turn.step or "", ()):
            draft[field] = [] if field == "story" else (False if field == "story_done" else None)
        self._ask(turn, turn.step or next_step(draft))

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
            turn.say("complaint.unavailable")
            turn.main_menu(None)
            return True
        draft = new_draft(turn, turn.ctx.new_id())
        draft.update(category=form.category, country=form.country)
        draft["story"] = [form.rest[:MAX_STORY]]
        draft["story_done"] = form.story
        turn.state[DRAFT] = draft
        self._collect_attachments(turn, draft)
        turn.say("complaint.oneshot.got", category=self._category_name(turn, draft),
                 country=self._country_name(turn, draft))
        self._advance(turn)
        return True

    def gate(self, turn: Turn) -> bool:
        """The one-shot form also works right after an FAQ answer (the FAQ flow would take it otherwise)."""
        return turn.flow == "faq" and not turn.msg.choice and cparse.one_shot(turn.text) is not None \
            and self.intercept(turn)

    # -- the active flow --------------------------------------------------------------------------------------

    def handle(self, turn: Turn) -> None:
        """One answer to the current step."""
        draft = turn.state.get(DRAFT)
        if not draft:
            self.start(turn)
            return
        if turn.step != "resume" and not self._fresh(turn, draft):
            turn.state.pop(DRAFT, None)
            turn.say("complaint.expired")
            self.start(turn)
            return
        draft["updated"] = turn.ctx.now.isoformat()
        self._collect_attachments(turn, draft)
        handler = getattr(self, f"_on_{turn.step}", None)
        if handler is None:
            self._advance(turn)
        else:
            handler(turn, draft)

    def _on_resume(self, turn: Turn, draft: dict[str, Any]) -> None:
        if turn.choice == CONTINUE or cparse.is_yes(turn.text):
            self._advance(turn)
        elif turn.choice == NEW:
            turn.state[DRAFT] = new_draft(turn, turn.ctx.new_id())
            self._advance(turn)
        else:
            self._ask(turn, "resume", again=True)

    def _on_category(self, turn: Turn, draft: dict[str, Any]) -> None:
        code = (turn.choice or "").removeprefix("cat:") if (turn.choice or "").startswith("cat:") else None
        code = code or cparse.best_category(turn.text)
        if code is None or load_taxonomy().category(code) is None:
            self._ask(turn, "category", again=True)
            return
        draft["category"] = code
        self._advance(turn)

    def _on_country(self, turn: Turn, draft: dict[str, Any]) -> None:
        choice = turn.choice or ""
        if choice.startswith("cc:"):
            draft["country"] = choice[3:]
            self._advance(turn)
            return
        if cparse.is_skip(turn.text):
            draft["country"] = ""
            self._advance(turn)
            return
        found = load_countries().match(turn.text)
        if found and (found[0][1] >= 86 and (len(found) == 1 or found[1][1] < found[0][1] - 5)):
            draft["country"] = found[0][0]
            self._advance(turn)
        elif found:
            countries = load_countries()
            turn.say("complaint.country.which")
            turn.menu([MenuItem(f"cc:{code}", Text("complaint.label", {"name": countries.name(code, turn.lang)}))
                       for code, _ in found[:4]] + [_home()])
        else:
            self._ask(turn, "country", again=True)

    def _on_story(self, turn: Turn, draft: dict[str, Any]) -> None:
        if cparse.is_done(turn.text):
            if not draft["story"]:
                turn.say("complaint.story.empty")
                return
            draft["story_done"] = True
            self._advance(turn)
            return
        if turn.text:
            used = sum(len(part) for part in draft["story"])
            if used < MAX_STORY:
                draft["story"].append(turn.text[:MAX_STORY - used])
        turn.say("complaint.story.more", count=len(draft["story"]) + len(draft["attachments"]))

    def _on_who(self, turn: Turn, draft: dict[str, Any]) -> None:
        typed = cparse.who(turn.text) if turn.choice is None else None
        if turn.choice not in (SELF, FAMILY) and typed is None:
            self._ask(turn, "who", again=True)
            return
        draft["affected"] = typed or ("self" if turn.choice == SELF else "family")
        if draft["affected"] == "self":
            draft["relation"] = None
        elif typed == "family":
            draft["relation"] = turn.text[:60]  # "for my brother" already says how they are related
        self._advance(turn)

    def _on_relation(self, turn: Turn, draft: dict[str, Any]) -> None:
        draft["relation"] = "" if cparse.is_skip(turn.text) else turn.text[:60]
        self._advance(turn)

    def _on_identity(self, turn: Turn, draft: dict[str, Any]) -> None:
        if turn.choice not in (GIVE, ANON):
            self._ask(turn, "identity", again=True)
            return
        draft["anonymous"] = turn.choice == ANON
        if draft["anonymous"]:
            for field in IDENTITY:
                draft[field] = None
        self._advance(turn)

    def _free_field(self, turn: Turn, draft: dict[str, Any], field: str) -> None:
        draft[field] = "" if cparse.is_skip(turn.text) else turn.text[:MAX_FIELD]
        self._advance(turn)

    def _on_name(self, turn: Turn, draft: dict[str, Any]) -> None:
        self._free_field(turn, draft, "name")

    def _on_employer(self, turn: Turn, draft: dict[str, Any]) -> None:
        self._free_field(turn, draft, "employer")

    def _on_agent(self, turn: Turn, draft: dict[str, Any]) -> None:
        self._free_field(turn, draft, "agent")

    def _on_cnic(self, turn: Turn, draft: dict[str, Any]) -> None:
        if cparse.is_skip(turn.text):
            draft["cnic"] = ""
        elif (digits := cparse.cnic(turn.text)) is not None:
            draft["cnic"] = digits
        else:
            turn.say("complaint.cnic.invalid")
            return
        self._advance(turn)

    def _on_passport(self, turn: Turn, draft: dict[str, Any]) -> None:
        if cparse.is_skip(turn.text):
            draft["passport"] = ""
        elif (number := cparse.passport(turn.text)) is not None:
            draft["passport"] = number
        else:
            turn.say("complaint.passport.invalid")
            return
        self._advance(turn)

    def _on_confirm(self, turn: Turn, draft: dict[str, Any]) -> None:
        if turn.choice == YES or (turn.choice is None and cparse.is_yes(turn.text)):
            self._file(turn, draft)
        elif turn.choice == RESTART:
            turn.leave()
            turn.state[DRAFT] = new_draft(turn, turn.ctx.new_id())
            self._advance(turn)
        else:
            self._ask(turn, "confirm", again=True)

    # -- filing -----------------------------------------------------------------------------------------------

    def _file(self, turn: Turn, draft: dict[str, Any]) -> None:
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
        ref = references.display(reference)
        turn.say("complaint.filed", ref=ref, body=tax.body(category.body).name(turn.lang),
                 referral=fmt.day(referral, turn.lang), resolution=fmt.day(resolution, turn.lang))
        if urgent:
            turn.say("complaint.filed.urgent", hours=pol.urgent_review_hours)
        if anonymous or not draft.get("cnic"):
            turn.say("complaint.filed.this_phone", ref=ref)
        else:
            turn.say("complaint.filed.track", ref=ref)
        turn.menu([_home()])

    # -- asking -----------------------------------------------------------------------------------------------

    def _advance(self, turn: Turn) -> None:
        draft = turn.state[DRAFT]
        step = next_step(draft)
        if turn.flow == FLOW and turn.step != step:
            turn.enter(FLOW, step)
        elif turn.flow != FLOW:
            turn.enter(FLOW, step)
        self._ask(turn, step)

    def _ask(self, turn: Turn, step: str, again: bool = False) -> None:
        draft = turn.state[DRAFT]
        family = draft.get("affected") == "family"
        if again:
            turn.say("complaint.again")
        if step == "resume":
            turn.say("complaint.resume.ask", category=self._category_name(turn, draft) or "-",
                     date=fmt.day(draft.get("started"), turn.lang))
            turn.menu([MenuItem(CONTINUE, Text("complaint.resume.continue")),
                       MenuItem(NEW, Text("complaint.resume.new")), _home()])
        elif step == "category":
            turn.say("complaint.ask.category")
            turn.menu([MenuItem(f"cat:{c.code}", Text("complaint.label", {"name": c.name(turn.lang)}))
                       for c in load_taxonomy().categories])
        elif step == "country":
            turn.say("complaint.ask.country")
        elif step == "story":
            turn.say("complaint.ask.story")
        elif step == "who":
            turn.say("complaint.ask.who")
            turn.menu([MenuItem(SELF, Text("complaint.who.self")), MenuItem(FAMILY, Text("complaint.who.family"))])
        elif step == "relation":
            turn.say("complaint.ask.relation")
        elif step == "identity":
            turn.say("complaint.ask.identity.family" if family else "complaint.ask.identity")
            turn.say("complaint.anon.explain")
            turn.menu([MenuItem(GIVE, Text("complaint.identity.give")),
                       MenuItem(ANON, Text("complaint.identity.anon"))])
        elif step in IDENTITY + AGAINST:
            turn.say(f"complaint.ask.{step}{'.family' if family else ''}")
        elif step == "confirm":
            self._summary(turn, draft)

    def _summary(self, turn: Turn, draft: dict[str, Any]) -> None:
        story = " ".join(draft["story"])
        story = story if len(story) <= 160 else story[:157] + "..."
        who = Text("complaint.who.family.short", {"relation": draft.get("relation") or "-"}) \
            if draft.get("affected") == "family" else Text("complaint.who.self.short")
        if draft.get("anonymous"):
            details: Any = Text("complaint.summary.anonymous")
        else:
            parts = [draft.get("name") or "", mask(draft.get("cnic") or ""), mask(draft.get("passport") or "")]
            details = ", ".join(p for p in parts if p) or "-"
        against = ", ".join(p for p in (draft.get("employer"), draft.get("agent")) if p) or "-"
        turn.say("complaint.summary", category=self._category_name(turn, draft),
                 country=self._country_name(turn, draft) or "-", story=story, who=who, details=details,
                 against=against, files=len(draft["attachments"]))
        urgent, _ = urgency(draft)
        if urgent:
            turn.say("complaint.summary.urgent")
        turn.menu([MenuItem(YES, Text("complaint.confirm.yes")), MenuItem(RESTART, Text("complaint.confirm.restart")),
                   _home()])

    # -- helpers ----------------------------------------------------------------------------------------------

    @staticmethod
    def _category_name(turn: Turn, draft: dict[str, Any]) -> str:
        cat = load_taxonomy().category(draft.get("category") or "")
        return cat.name(turn.lang) if cat else "-"

    @staticmethod
    def _country_name(turn: Turn, draft: dict[str, Any]) -> str:
        return load_countries().name(draft.get("country"), turn.lang) or "-"

    @staticmethod
    def _collect_attachments(turn: Turn, draft: dict[str, Any]) -> None:
        for a in turn.msg.attachments[:10]:
            if len(draft["attachments"]) < 20:
                draft["attachments"].append({"kind": a.kind, "ref": a.ref, "content_type": a.content_type})

    @staticmethod
    def _has_answers(draft: dict[str, Any]) -> bool:
        return bool(draft.get("category") or draft.get("country") or draft.get("story"))

    @staticmethod
    def _fresh(turn: Turn, draft: dict[str, Any]) -> bool:
        pol = policy(turn)
        days = pol.draft_days if pol is not None else 7
        try:
            updated = datetime.fromisoformat(draft.get("updated") or "")
        except ValueError:
            return False
        return turn.ctx.now - updated <= timedelta(days=days)

