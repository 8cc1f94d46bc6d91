"""A question and its choices always arrive together (issue 13, point 3): every prompt with options, of every
flow, in the three languages, through the SMS renderer. The question and all of its options must be on one page,
and every page within the segment budget.

Prompts are enumerated from the code, not from a hand list: every wired flow started from a menu, every row of
the complaint intake's step table (whatever it holds) asked with representative drafts, every main menu the
code opens with an intro, the global words, the status lookup and tracking flows walked through their answers,
the handoff in each of its states, every knowledge-base topic's answer (short and in full) with its after-answer
menu, and a suggestion menu of the longest titles. A prompt that fails here is a content bug: shorten it with an
SMS variant (``K.sms`` in ``locales/*/LC_MESSAGES/sms.po``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpline import engine
from helpline.engine.core import GLOBAL_WORDS, SMALL_TALK, Facts, NeedFact, Turn
from helpline.engine.events import (ComplaintLookup, ComplaintVerify, FactNeeded, LookupFailures, ReplyCreated,
                                    StatusCheck, StatusThrottled)
from helpline.matcher import Match
from helpline.messages import LANGUAGES, InboundMessage, Reply, Text
from helpline.pipeline import RenderedReply
from helpline.settings import Settings
from helpline.sms import count_segments
from tests.conftest import FIXED_NOW
from tests.harness import nothing_on_record
from webhooks.twilio.render import pages, question_of, render_sms

BUDGET = Settings.model_fields["sms_segment_budget"].default
SRC = Path(__file__).resolve().parents[2] / "src" / "helpline"
Prompt = tuple[str, Reply]


# -- driving the engine ----------------------------------------------------------------------------------------


def _step(core, lang: str, *, text: str = "", choice: str | None = None, state: dict | None = None,
          answers: dict | None = None, facts: Facts | None = None) -> tuple[dict, list[Reply]]:
    """One SMS message through the real engine; asks answered from ``answers`` (by type; a value or a function)."""
    table = {**nothing_on_record(), **(answers or {})}
    msg = InboundMessage(channel="sms", address="tel:+923000000000", text=text, choice=choice)
    state = {"lang": lang, "turns": 3, **(state or {})}
    known: dict[Any, Any] = {}
    while True:
        new_state, events = engine.step(state, msg, core.context(FIXED_NOW, facts or Facts(), known))
        if len(events) == 1 and isinstance(events[0], FactNeeded):
            ask = events[0].ask
            answer = table[type(ask)]
            known[ask] = answer(ask) if callable(answer) and not isinstance(answer, type) else answer
            continue
        return new_state, [e.reply for e in events if isinstance(e, ReplyCreated)]


def _say(core, lang: str, do: Callable[[Turn], None], answers: dict | None = None) -> list[Reply]:
    """What a flow's own function says and offers, called on a fresh SMS turn (its asks answered too)."""
    table = {**nothing_on_record(), **(answers or {})}
    known: dict[Any, Any] = {}
    while True:
        turn = Turn({"lang": lang, "turns": 3}, InboundMessage(channel="sms", address="tel:+923000000000", text=""),
                    core.context(FIXED_NOW, Facts(), known))
        try:
            do(turn)
        except NeedFact as need:
            known[need.ask] = table[type(need.ask)]
            continue
        _, events = turn.finish()
        return [e.reply for e in events if isinstance(e, ReplyCreated)]


def _chosen(core, lang: str, flow_id: str, label: str, **kw: Any) -> tuple[dict, list[Reply]]:
    """A flow started by choosing it from a menu that shows it."""
    return _step(core, lang, choice=flow_id, state={"menu": [[flow_id, label, {}]]}, **kw)


def _then(core, lang: str, state: dict, **kw: Any) -> list[Reply]:
    """The next message in a conversation at ``state``."""
    return _step(core, lang, state={k: v for k, v in state.items() if k != "lang"}, **kw)[1]


# -- the prompts ---------------------------------------------------------------------------------------------


def _main_menu_intros() -> set[str]:
    """Every intro the code opens the main menu with: literal keys in calls, and the small-talk table's."""
    keys = {"menu.title", "welcome", "greeting", "greeting.hello"}
    for path in SRC.rglob("*.py"):
        keys |= set(re.findall(r"main_menu\(\s*\"([\w.]+)\"", path.read_text(encoding="utf-8")))
    keys |= {key for key, with_menu in SMALL_TALK.values() if with_menu}
    return keys


