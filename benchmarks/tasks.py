"""What a task costs a worker on SMS: scripted workers in en, ur (Urdu script) and ur-Latn (Roman Urdu) talk to a
real ``helpline serve`` over the signed Twilio webhook, and each task's worker SMS and bot segments are counted.

Run: ``.venv/bin/python benchmarks/tasks.py [--lang en,ur,ur-Latn] [--json] [--verbose] [--rev HEAD]`` (also in
``make bench``). ``--verbose`` prints every transcript; ``--rev`` serves a committed tree (``git archive``) instead
of the working tree, for when someone's half-done edit there does not import.

Set-up: a SQLite file in a temp dir; a small status registry imported with ``helpline status import`` (the CLI);
``helpline serve --workers 1 --threads 2 --no-outbox`` on a free port with Twilio configured (the helpers of
``serving.py``, shared with serve_bench). Every request is a form signed with Twilio's ``RequestValidator``; the
bot's answer is the TwiML ``<Message>`` body, and its cost is ``helpline.sms.count_segments`` of each body.

The tasks, per language, each from its own fixed phone number:

1. ``faq``: ask what a protector is, in one natural message; done when the reply holds the knowledge base's
   answer of ``protector_registration``.
2. ``complaint``: file a complaint from a natural opening ("I want to register a complaint"), then tell the story
   (unpaid wages for 3 months, Riyadh, Saudi Arabia, the employer's name), for oneself, giving name, CNIC and
   passport number when asked; done at the receipt (its ticket number is read from it).
3. ``oneshot``: the same with the one-shot form ("COMPLAINT wages Saudi Arabia my company has not paid me ...").
4. ``track``: ``STATUS <ticket>`` of the complaint task 2 filed (task 3's if 2 failed), from the phone that filed
   it, as the receipt says; done at the complaint's status.
5. ``status``: where is my passport: tracking number and date of birth when asked; done at the status.
6. ``person``: ask to talk to a person; done when queued for one.

The workers are adaptive, because the dialog changes: every reply is matched against the catalogs as the server
renders them (``locales/*/LC_MESSAGES/*.po`` through ``helpline.i18n``, placeholders as wildcards, GSM-7 folded
as on SMS), the question asked last in the reply decides the answer (``complaint.ask.country`` -> the country),
and a menu is answered with the number of the "n Label" line whose label is the wanted catalog label (or
category / country name). When no question is recognised but the page ends with the MORE hint, or a menu
question's options are not on the page yet, the worker sends MORE (it counts). A task gives up after 20 worker
SMS, or at a reply it cannot read (reported with the last reply).

Bounded: about 100 turns, a few seconds once the server is up (the first start of the server trains the
classifier, ~30 s, unless ``~/.cache/helpline`` is warm). No internet. Prints figures and the issue's targets
(met / MISSED); asserts nothing. ``tests/benchmarks_test`` runs the same scripts in-process.
"""

from __future__ import annotations

import argparse
import fnmatch
import http.client
import json
import re
import sys
import tempfile
import time
import tomllib
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmarks.serving

from benchmarks.serving import SMS_PATH, free_port, helpline_env, sign, sms_form, start_server  # noqa: E402

LANGS = ("en", "ur", "ur-Latn")
MAX_SMS = 20
MORE = "MORE"
TASKS = ("faq", "complaint", "oneshot", "track", "status", "person")
TITLES = {"faq": "FAQ question", "complaint": "complaint, natural opening", "oneshot": "complaint, one-shot form",
          "track": "track the complaint", "status": "passport status", "person": "reach a person"}
TARGETS = {"faq": 1, "complaint": 7, "oneshot": 4, "status": 3}  # issue 13, worker SMS per language
FAQ_TOPIC = "protector_registration"
WAGES, SAUDI = "wages", "SA"  # taxonomy category code, countries.toml code

# -- the workers: what each one says, per language ------------------------------------------------------------

