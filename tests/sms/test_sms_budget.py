"""The cost of replies on SMS: every knowledge-base answer and every menu, per language.

Figures printed with ``pytest -s tests/sms/test_sms_budget.py``. Targets from issue 3: mean segments per reply
≤ 1.3 for en and ur-Latn and ≤ 2.5 for ur, and 100% of en / ur-Latn replies GSM-7.
"""

from __future__ import annotations

import statistics

import pytest


from helpline.messages import LANGUAGES, Reply, Text
from helpline.sms import count_segments, paginate
from tests.conftest import FIXED_NOW
from webhooks.twilio.render import render_sms

TARGET = {"en": 1.3, "ur-Latn": 1.3, "ur": 2.5}
BUDGET = 2


def _turn(core, lang: str, text: str = "", *, state: dict | None = None, choice: str | None = None) -> list[Reply]:
    """The replies the real engine gives an SMS worker in ``lang`` (what the flows build, not a copy of it)."""
    from helpline.engine import step
    from helpline.engine.events import ReplyCreated
    from helpline.messages import InboundMessage

    msg = InboundMessage(channel="sms", address="tel:+923000000000", text=text, choice=choice)
    _, events = step({"lang": lang, "turns": 3, **(state or {})}, msg, core.context(FIXED_NOW))
    return [e.reply for e in events if isinstance(e, ReplyCreated)]


def _replies(core, lang: str) -> dict[str, list[Reply]]:
    """Every knowledge-base answer (chosen as from a suggestion menu) and every menu, through the engine."""
    answers = []
    for tid in core.kb.topics:
        suggested = {"flow": "faq", "step": "suggest", "data": {"score": 0.9}, "menu": [[f"t:{tid}", f"kb:{tid}:title", {}]]}
        answers += _turn(core, lang, state=suggested, choice=f"t:{tid}")
    question = {"en": "how do I get my protector", "ur-Latn": "protector kaise banwaun", "ur": "پروٹیکٹر کیسے بنواؤں"}
    words = {"en": ("menu", "help", "what is the weather"), "ur-Latn": ("menu", "madad", "mausam kaisa hai"),
             "ur": ("مینو", "مدد", "موسم کیسا ہے")}[lang]
    menus = [*_turn(core, lang, "salam", state={"turns": 0}), *(r for w in words for r in _turn(core, lang, w))]
    for flow in core.context().menu_flows():  # every main-menu entry's first screen
        menus += _turn(core, lang, state={"menu": [[flow.id, flow.label, {}]]}, choice=flow.id)
    suggestion = [r for r in _turn(core, lang, question[lang]) if r.menu]
    menus += suggestion[:1]
    language_menu = [r for r in menus if any(m.id.startswith("lang:") for m in r.menu)]
    menus = [r for r in menus if r not in language_menu]
    return {"answers": answers, "menus": menus, "language menu": language_menu}


def _body(core, reply: Reply) -> str:
    rendered = core.render(reply, "sms")  # what SMS sends: the short SMS wordings (K.sms) where there are some
    return render_sms(rendered.paragraphs, rendered.menu, lang=reply.lang)


def figures(core) -> dict[str, dict[str, float]]:
    """Per language: mean segments of whole replies, of the first page sent, and the share that is GSM-7."""
    out = {}
    for lang in LANGUAGES:
        groups = _replies(core, lang)
        bodies = [_body(core, r) for r in groups["answers"] + groups["menus"]]
        answers = [_body(core, r) for r in groups["answers"]]
        hint = core.i18n.render(Text("sms.more"), lang)
        out[lang] = {
            "replies": len(bodies),
            "mean_segments": statistics.mean(count_segments(b).segments for b in bodies),
            "mean_segments_answers": statistics.mean(count_segments(b).segments for b in answers),
            "mean_segments_menus": statistics.mean(count_segments(_body(core, r)).segments for r in groups["menus"]),
            "mean_first_page": statistics.mean(count_segments(paginate(b, BUDGET, hint)[0]).segments for b in bodies),
            "max_page": max(count_segments(page).segments for b in bodies for page in paginate(b, BUDGET, hint)),
            "gsm7_share": sum(count_segments(b).encoding == "GSM-7" for b in bodies) / len(bodies),
        }
    return out


@pytest.fixture(scope="module")
def numbers(core):
    result = figures(core)
    for lang, f in result.items():
        print(f"\n{lang}: {f['replies']} replies, mean segments {f['mean_segments']:.2f} "
              f"(answers {f['mean_segments_answers']:.2f}, menus {f['mean_segments_menus']:.2f}), "
              f"first page {f['mean_first_page']:.2f}, GSM-7 {f['gsm7_share']:.0%}")
    return result


@pytest.mark.parametrize("lang", ["en", "ur-Latn"])
def test_english_and_roman_urdu_replies_are_all_gsm7(numbers, lang):
    assert numbers[lang]["gsm7_share"] == 1.0


def test_the_language_menu_is_the_one_deliberate_ucs2_menu(core):
    """Each language is named in its own script ("اردو") so a worker who reads only Urdu finds it: 1 UCS-2 SMS."""
    for lang in ("en", "ur-Latn"):
        [reply] = _replies(core, lang)["language menu"]
        info = count_segments(_body(core, reply))
        assert info.encoding == "UCS-2" and info.segments == 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_sent_fits_the_budget(numbers, lang):
    assert numbers[lang]["max_page"] <= BUDGET


@pytest.mark.parametrize("lang", LANGUAGES)
def test_mean_segments_per_reply_meets_the_issue_target(numbers, lang):
    assert numbers[lang]["mean_segments"] <= TARGET[lang]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_counts_agree_with_smsutil_on_every_real_reply_and_page(core, lang):
    """PyPI ``smsutil`` as an independent oracle, on real content: every reply and every page sent."""
    import smsutil

    from helpline.sms import split_parts

    groups = _replies(core, lang)
    hint = core.i18n.render(Text("sms.more"), lang)
    bodies = [_body(core, r) for rs in groups.values() for r in rs]
    for text in bodies + [p for b in bodies for p in paginate(b, BUDGET, hint)]:
        oracle = smsutil.split(text)
        assert {"gsm0338": "GSM-7", "utf_16_be": "UCS-2"}[oracle.encoding] == count_segments(text).encoding
        assert [part.content for part in oracle.parts] == split_parts(text)
