"""Tracking a complaint: ``STATUS <ref>``, ``REOPEN <ref>`` and ``SOLVED <ref>`` in all three languages.

Only messages whose argument has the shape of a complaint reference are claimed (7 symbols with a letter;
passport tracking numbers are digits and belong to ``status_lookup``). The filing contact gets the details;
anyone else must give the last 4 digits of the CNIC given at filing, and "unknown reference" and "wrong digits"
get the same answer. After 5 failed lookups in an hour, lookups by that contact are refused for a while.
"""

from __future__ import annotations

import re
from datetime import timedelta

from helpline.complaints import fmt, references
from helpline.complaints.policy import Policy
from helpline.complaints.view import ComplaintView
from helpline.complaints.taxonomy import load as load_taxonomy
from helpline.engine.core import MAIN_MENU, Flow, Turn
from helpline.engine.events import (ComplaintLookup, ComplaintReopened, ComplaintVerify, LookupFailed,
                                    LookupFailures, ResolutionConfirmed)
from helpline.engine.events import LanguageChanged, SensitiveInbound
from helpline.flows.complaint import policy
from helpline.lang import detect
from helpline.messages import MenuItem, Text
from helpline.text import ascii_digits, normalize

FLOW = "tracking"
MAX_FAILURES = 5
PASSPORT_FLOW = "status_lookup"  # issue 6's flow, offered next to ours for a bare "status"


def _forms(*typed: str) -> frozenset[str]:
    return frozenset(normalize(t) for t in typed)


COMMANDS: dict[str, frozenset[str]] = {
    "status": _forms("status", "stetus", "satus", "halat", "haalat", "haalaat", "track", "ticket", "surat e hal",
                     "صورتحال", "صورت حال", "اسٹیٹس", "سٹیٹس", "حالت", "ٹکٹ"),
    "reopen": _forms("reopen", "re open", "re-open", "dobara", "dubara", "dobara kholo", "dubara kholo",
                     "دوبارہ", "دوبارہ کھولیں", "ری اوپن"),
    "solved": _forms("solved", "resolved", "hal", "hal ho gaya", "hal hogaya", "حل", "حل ہو گیا"),
}
_SPLIT = re.compile(r"[\s:#,.;]+")
_REF_SHAPE = re.compile(r"^[A-Z0-9]{7}$")


def _home() -> MenuItem:
    return MenuItem(MAIN_MENU, Text("menu.main"))


def reference_shape(text: str) -> tuple[str | None, bool]:
    """``(valid reference, looks like one)``: 7 letters/digits with at least one letter, after separators go."""
    raw = references.canonical(text)
    if not _REF_SHAPE.match(raw) or raw.isdigit():
        return None, False
    ref, _ = references.parse(raw)
    return ref, True


def command(text: str) -> tuple[str, str, str] | None:
    """``(command, rest, word)`` when the text starts (or ends) with a tracking word; ``rest`` may be empty."""
    words = [w for w in _SPLIT.split(ascii_digits(text.strip())) if w]
    for size in (3, 2, 1):
        if len(words) >= size:
            head = normalize(" ".join(words[:size]))
            tail = normalize(" ".join(words[-size:]))
            for name, forms in COMMANDS.items():
                if head in forms:
                    return name, " ".join(words[size:]), " ".join(words[:size])
                if tail in forms and len(words) > size:
                    return name, " ".join(words[:-size]), " ".join(words[-size:])
    return None


def _language_of(turn: Turn, word: str) -> None:
    """Answer in the language of the command word (or keep the current one): random ticket letters such as
    ``KYA`` or ``THE`` must not switch the language."""
    previous = turn.state.get("lang") or turn.ctx.default_lang
    wanted = detect(word) or previous
    if turn.lang == wanted:
        return
    turn.events[:] = [e for e in turn.events if not isinstance(e, LanguageChanged)]
    if wanted != previous:
        turn.events.append(LanguageChanged(wanted, explicit=False))
    turn.lang = wanted