PERSONAS: dict[str, dict[str, str]] = {
    "en": {
        "faq": "what is protector and why do I need it",
        "complaint": "I want to register a complaint",
        "oneshot": "COMPLAINT wages Saudi Arabia my company has not paid me for 3 months",
        "status": "where is my passport",
        "person": "I want to talk to a person",
        "story": "My employer Al Noor Construction in Riyadh has not paid my salary for 3 months",
        "category": "salary not paid",
        "country": "Saudi Arabia",
        "employer": "Al Noor Construction",
        "name": "Imran Khan",
        "done": "DONE", "skip": "SKIP", "yes": "yes",
    },
    "ur-Latn": {
        "faq": "protector kya hota hai",
        "complaint": "shikayat karni hai",
        "oneshot": "shikayat tankhwah Saudia meri company ne 3 mahine se tankhwah nahi di",
        "status": "mera passport kahan hai",
        "person": "mujhe kisi insaan se baat karni hai",
        "story": "Riyadh mein meri company Al Noor Construction ne 3 mahine se tankhwah nahi di",
        "category": "tankhwah nahi mili",
        "country": "Saudia",
        "employer": "Al Noor Construction",
        "name": "Imran Khan",
        "done": "BAS", "skip": "SKIP", "yes": "haan",
    },
    "ur": {
        "faq": "پروٹیکٹر کیا ہوتا ہے",
        "complaint": "مجھے شکایت درج کرانی ہے",
        "oneshot": "شکایت تنخواہ سعودی عرب میری کمپنی نے تین مہینے سے تنخواہ نہیں دی",
        "status": "میرا پاسپورٹ کہاں ہے",
        "person": "مجھے کسی انسان سے بات کرنی ہے",
        "story": "ریاض میں میری کمپنی النور کنسٹرکشن نے تین مہینے سے تنخواہ نہیں دی",
        "category": "تنخواہ نہیں ملی",
        "country": "سعودی عرب",
        "employer": "النور کنسٹرکشن",
        "name": "عمران خان",
        "done": "ختم", "skip": "چھوڑیں", "yes": "جی ہاں",
    },
}
CNIC, PASSPORT = "35202-1234567-1", "AB1234567"
CNIC_LAST4 = CNIC.replace("-", "")[-4:]
BIRTH_DATE, BIRTH_DATE_CSV = "14-05-1990", "1990-05-14"
STATUS_CODE = "ready_for_collection"
TRACKING = {"en": "4410-2233101", "ur": "4410-2233102", "ur-Latn": "4410-2233103"}  # the imported registry


def registry_csv() -> str:
    """The status registry the benchmark imports: one passport per language's worker."""
    rows = ["kind,tracking_number,status,date_of_birth,cnic_last4,office"]
    rows += [f"passport,{number},{STATUS_CODE},{BIRTH_DATE_CSV},{CNIC_LAST4},Regional Passport Office Lahore"
             for number in TRACKING.values()]
    return "\n".join(rows) + "\n"


def phone(lang: str, task: str) -> str:
    """A fixed number per language and task."""
    return f"+92300{7000000 + 100 * LANGS.index(lang) + TASKS.index(task):07d}"


# -- reading the bot: the catalogs as the server renders them ----------------------------------------------------

_PLACEHOLDER = re.compile(r"\{(\w*)\}")
_OPTION = re.compile(r"^\s*(\d+)[.):]?\s+(.+?)\s*$")


def fold(text: str) -> str:
    """SMS folding (GSM-7 stand-ins, as the renderer applies), whitespace collapsed, case folded."""
    from helpline.sms import to_gsm7

    return re.sub(r"\s+", " ", to_gsm7(text)).strip().casefold()


@dataclass(frozen=True)
class Pattern:
    """One catalog text: the whole of it, its first line alone (a reply cut by paging may show only that), and
    its lines with placeholders (to read a parameter from the reply line that shows it)."""

    key: str
    lang: str
    whole: re.Pattern[str] | None
    head: re.Pattern[str] | None
    lines: tuple[re.Pattern[str], ...]


def _regex(text: str, least: int) -> re.Pattern[str] | None:
    """A template (folded) as a regex, placeholders as lazy wildcards; None if it has under ``least`` letters."""
    pieces = _PLACEHOLDER.split(text)  # literal, name, literal, name, ...
    if len("".join(pieces[::2]).replace(" ", "")) < least:  # "{name}", "OK": would match anything
        return None
    out, seen = [], set()
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            out.append(r"\s+".join(re.escape(word) for word in piece.split(" ")))
        elif piece and piece not in seen:
            seen.add(piece)
            out.append(f"(?P<{piece}>.+?)")
        else:
            out.append(".+?")
    return re.compile("".join(out))