def _main_menus(core, lang: str) -> Iterator[Prompt]:
    for intro in sorted(_main_menu_intros()):
        for reply in _say(core, lang, lambda turn, intro=intro: turn.main_menu(intro)):
            yield f"main menu after {intro}", reply
    for word, forms in GLOBAL_WORDS.items():
        for reply in _step(core, lang, text=sorted(forms)[0])[1]:
            yield f"global word {word}", reply


def _flows(core, lang: str) -> Iterator[Prompt]:
    """Every wired flow's first screen, then the handoff in each state."""
    for flow in core.flows:
        for reply in _chosen(core, lang, flow.id, flow.label or flow.id)[1]:
            yield f"{flow.id} start", reply
    handoff = core.context().flow("handoff")
    if handoff is not None:
        for facts in (Facts(handoff="waiting"), Facts(handoff="held"), Facts(handoff="held", handoff_lapsed=True)):
            for text in ("hello", "is anyone there"):
                for reply in _step(core, lang, text=text, facts=facts)[1]:
                    yield f"handoff {facts.handoff}{' lapsed' if facts.handoff_lapsed else ''}: {text}", reply
            for reply in _chosen(core, lang, handoff.id, handoff.label or handoff.id, facts=facts)[1]:
                yield f"handoff chosen while {facts.handoff}", reply


def _language(core, lang: str) -> Iterator[Prompt]:
    flow = core.context().flow("language")
    if flow is None:
        return
    state, replies = _chosen(core, lang, flow.id, flow.label or flow.id)
    for reply in replies:
        for item in reply.menu:
            for answer in _then(core, lang, state, choice=item.id):
                yield f"language chosen {item.id}", answer


def _drafts(turn: Turn) -> Iterator[tuple[str, dict]]:
    """Representative complaint drafts: for oneself, for a family member, anonymous; every field answered."""
    from helpline.complaints.taxonomy import load as load_taxonomy
    from helpline.flows.complaint import draft as drafts

    category = load_taxonomy().categories[0].code
    filled = {"category": category, "country": "SA", "story": ["My employer has not paid my salary for three "
              "months and keeps my passport; I am sick and cannot work."], "story_done": True, "affected": "self",
              "relation": "brother", "anonymous": False, "name": "Muhammad Aslam Khan", "cnic": "3520212345671",
              "passport": "AB1234567", "employer": "Al Noor General Trading", "agent": "Star Overseas Employment"}
    base = drafts.new_draft(turn, "K7M4XQY")
    own = {**base, **{k: v for k, v in filled.items() if k in base}}
    yield "self", own
    yield "family", {**own, "affected": "family"}
    yield "anonymous", {**own, "anonymous": True, "name": None, "cnic": None, "passport": None}
    yield "blank", base
    # Menus shown in parts (the complaint categories): every part, and the likeliest first when those are the
    # longest names; keys a draft does not use are ignored by its prompts.
    longest = sorted((c.code for c in load_taxonomy().categories), key=lambda code: -max(
        len(load_taxonomy().category(code).name(lang)) for lang in LANGUAGES))
    for part in range(1, 5):
        yield f"menu part {part}", {**base, "category_page": part}
    yield "longest likely", {**base, "likely": longest}


def _complaint_steps(core, lang: str) -> Iterator[Prompt]:
    """Every row of the intake's step table, asked with each representative draft."""
    from helpline.flows.complaint.steps import STEPS

    for step in STEPS:
        for name, _ in _drafts(_say_turn(core, lang)):
            def ask(turn: Turn, step=step, name=name) -> None:
                step.ask(turn, dict(_drafts(turn))[name])
            try:
                replies = _say(core, lang, ask)
            except (KeyError, TypeError, IndexError):  # a step that cannot be asked of this draft at all
                continue
            for reply in replies:
                yield f"complaint step {step.id} ({name} draft)", reply


def _say_turn(core, lang: str) -> Turn:
    return Turn({"lang": lang, "turns": 3}, InboundMessage(channel="sms", address="tel:+923000000000", text=""),
                core.context(FIXED_NOW))