class TrackingFlow(Flow):
    id = FLOW
    label = None  # reached by STATUS <ref>, not from the main menu (the complaint confirmation tells how)

    def gate(self, turn: Turn) -> bool:
        """``STATUS <ref>`` works outside a flow, after an FAQ answer, and while tracking."""
        if turn.msg.choice or turn.flow not in (None, "faq", FLOW) or (turn.flow == FLOW and turn.step == "ask"):
            return False
        return self._command(turn, require_ref=True)

    def intercept(self, turn: Turn) -> bool:
        """A bare ``status`` (no reference): ask for it, and offer the passport status check too."""
        return self._command(turn, require_ref=False)

    def start(self, turn: Turn) -> None:
        """Ask for a complaint reference."""
        turn.leave()
        turn.enter(FLOW, "ask", {"command": "status"})
        turn.say("track.ask_ref")
        passport = turn.ctx.flow(PASSPORT_FLOW)
        items = [MenuItem(passport.id, Text(passport.label))] if passport is not None and passport.label else []
        turn.menu(items + [_home()])

    def handle(self, turn: Turn) -> None:
        """A reference after "which one?", or the CNIC digits after "prove it"."""
        if turn.step == "verify":
            self._verify(turn)
            return
        ref, shaped = reference_shape(turn.text)
        if shaped:
            _language_of(turn, "")
        if not shaped:
            if self._command(turn, require_ref=False):
                return
            turn.leave()
            turn.say("track.badref")
            turn.main_menu(None)
            return
        self._run(turn, turn.data.get("command", "status"), ref)

    # -- commands ---------------------------------------------------------------------------------------------

    def _command(self, turn: Turn, *, require_ref: bool) -> bool:
        found = command(turn.text)
        if found is None:
            bare_ref, shaped = reference_shape(turn.text) if require_ref else (None, False)
            # A ticket on its own only when its check symbol is right ("covid19" is not one).
            if bare_ref is not None and ("-" in turn.text or any(ch.isdigit() for ch in ascii_digits(turn.text))) \
                    and turn.flow in (None, FLOW):
                _language_of(turn, "")
                self._run(turn, "status", bare_ref)  # a reference on its own: STATUS
                return True
            return False
        name, rest, word = found
        if not rest.strip():
            if require_ref or name != "status":
                return False  # a bare "dobara" or "hal" is ordinary speech; a bare "status" asks for the reference
            self.start(turn)
            return True
        ref, shaped = reference_shape(rest)
        if not shaped:
            return False  # "status 1234567890": a passport tracking number, not ours
        _language_of(turn, word)
        self._run(turn, name, ref)
        return True

    def _run(self, turn: Turn, name: str, ref: str | None) -> None:
        turn.leave()
        pol = policy(turn)
        if pol is None:
            turn.say("complaint.unavailable")
            turn.main_menu(None)
            return
        if ref is None:
            turn.say("track.badref")
            turn.menu([_home()])
            return
        view = turn.ask(ComplaintLookup(ref))
        if view is not None and view.owned:
            {"status": self._show, "reopen": self._reopen, "solved": self._solved}[name](turn, view, pol)
            return
        if turn.ask(LookupFailures()) >= MAX_FAILURES:
            turn.say("track.throttled")
            turn.menu([_home()])
            return
        if name != "status":
            turn.say("track.only_filer")
            turn.menu([_home()])
            return
        turn.enter(FLOW, "verify", {"ref": ref})
        turn.say("track.verify", ref=references.display(ref))
        turn.menu([_home()])

    def _verify(self, turn: Turn) -> None:
        turn.emit(SensitiveInbound("verification"))  # it answers "the last 4 digits of the CNIC?": never logged
        pol = policy(turn)
        ref = turn.data.get("ref") or ""
        if pol is None:
            turn.main_menu(None)
            return
        digits = re.sub(r"\D", "", ascii_digits(turn.text))
        if len(digits) != 4:
            turn.say("track.verify.digits")
            turn.menu([_home()])
            return
        if turn.ask(LookupFailures()) >= MAX_FAILURES:
            turn.leave()
            turn.say("track.throttled")
            turn.menu([_home()])
            return
        view = turn.ask(ComplaintVerify(ref, digits))
        turn.leave()
        if view is None:
            turn.emit(LookupFailed(ref))
            turn.say("track.notverified")
            turn.menu([_home()])
            return
        self._show(turn, view, pol)

    # -- answers ----------------------------------------------------------------------------------------------

    def _show(self, turn: Turn, view: ComplaintView, pol: Policy) -> None:
        lang = turn.lang
        tax = load_taxonomy()
        cat = tax.category(view.category)
        ref = references.display(view.reference)
        turn.say("track.status", ref=ref, category=cat.name(lang) if cat else view.category,
                 status=Text(f"complaint.status.{view.status}"), body=tax.body(view.body).name(lang))
        if view.last_update:
            turn.say("track.update", date=fmt.day(view.last_update_at, lang), text=view.last_update[:300])
        if view.status in ("new", "reopened", "referred", "in_progress"):
            turn.say("track.promise", referral=fmt.day(view.promised_referral_at, lang),
                     resolution=fmt.day(view.promised_resolution_at, lang))
        if view.status == "resolved" and view.owned and view.resolved_at is not None:
            until = view.resolved_at + timedelta(days=pol.reopen_days)
            turn.say("track.resolved", ref=ref, date=fmt.day(until, lang))
        turn.menu([_home()])

    def _reopen(self, turn: Turn, view: ComplaintView, pol: Policy) -> None:
        ref = references.display(view.reference)
        if view.status not in ("resolved", "closed"):
            turn.say("track.reopen.open", ref=ref, status=Text(f"complaint.status.{view.status}"))
        else:
            since = view.resolved_at or view.closed_at
            if since is not None and turn.ctx.now - since > timedelta(days=pol.reopen_days):
                turn.say("track.reopen.late", ref=ref, days=pol.reopen_days)
            else:
                referral, resolution = pol.promised(turn.ctx.now, view.urgent)
                turn.emit(ComplaintReopened(view.reference))
                turn.say("track.reopened", ref=ref, referral=fmt.day(referral, turn.lang),
                         resolution=fmt.day(resolution, turn.lang))
        turn.menu([_home()])

    def _solved(self, turn: Turn, view: ComplaintView, pol: Policy) -> None:
        ref = references.display(view.reference)
        if view.status == "resolved":
            turn.emit(ResolutionConfirmed(view.reference))
            turn.say("track.solved", ref=ref)
        else:
            turn.say("track.solved.not_resolved", ref=ref, status=Text(f"complaint.status.{view.status}"))
        turn.menu([_home()])