_SENTENCE = re.compile(r"^(.+?[.?!\u06d4\u061f])\s+\S")  # up to the first full stop (also Urdu ۔ and ؟)


def compile_text(key: str, lang: str, template: str) -> Pattern:
    lines = [fold(line) for line in template.splitlines() if line.strip()]
    if not lines:
        return Pattern(key, lang, None, None, ())
    first = _SENTENCE.match(lines[0])
    head = (_regex(lines[0], 8) if len(lines) > 1 else None) or (_regex(first.group(1), 15) if first else None)
    with_params = [_regex(line, 4) for line in lines if _PLACEHOLDER.search(line)]
    return Pattern(key, lang, _regex(fold(template), 8), head, tuple(r for r in with_params if r is not None))


class Texts:
    """Every catalog text in every language as a pattern, plus the names a menu shows for the wanted choices."""

    def __init__(self, tree: Path = ROOT):
        from helpline.i18n import load_catalogs
        from helpline.kb import load as load_kb

        self.tree = tree
        locales_dir = tree / "locales"
        self.catalogs = load_catalogs(locales_dir)
        self.kb = load_kb(locales_dir)
        self.patterns = [compile_text(key, lang, template) for lang, catalog in self.catalogs.items()
                         for key, template in catalog.items()]
        self.more_hints = {fold(c["sms.more"]) for c in self.catalogs.values() if c.get("sms.more")}

    def recognise(self, view: str) -> list[tuple[int, str, dict[str, str]]]:
        """``(position, key, placeholders)`` of every catalog text found in ``view`` (any language)."""
        folded, found = fold(view), {}
        view_lines = [fold(line) for line in view.splitlines() if line.strip()]
        for p in self.patterns:
            m = next((m for r in (p.whole, p.head) if r is not None for m in [r.search(folded)] if m), None)
            if not m or (p.key in found and found[p.key][0] <= m.start()):
                continue
            params = {k: v for k, v in m.groupdict().items() if v}
            for line in p.lines:
                for shown in view_lines:
                    lm = line.fullmatch(shown)
                    if lm:
                        for k, v in lm.groupdict().items():
                            if v:
                                params[k] = v  # the whole line's value beats the lazy match
            found[p.key] = (m.start(), p.key, params)
        # A key K may have an SMS wording K.sms (sms.po): the worker reads it as K.
        out: dict[str, tuple[int, str, dict[str, str]]] = {}
        for pos, key, params in sorted(found.values()):
            base = key.removesuffix(".sms")
            if base not in out or pos < out[base][0]:
                out[base] = (pos, base, params)
        return sorted(out.values())

    def labels(self, *patterns: str) -> list[str]:
        """The catalog texts (every language) of the keys matching these globs."""
        return [fold(text) for catalog in self.catalogs.values() for key, text in catalog.items()
                if any(fnmatch.fnmatchcase(key, p) for p in patterns)]

    @cached_property
    def category_names(self) -> list[str]:
        data = tomllib.loads((self.tree / "src/helpline/complaints/taxonomy.toml").read_text("utf-8"))
        names: list[str] = []
        for cat in data.get("categories", []):
            if cat.get("code") == WAGES:
                for lang in LANGS:
                    names += [cat.get(lang, ""), cat.get("short", {}).get(lang, "")]
        return [fold(n) for n in names if n]

    @cached_property
    def country_names(self) -> list[str]:
        data = tomllib.loads((self.tree / "src/helpline/complaints/countries.toml").read_text("utf-8"))
        entry = data.get(SAUDI, {})
        return [fold(n) for lang in LANGS for n in entry.get(lang, [])]

    @cached_property
    def status_texts(self) -> list[str]:
        """How the registry's status of the workers' passports reads, in every language (codes.toml)."""
        data = tomllib.loads((self.tree / "src/helpline/status/codes.toml").read_text("utf-8"))
        code = data.get("codes", {}).get(STATUS_CODE, {})
        return [code[lang]["text"] for lang in LANGS if isinstance(code.get(lang), dict) and code[lang].get("text")]

    def faq_answer(self, view: str, topic: str = FAQ_TOPIC) -> bool:
        """Whether ``view`` holds (the start of) one of the topic's answers, in any language."""
        folded = fold(view)
        for lang in LANGS:
            for field_name in ("sms", "short", "long"):
                try:
                    body = fold(self.kb.text(topic, field_name, lang))
                except (KeyError, AttributeError):
                    continue
                if body and body[:40] in folded:
                    return True
        return False

    def faq_titles(self, topic: str = FAQ_TOPIC) -> list[str]:
        out = []
        for lang in LANGS:
            try:
                out.append(fold(self.kb.text(topic, "title", lang)))
            except (KeyError, AttributeError):
                pass
        return out

    def ends_with_more(self, page: str) -> bool:
        folded = fold(page)
        return any(folded.endswith(hint) for hint in self.more_hints)

    def strip_more(self, page: str) -> str:
        lines = page.rstrip().splitlines()
        if lines and fold(lines[-1]) in self.more_hints:
            lines = lines[:-1]
        return "\n".join(lines)