def _status_lookup(core, lang: str) -> Iterator[Prompt]:
    """The status lookup's answers: a bad number, the factor question, a bad factor, every status code found
    (with an office, so watching is offered), no match, throttled, the how-to, watching."""
    from helpline.status import codes as codebook
    from helpline.status.turns import Outcome
    from helpline.status.lookup import StatusView

    flow = core.context().flow("status_lookup")
    if flow is None:
        return
    state, replies = _chosen(core, lang, flow.id, flow.label or flow.id)
    yield from ((f"status start", r) for r in replies)
    for item in (m for r in replies for m in r.menu):
        yield from ((f"status start, chose {item.id}", r) for r in _then(core, lang, state, choice=item.id))
    yield from (("status bad number", r) for r in _then(core, lang, state, text="no idea"))
    asked, replies = _step(core, lang, text="12345678901", state={k: v for k, v in state.items() if k != "lang"})
    yield from (("status factor", r) for r in replies)
    yield from (("status bad factor", r) for r in _then(core, lang, asked, text="xyz"))
    book = codebook.load()
    for kind in book.kinds:
        for code in book.codes:
            view = StatusView(kind, "12345678901", code, "Protectorate of Emigrants, Rawalpindi", "2026-11-20", 7)
            found, replies = _step(core, lang, text="0123", state={k: v for k, v in asked.items() if k != "lang"},
                                   answers={StatusCheck: Outcome("found", (view,))})
            yield from ((f"status found {kind} {code}", r) for r in replies)
    for reply in replies:
        for item in reply.menu:
            yield from ((f"status found, chose {item.id}", r) for r in _then(core, lang, found, choice=item.id))
    yield from (("status no match", r) for r in _then(core, lang, asked, text="0123"))
    for reply in _chosen(core, lang, flow.id, flow.label or flow.id, answers={StatusThrottled: True})[1]:
        yield "status throttled", reply


def _tracking(core, lang: str) -> Iterator[Prompt]:
    """STATUS / REOPEN / SOLVED on a complaint in every status, owned or not, verified or not, throttled."""
    from helpline.complaints import references
    from helpline.complaints.taxonomy import load as load_taxonomy
    from helpline.complaints.view import ComplaintView

    if core.context().flow("tracking") is None:
        return
    ref = references.display(references.new_reference(lambda n: 7 % n))
    category = load_taxonomy().categories[0]
    statuses = ("new", "referred", "in_progress", "resolved", "closed", "reopened")
    for status in statuses:
        view = ComplaintView(ref.replace("-", ""), category.code, status, category.body, True, True, True,
                             FIXED_NOW - timedelta(days=20), FIXED_NOW + timedelta(days=2),
                             FIXED_NOW + timedelta(days=30), FIXED_NOW - timedelta(days=3),
                             FIXED_NOW - timedelta(days=2), "The employer was called and promised to pay by "
                             "Friday; we will call him again on Monday.", FIXED_NOW - timedelta(days=1))
        for command in ("status", "reopen", "solved"):
            for reply in _step(core, lang, text=f"{command} {ref}", answers={ComplaintLookup: view})[1]:
                yield f"tracking {command} {status}", reply
            other = dataclasses.replace(view, owned=False)
            for reply in _step(core, lang, text=f"{command} {ref}", answers={ComplaintLookup: other})[1]:
                yield f"tracking {command} {status} (not the filer)", reply
        asked, _ = _step(core, lang, text=f"status {ref}", answers={ComplaintLookup: None})
        for text, verified in (("12", view), ("1234", None), ("1234", view)):
            for reply in _then(core, lang, asked, text=text, answers={ComplaintVerify: verified}):
                yield f"tracking verify {text} {status}", reply
    for reply in _step(core, lang, text=f"status {ref}", answers={ComplaintLookup: None, LookupFailures: 9})[1]:
        yield "tracking throttled", reply
    state, replies = _step(core, lang, text="status")
    yield from (("tracking asks for the reference", r) for r in replies)
    yield from (("tracking bad reference", r) for r in _then(core, lang, state, text="ABCDEFG"))