def options(view: str) -> list[tuple[int, str]]:
    """The last block of "n Label" lines in ``view``: ``[(n, folded label)]``."""
    blocks: list[list[tuple[int, str]]] = [[]]
    for line in view.splitlines():
        m = _OPTION.match(line)
        if m:
            blocks[-1].append((int(m.group(1)), fold(m.group(2))))
        elif line.strip() and blocks[-1]:
            blocks.append([])
    found = [b for b in blocks if b]
    return found[-1] if found else []


def fold_all(texts: list[str]) -> list[str]:
    return [f for f in (fold(t) for t in texts) if f]


def same_label(shown: str, wanted: str) -> bool:
    if not shown or not wanted:
        return False
    if shown == wanted:
        return True
    shown_, wanted_ = shown.rstrip(". "), wanted.rstrip(". ")
    if min(len(shown_), len(wanted_)) >= 4 and (wanted_.startswith(shown_) or shown_.startswith(wanted_)):
        return True
    return SequenceMatcher(None, shown, wanted).ratio() >= 0.85


def pick(view: str, wanted: list[str]) -> int | None:
    """The number of the option whose label is one of ``wanted``, if the page shows one."""
    for n, label in options(view):
        if any(same_label(label, w) for w in wanted):
            return n
    return None


# -- talking to the bot -------------------------------------------------------------------------------------


class Transport(Protocol):
    def post(self, form: dict[str, str], signature: str) -> tuple[int, str]: ...


class HttpTransport:
    """Signed forms to a running server, over one keep-alive HTTP/1.1 connection."""

    def __init__(self, port: int):
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def post(self, form: dict[str, str], signature: str) -> tuple[int, str]:
        body = urllib.parse.urlencode(form).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request("POST", SMS_PATH, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                if response.will_close:
                    self.close()
                return response.status, text
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class FlaskTransport:
    """Signed forms to a Flask app's test client (the in-process test)."""

    def __init__(self, client: Any):
        self.client = client

    def post(self, form: dict[str, str], signature: str) -> tuple[int, str]:
        response = self.client.post(SMS_PATH, data=form, headers={"X-Twilio-Signature": signature})
        return response.status_code, response.get_data(as_text=True)


@dataclass
class Turn:
    said: str
    reply: str
    segments: int


@dataclass
class Result:
    lang: str
    task: str
    ok: bool = False
    sms: int = 0
    segments: int = 0
    note: str = ""
    wrong: str = ""  # done, but not what the worker asked for (e.g. filed under another category)
    last_reply: str = ""
    transcript: list[Turn] = field(default_factory=list)
    seen: dict[str, dict[str, str]] = field(default_factory=dict)  # placeholders read from the replies, by key

    @property
    def outcome(self) -> str:
        return "FAILED" if not self.ok else "WRONG" if self.wrong else "ok"

    @property
    def target(self) -> int | None:
        return TARGETS.get(self.task)

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return f"<= {self.target}: " + ("met" if self.ok and not self.wrong and self.sms <= self.target else "MISSED")


class Worker:
    """One worker on one phone: sends SMS, reads the TwiML replies, counts both."""

    def __init__(self, transport: Transport, sender: str, result: Result):
        self.transport, self.sender, self.result = transport, sender, result

    def send(self, text: str) -> str:
        from helpline.sms import count_segments

        form = sms_form(text, self.sender)
        status, xml = self.transport.post(form, sign(form))
        if status != 200:
            raise RuntimeError(f"HTTP {status} for {text!r}: {xml[:300]}")
        bodies = [m.text or "" for m in ET.fromstring(xml).iter("Message")] if xml.strip() else []
        segments = sum(count_segments(b).segments for b in bodies if b)
        reply = "\n\n".join(bodies)
        self.result.sms += 1
        self.result.segments += segments
        self.result.last_reply = reply
        self.result.transcript.append(Turn(text, reply, segments))
        return reply


# -- what the worker answers: rules from catalog keys to answers ---------------------------------------------


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Choose:
    """Send the number of the option labelled one of ``labels``; else MORE if the page goes on; else ``fallback``."""

    labels: list[str]
    fallback: str | None = None
    more_first: bool = True  # look behind MORE for the option before falling back


@dataclass(frozen=True)
class Fail:
    why: str


Action = Say | Choose | Fail
Rule = tuple[tuple[str, ...], Callable[[dict[str, str]], Action]]


@dataclass
class Policy:
    """A task: when it is done, how each recognised prompt is answered, and which menu entries lead to it."""

    done: Callable[[str, list[tuple[int, str, dict[str, str]]]], str | None]
    rules: list[Rule]
    goals: list[str] = field(default_factory=list)  # menu labels that lead to the task (folded)
    check: Callable[[Result], str] = lambda _r: ""  # once done: what is not as the worker said ("" if all is)

    def rule(self, key: str) -> Callable[[dict[str, str]], Action] | None:
        for globs, answer in self.rules:
            if any(fnmatch.fnmatchcase(key, g) for g in globs):
                return answer
        return None


def done_at(*globs: str, param: str | None = None) -> Callable[..., str | None]:
    def done(_view: str, found: list[tuple[int, str, dict[str, str]]]) -> str | None:
        for _pos, key, params in found:
            if any(fnmatch.fnmatchcase(key, g) for g in globs):
                return params.get(param, key).upper() if param else key
        return None
    return done


def converse(worker: Worker, texts: Texts, opening: str, policy: Policy, deadline: float) -> Result:
    """Play one task: the opening, then answer what each reply asks, until done, stuck or 20 SMS."""
    r = worker.result
    pages = [worker.send(opening)]
    while True:
        view = "\n".join(texts.strip_more(p) for p in pages)
        found = texts.recognise(view)
        for _pos, key, params in found:
            r.seen.setdefault(key, {}).update(params)
        done = policy.done(view, found)
        if done:
            r.ok, r.note, r.wrong = True, done, policy.check(r)
            return r
        last_page = pages[-1]
        more = texts.ends_with_more(last_page)
        action = decide(texts, policy, view, found, more)
        if isinstance(action, Fail):
            r.note = action.why
            return r
        if r.sms >= MAX_SMS:
            r.note = f"gave up after {MAX_SMS} worker SMS"
            return r
        if time.monotonic() > deadline:
            r.note = "out of time"
            return r
        reply = worker.send(action)
        pages = pages + [reply] if action == MORE else [reply]


def decide(texts: Texts, policy: Policy, view: str, found: list[tuple[int, str, dict[str, str]]],
           more: bool) -> str | Fail:
    """What to send next: the answer to the last recognised question, MORE, or a goal from a menu."""
    asked = [(pos, key, params) for pos, key, params in found if policy.rule(key)]
    if asked:
        _pos, key, params = asked[-1]
        action = policy.rule(key)(params)  # type: ignore[misc]
        if isinstance(action, Say):
            return action.text
        if isinstance(action, Fail):
            return Fail(f"{action.why} ({key})")
        n = pick(view, action.labels)
        if n is not None:
            return str(n)
        if more and action.more_first:
            return MORE
        if action.fallback is not None:
            return action.fallback
        if more:
            return MORE
        return Fail(f"prompt {key}: none of its options is the wanted one: {options(view)}")
    n = pick(view, policy.goals) if policy.goals else None
    if n is not None:
        return str(n)
    if more:
        return MORE
    keys = [key for _pos, key, _params in found]
    return Fail(f"no question recognised (catalog texts found: {', '.join(keys) or 'none'})")


# -- the tasks ---------------------------------------------------------------------------------------------


def complaint_rules(texts: Texts, p: dict[str, str]) -> list[Rule]:
    t = texts
    ident = f"{p['name']} {CNIC} {PASSPORT}"
    return [
        (("complaint.unavailable",), lambda _: Fail("complaints unavailable")),
        (("complaint.resume.ask*",), lambda _: Choose(t.labels("complaint.resume.continue*"), "1")),
        (("complaint.country.which*",), lambda _: Choose(t.country_names, p["country"], more_first=True)),
        (("complaint.ask.category*",), lambda _: Choose(t.category_names, p["category"], more_first=False)),
        (("complaint.ask.country*",), lambda _: Say(p["country"])),
        (("complaint.ask.story*", "complaint.story.empty*"), lambda _: Say(p["story"])),
        (("complaint.story.more*",), lambda _: Say(p["done"])),
        (("complaint.ask.who*",), lambda _: Choose(t.labels("complaint.who.self*"), "1")),
        (("complaint.ask.relation*",), lambda _: Say(p["skip"])),
        # Several fields at once (a prompt for the identity in one message), or "give details / anonymous".
        (("complaint.ask.identity*", "complaint.identity.ask*", "complaint.ask.details*"),
         lambda _: Choose(t.labels("complaint.identity.give*"), ident)),
        (("complaint.ask.name*",), lambda _: Say(p["name"])),
        (("complaint.ask.cnic*", "complaint.cnic.invalid*"), lambda _: Say(CNIC)),
        (("complaint.ask.passport*", "complaint.passport.invalid*"), lambda _: Say(PASSPORT)),
        (("complaint.ask.employer*", "complaint.ask.against*"), lambda _: Say(p["employer"])),
        (("complaint.ask.agent*",), lambda _: Say(p["skip"])),
        (("complaint.summary", "complaint.confirm.ask*", "complaint.ask.confirm*"),
         lambda _: Choose(t.labels("complaint.confirm.yes*"), p["yes"])),
    ]


def complaint_check(texts: Texts) -> Callable[[Result], str]:
    """The category and country the bot showed back (summary, or the one-shot's "noted") are wages and Saudi."""
    def check(r: Result) -> str:
        shown: dict[str, str] = {}
        for key in ("complaint.oneshot.got", "complaint.summary"):
            shown.update(r.seen.get(key, {}))
        problems = []
        for name, wanted in (("category", texts.category_names), ("country", texts.country_names)):
            value = fold(shown.get(name, ""))
            if value and not any(same_label(value, w) or w in value for w in wanted):
                problems.append(f"{name} {shown[name]!r}")
        return ("filed with " + ", ".join(problems)) if problems else ""
    return check


def complaint_policy(texts: Texts, p: dict[str, str]) -> Policy:
    return Policy(done_at("complaint.filed", param="ref"), complaint_rules(texts, p),
                  texts.labels("menu.complaint*", "*.file_complaint*", "*complaint.file", "*complaint.start*"),
                  complaint_check(texts))


def faq_policy(texts: Texts, _p: dict[str, str]) -> Policy:
    def done(view: str, _found: Any) -> str | None:
        return FAQ_TOPIC if texts.faq_answer(view) else None
    return Policy(done, [(("faq.suggest*",), lambda _: Choose(texts.faq_titles(), None)),
                         (("faq.none*", "faq.out_of_scope*"), lambda _: Fail("no answer"))])


def track_policy(texts: Texts, ref: str) -> Policy:
    return Policy(done_at("track.status"), [
        (("track.notverified*", "track.throttled*"), lambda _: Fail("not verified")),
        (("track.badref*",), lambda _: Fail("ticket number refused")),
        (("track.ask_ref*",), lambda _: Say(ref)),
        (("track.verify", "track.verify.*"), lambda _: Say(CNIC_LAST4)),
    ], texts.labels("menu.track*", "*track.choose.complaint*"))


def status_policy(texts: Texts, lang: str) -> Policy:
    # The result's template is mostly placeholders: the status's own words (codes.toml) say it as well.
    wanted = fold_all(texts.status_texts)
    at = done_at("status_lookup.result", "status_lookup.next*", "status_lookup.watch*")

    def done(view: str, found: list[tuple[int, str, dict[str, str]]]) -> str | None:
        return at(view, found) or ("status text" if any(w in fold(view) for w in wanted) else None)

    return Policy(done, [
        (("status_lookup.no_match*", "status_lookup.throttled*", "status_lookup.unavailable*"),
         lambda _: Fail("status not given")),
        (("status_lookup.ask_number*", "status_lookup.bad_number*"), lambda _: Say(TRACKING[lang])),
        (("status_lookup.ask_factor*", "status_lookup.bad_factor*"), lambda _: Say(BIRTH_DATE)),
    ], texts.labels("status_lookup.menu*"))


def person_policy(texts: Texts) -> Policy:
    return Policy(done_at("handoff.queued*", "handoff.already*", "handoff.joined*", "handoff.with_team*"),
                  [(("handoff.unavailable*",), lambda _: Fail("no person available"))],
                  texts.labels("menu.handoff*"))


def run_language(transport: Callable[[], Transport], texts: Texts, lang: str, deadline: float) -> list[Result]:
    """The six tasks of one language, in order (tracking uses the ticket filed before it)."""
    p = PERSONAS[lang]
    results: dict[str, Result] = {}

    def play(task: str, opening: str, policy: Policy, number: str | None = None) -> Result:
        result = Result(lang, task)
        worker = Worker(transport(), number or phone(lang, task), result)
        try:
            converse(worker, texts, opening, policy, deadline)
        except Exception as exc:  # noqa: BLE001 - a broken turn is a failed task, reported with the rest
            result.ok, result.note = False, f"{type(exc).__name__}: {exc}"
        results[task] = result
        return result

    play("faq", p["faq"], faq_policy(texts, p))
    play("complaint", p["complaint"], complaint_policy(texts, p))
    play("oneshot", p["oneshot"], complaint_policy(texts, p))
    filed = next((results[t] for t in ("complaint", "oneshot") if results[t].ok), None)
    if filed is None:
        results["track"] = Result(lang, "track", note="no complaint was filed to track")
    else:
        found = (re.search(r"\b[2-9A-Z]{3}-?[2-9A-Z]{4}\b", filed.note.strip().upper())
                 or re.search(r"\b[2-9A-Z]{3}-[2-9A-Z]{4}\b", filed.last_reply))
        ref = found.group(0) if found else filed.note.strip()
        play("track", f"STATUS {ref}", track_policy(texts, ref), phone(lang, filed.task))
        results["track"].note = f"{ref} (filed by task {filed.task}): {results['track'].note}"
    play("status", p["status"], status_policy(texts, lang))
    play("person", p["person"], person_policy(texts))
    return [results[t] for t in TASKS]


# -- the run -----------------------------------------------------------------------------------------------


def helpline_cmd(*args: str) -> list[str]:
    """The ``helpline`` command (``python -m webhooks.main``, so that PYTHONPATH can name another source tree)."""
    return [sys.executable, "-m", "webhooks.main", *args]


def use_tree(tree: Path, env: dict[str, str]) -> None:
    """Serve and read the code and catalogs of ``tree`` (not this checkout): here and in the subprocesses."""
    paths = [str(tree / "src"), str(tree)]
    sys.path[:0] = paths
    env["PYTHONPATH"] = ":".join(paths + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["HELPLINE_LOCALES_DIR"] = str(tree / "locales")


def snapshot(rev: str, into: Path) -> Path:
    """The committed tree of ``rev`` (``git archive``; the working tree and index are not touched)."""
    import subprocess

    into.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev], capture_output=True,
                             check=True, timeout=120).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True, timeout=120)
    return into