def _oep(core, lang: str) -> Iterator[Prompt]:
    """The agent check: its question, each kind of answer (valid with an address, suspended, cancelled, expired,
    not found) and a list of four candidates with the longest names, and one to confirm."""
    from helpline.engine.events import OepLookup

    flow = core.context().flow("oep")
    if flow is None:
        return
    state, replies = _chosen(core, lang, flow.id, flow.label or flow.id)
    yield from (("oep start", r) for r in replies)
    view = {"oep_id": 7, "licence_no": "12345/RWP", "name": "Zelvorani Qaimarsh Overseas Employment Promoters "
            "(Private) Limited", "city": "Rawalpindi", "status": "valid", "list_date": "2026-12-03",
            "valid_until": "2028-12-31", "address": "Office 12, Second Floor, Plaza 45 (fictional), Murree Road, "
            "Rawalpindi", "phone": None}
    asked = {k: v for k, v in state.items() if k != "lang"}
    for status in ("valid", "suspended", "cancelled", "expired"):
        found = ("found", ({**view, "status": status},), "2026-12-03")
        yield from ((f"oep {status}", r) for r in _then(core, lang, asked, text="Zelvorani",
                                                         answers={OepLookup: found}))
    yield from (("oep not found", r) for r in _then(
        core, lang, asked, text="Blorvaxi Qaimarsh Overseas Employment Promoters Rawalpindi",
        answers={OepLookup: ("none", (), "2026-12-03")}))
    many = tuple({**view, "licence_no": f"{n}/RWP", "name": view["name"].replace("Zelvorani", f"Zelvorani{n}")}
                 for n in range(4))
    yield from (("oep candidates", r) for r in _then(core, lang, asked, text="Zelvorani",
                                                      answers={OepLookup: ("candidates", many, "2026-12-03")}))
    yield from (("oep candidate to confirm", r) for r in _then(
        core, lang, asked, text="Zelvorani", answers={OepLookup: ("candidates", many[:1], "2026-12-03")}))


class Suggests:
    """A matcher that suggests the topics with the longest titles in the language (the longest menu it makes)."""

    def __init__(self, core, lang: str):
        texts = core.kb.topics
        self.topics = tuple(sorted(texts, key=lambda t: -len(core.i18n.render(Text(f"kb:{t}:title"), lang)))[:3])

    def match(self, text: str) -> Match:
        return Match("suggest", self.topics[0], 0.4, self.topics, None)

    def intent(self, text: str) -> tuple[str, float] | None:
        return None


def _faq(core, lang: str) -> Iterator[Prompt]:
    """Every topic's answer (the SMS one, then the full one on "Details") with its after-answer menu; a
    suggestion menu of the longest titles."""
    from helpline.flows.faq import FULL, TOPIC_PREFIX

    for tid in core.kb.topics:
        suggested = {"flow": "faq", "step": "suggest", "data": {"score": 0.9},
                     "menu": [[f"{TOPIC_PREFIX}{tid}", f"kb:{tid}:title", {}]]}
        state, replies = _step(core, lang, state=suggested, choice=f"{TOPIC_PREFIX}{tid}")
        yield from ((f"faq answer {tid}", r) for r in replies)
        if any(m.id == FULL for r in replies for m in r.menu):
            yield from ((f"faq answer {tid} in full", r) for r in _then(core, lang, state, choice=FULL))
    suggesting = dataclasses.replace(core, matcher=Suggests(core, lang))
    yield from (("faq suggestions", r) for r in _step(suggesting, lang, text="wages not paid for months")[1])


SOURCES: dict[str, Callable[[Any, str], Iterator[Prompt]]] = {
    "main menus": _main_menus, "flows": _flows, "language": _language, "complaint steps": _complaint_steps,
    "status lookup": _status_lookup, "tracking": _tracking, "faq": _faq, "oep": _oep,
}


def prompts(core, lang: str) -> list[Prompt]:
    """Every prompt with options in ``lang`` (replies without a menu are not prompts)."""
    return [(name, reply) for source in SOURCES.values() for name, reply in source(core, lang) if reply.menu]


# -- the check ---------------------------------------------------------------------------------------------------


def asked(reply: Reply, rendered: RenderedReply) -> str:
    """What the options answer: the reply's last paragraph (:func:`question_of`). A knowledge-base answer in full
    ("Details") is the one reply meant to be read over several pages: its options come with its end, the source
    line."""
    _, question = question_of(rendered)
    if reply.parts and reply.parts[-1].key.endswith(":answer_long"):
        question = question.rsplit("\n", 1)[-1]
    return render_sms([question], [], lang=rendered.lang)