def import_registry(env: dict[str, str], workdir: Path) -> str:
    """``helpline status import`` of :func:`registry_csv`, with the server's settings (the same pepper)."""
    import subprocess

    path = workdir / "registry.csv"
    path.write_text(registry_csv(), "utf-8")
    out = subprocess.run(helpline_cmd("status", "import", str(path)), env=env,
                         cwd=workdir, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"helpline status import failed:\n{out.stdout[-2000:]}{out.stderr[-2000:]}")
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""


def print_tables(results: list[Result], verbose: bool) -> None:
    for lang in LANGS:
        rows = [r for r in results if r.lang == lang]
        if not rows:
            continue
        print(f"\n== {lang} ==")
        print(f"  {'task':<28} {'worker SMS':>10} {'bot segments':>12}  {'result':<6}  target (issue 13)")
        for r in rows:
            print(f"  {TITLES[r.task]:<28} {r.sms:>10} {r.segments:>12}  {r.outcome:<6}  {r.verdict}")
        for r in rows:
            if not r.ok:
                last = r.last_reply.replace("\n", " | ")
                print(f"  failed: {TITLES[r.task]}: {r.note}\n    last reply: {last[:400]}")
            elif r.wrong:
                print(f"  wrong: {TITLES[r.task]}: {r.wrong}")
        if verbose:
            for r in rows:
                print(f"\n  -- {lang} / {TITLES[r.task]} ({r.outcome}: {r.note}{'; ' + r.wrong if r.wrong else ''})")
                for t in r.transcript:
                    print(f"  worker> {t.said}")
                    print("  bot [" + str(t.segments) + " seg]> " + t.reply.replace("\n", "\n" + " " * 14))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", default=",".join(LANGS), help="comma-separated: en,ur,ur-Latn")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of tables")
    parser.add_argument("--verbose", action="store_true", help="print every transcript (with --json: include them)")
    parser.add_argument("--rev", help="serve the committed tree of this git revision (e.g. HEAD) instead of the "
                                      "working tree, which others may be editing (git archive; nothing is touched)")
    args = parser.parse_args()
    langs = [lang.strip() for lang in args.lang.split(",") if lang.strip()]
    unknown = set(langs) - set(LANGS)
    if unknown:
        parser.error(f"unknown language(s) {sorted(unknown)}; expected {LANGS}")
    log = sys.stderr if args.json else sys.stdout

    results: list[Result] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tasks_bench_") as tmp:
        work = Path(tmp)
        env = helpline_env(f"sqlite:///{work / 'helpline.db'}")
        tree = ROOT
        if args.rev:
            tree = snapshot(args.rev, work / "tree")
            use_tree(tree, env)
            print(f"tasks: serving the committed tree of {args.rev} (git archive)", file=log, flush=True)
        texts = Texts(tree)
        port = free_port()
        t0 = time.perf_counter()
        print("tasks: starting helpline serve (the first start trains the classifier) ...", file=log, flush=True)
        server = start_server("helpline serve", helpline_cmd("serve", "--port", str(port), "--workers", "1",
                                                             "--threads", "2", "--no-outbox"),
                              env, port, work, timeout=180)
        try:
            print(f"  healthy after {time.perf_counter() - t0:.1f} s; importing the status registry: "
                  f"{import_registry(env, work)}", file=log, flush=True)
            began = time.perf_counter()
            deadline = time.monotonic() + 110
            transports: list[HttpTransport] = []

            def transport() -> HttpTransport:
                transports.append(HttpTransport(port))
                return transports[-1]

            for lang in langs:
                results += run_language(transport, texts, lang, deadline)
            for t in transports:
                t.close()
            ran = time.perf_counter() - began
        finally:
            note = server.stop()
            if note and ("Traceback" in note or "exit code" in note or "ERROR" in note or "killed" in note):
                notes.append(note)  # (its start-up warnings, such as outbound SMS being off, are expected)
    if args.json:
        out = []
        for r in results:
            item = asdict(r)
            item.update(title=TITLES[r.task], target=r.target, verdict=r.verdict)
            item.update(outcome=r.outcome)
            item.pop("seen")
            if not args.verbose:
                item.pop("transcript")
            out.append(item)
        print(json.dumps({"results": out, "seconds": round(ran, 2), "notes": notes}, ensure_ascii=False, indent=1))
        return
    print(f"tasks over the signed SMS webhook of helpline serve: {len(results)} tasks, "
          f"{sum(r.sms for r in results)} worker SMS in {ran:.1f} s")
    print_tables(results, args.verbose)
    for note in notes:
        print(f"note: {note}")


if __name__ == "__main__":
    main()