def together(reply: Reply, rendered: RenderedReply, sent: list[str]) -> bool:
    """The question and every "n Label" line of its menu are on one page."""
    question = asked(reply, rendered)
    lines = render_sms([], rendered.menu, lang=rendered.lang).split("\n")
    return any(question in page and all(line in page.split("\n") for line in lines) for page in sent)


def problems(core, lang: str) -> list[str]:
    hint = core.i18n.render(Text("sms.more"), lang)
    found = []
    for name, reply in prompts(core, lang):
        rendered = core.render(reply, "sms")
        sent = pages([rendered], BUDGET, hint)
        widest = max(count_segments(page).segments for page in sent)
        if not together(reply, rendered, sent) or widest > BUDGET:
            block = render_sms([asked(reply, rendered)], rendered.menu, lang=lang)
            info = count_segments(block)
            found.append(f"{name}: question + {len(rendered.menu)} options = {info.units} {info.encoding} units, "
                         f"{info.segments} segments\n{block}")
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_question_arrives_with_all_its_options_within_the_budget(core, lang):
    found = problems(core, lang)
    assert not found, f"{len(found)} prompt(s) in {lang} split from their options or over budget:\n\n" + \
        "\n\n".join(found)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_walk_reaches_every_kind_of_prompt(core, lang):
    """The enumeration is not silently empty: each source yields prompts, each flow and step is seen."""
    names = [name for make in SOURCES.values() for name, _ in make(core, lang)]  # with a menu or without
    for source, make in SOURCES.items():
        assert any(reply.menu for _, reply in make(core, lang)), f"{source} gave no prompt with options"
    for flow in core.flows:
        assert any(name.startswith(f"{flow.id} start") for name in names), f"{flow.id} said nothing when chosen"
    from helpline.flows.complaint.steps import STEPS

    for step in STEPS:
        assert any(name.startswith(f"complaint step {step.id} ") for name in names), f"step {step.id} never asked"
    assert sum(name.startswith("faq answer ") and "in full" not in name for name in names) == len(core.kb.topics)


# -- the pagination itself, for any words --------------------------------------------------------------------

WORDS = st.text(st.sampled_from("abcdefghij klmnop ABC 123 .,?" + "ابپتٹثجچحخدڈذرڑزژسشصضطظعغفقکگلمنںوہھءیے ۔،؟"),
                min_size=1, max_size=260)
LABELS = st.text(st.sampled_from("abcdefg hijk XYZ 12" + "ابپتٹثجچحخدڈ ذرڑزژ"), min_size=1, max_size=40)


@settings(max_examples=300, deadline=None)
@given(paragraphs=st.lists(WORDS, min_size=1, max_size=5), labels=st.lists(LABELS, min_size=1, max_size=8),
       lang=st.sampled_from(LANGUAGES), budget=st.integers(1, 3), earlier=st.lists(WORDS, max_size=2))
def test_options_never_arrive_on_a_later_page_than_their_question(paragraphs, labels, lang, budget, earlier):
    hint = {"ur": "باقی کے لیے MORE بھیجیں"}.get(lang, "Reply MORE for the rest")
    replies = [RenderedReply(lang, earlier), RenderedReply(lang, paragraphs, [(f"i{n}", x) for n, x in
                                                                             enumerate(labels)])]
    replies = [r for r in replies if r.paragraphs or r.menu]
    sent = pages(replies, budget, hint)
    asking = replies[-1]
    _, question = question_of(asking)
    block = render_sms([question], asking.menu, lang=lang)
    lines = render_sms([], asking.menu, lang=lang).split("\n")
    assert all(count_segments(page).segments <= budget for page in sent)
    with_options = [i for i, page in enumerate(sent) if all(line in page.split("\n") for line in lines)]
    if count_segments(block).segments <= budget and len(block) <= 1600:
        asked = render_sms([question], [], lang=lang)
        assert any(asked in sent[i] for i in with_options), sent  # the question and its options: one page
    elif count_segments(render_sms([], asking.menu, lang=lang)).segments <= budget:
        assert with_options, sent  # too long a question: still every option on one page, none cut
    words = "".join("".join(render_sms(r.paragraphs, r.menu, lang=lang).split()) for r in replies)
    assert "".join("".join(p.removesuffix(hint).split()) for p in sent) == words  # nothing lost or reordered
