"""The knowledge base: FAQ topics as data under ``locales/kb/`` (format in ``locales/kb/README.md``).

Answers may hold ``{placeholder}`` deployment values (phone numbers, fees, offices). They are filled from the
deployment file; until an operator sets one, the answer shows a visible ``<label>`` instead, so a gap can never
be mistaken for a real number.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from helpline.errors import ConfigError, KnowledgeBaseError
from helpline.messages import LANGUAGES

PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\}")
SOURCE_PREFIX = {"en": "Source", "ur-Latn": "Source", "ur": "ماخذ"}
SMS_BUDGET = 2  # the short answer plus its source line must fit this many SMS segments
# The one-SMS answer (``sms``, else ``short``) with its source line, placeholders unset: at most this many GSM-7
# characters in en / ur-Latn (leaves room for a short menu in one 160-character SMS), at most this many
# segments in Urdu script (UCS-2, 70 per SMS), where about 95 UTF-16 units is the aim.
SMS_CHARS = {"en": 115, "ur-Latn": 115}
SMS_SEGMENTS_UR = 2


@dataclass(frozen=True)
class TopicText:
    """One topic in one language."""

    title: str
    questions: tuple[str, ...]
    keywords: Mapping[str, float]
    short: str
    long: str | None
    source: str
    sms: str | None = None  # the one-SMS summary; ``short`` stands in when absent


@dataclass(frozen=True)
class Topic:
    """A FAQ topic with its stable id, texts per language and sources."""

    id: str
    urgent: bool
    related: tuple[str, ...]
    sources: tuple[Mapping[str, str], ...]
    texts: Mapping[str, TopicText]


@dataclass
class KnowledgeBase:
    """All topics, the declared placeholders and the deployment's values for them."""

    topics: dict[str, Topic]
    placeholders: dict[str, str]  # name -> visible label
    values: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # found while loading; ``check`` reports them
    out_of_scope: dict[str, float] = field(default_factory=dict)  # terms of subjects the helpline declines

    def fill(self, text: str) -> str:
        """Replace every ``{name}`` with the deployment's value, or a visible ``<label>`` when unset."""

        def one(m: re.Match[str]) -> str:
            name = m.group(1)
            if self.values.get(name):
                return self.values[name]
            return f"<{self.placeholders.get(name, name)}>"

        return PLACEHOLDER.sub(one, text)

    def text(self, topic_id: str, field_name: str, lang: str) -> str:
        """A topic's field (``title``, ``short``, ``long``, ``sms``, ``source``) in a language, placeholders filled.

        ``long`` and ``sms`` fall back to ``short`` when a topic has none.
        """
        topic = self.topics[topic_id]
        texts = topic.texts.get(lang) or topic.texts["en"]
        value = getattr(texts, field_name) or (texts.short if field_name in ("long", "sms") else "")
        return self.fill(value)

    def answer(self, topic_id: str, lang: str, *, long: bool = False, sms: bool = False) -> str:
        """The answer with its source line, as the worker sees it: ``long`` the full one, ``sms`` the one-SMS one."""
        body = self.text(topic_id, "long" if long else "sms" if sms else "short", lang).strip()
        return f"{body}\n{SOURCE_PREFIX.get(lang, 'Source')}: {self.text(topic_id, 'source', lang)}"


def _topic_from(data: dict, path: Path, problems: list[str]) -> Topic | None:
    tid = data.get("id")
    if tid != path.stem:
        problems.append(f"{path.name}: id {tid!r} does not match the file name")
        return None
    texts: dict[str, TopicText] = {}
    for lang in LANGUAGES:
        sec = data.get(lang)
        if not isinstance(sec, dict):
            problems.append(f"{tid}: no [{lang}] section")
            continue
        missing = [k for k in ("title", "questions", "keywords", "short", "source") if not sec.get(k)]
        if missing:
            problems.append(f"{tid}/{lang}: missing {', '.join(missing)}")
            continue
        texts[lang] = TopicText(
            title=sec["title"].strip(),
            questions=tuple(sec["questions"]),
            keywords={str(k): float(v) for k, v in sec["keywords"].items()},
            short=sec["short"].strip(),
            long=(sec.get("long") or "").strip() or None,
            source=sec["source"].strip(),
            sms=(sec.get("sms") or "").strip() or None,
        )
    if "en" not in texts:
        return None
    return Topic(
        id=tid,
        urgent=bool(data.get("urgent", False)),
        related=tuple(data.get("related", ())),
        sources=tuple(data.get("sources", ())),
        texts=texts,
    )


def load(locales_dir: Path, deployment_file: Path | None = None) -> KnowledgeBase:
    """Load every topic under ``locales_dir/kb/topics`` and the deployment's placeholder values."""
    kb_dir = Path(locales_dir) / "kb"
    problems: list[str] = []
    placeholders: dict[str, str] = {}
    shared = kb_dir / "placeholders.toml"
    if shared.exists():
        for name, spec in tomllib.loads(shared.read_text("utf-8")).get("placeholders", {}).items():
            placeholders[name] = spec["label"]
    topics: dict[str, Topic] = {}
    for path in sorted((kb_dir / "topics").glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            problems.append(f"{path.name}: not valid TOML: {exc}")
            continue
        for name, spec in data.get("placeholders", {}).items():
            label = spec.get("label", name)
            if placeholders.setdefault(name, label) != label:
                problems.append(f"{path.name}: placeholder {{{name}}} declared twice with different labels")
        topic = _topic_from(data, path, problems)
        if topic:
            topics[topic.id] = topic
    if not topics:
        raise KnowledgeBaseError([f"no topics found under {kb_dir / 'topics'}"])
    values: dict[str, str] = {}
    if deployment_file:
        try:
            values = {k: str(v) for k, v in tomllib.loads(Path(deployment_file).read_text("utf-8"))["values"].items()}
        except (OSError, KeyError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(
                f"HELPLINE_DEPLOYMENT_FILE: cannot read a [values] table from {deployment_file}: {exc}"
            ) from None
    out_of_scope: dict[str, float] = {}
    declined = kb_dir / "out_of_scope.toml"
    if declined.exists():
        out_of_scope = {str(k): float(v) for k, v in tomllib.loads(declined.read_text("utf-8"))["terms"].items()}
    return KnowledgeBase(topics=topics, placeholders=placeholders, values=values, problems=problems,
                         out_of_scope=out_of_scope)


def check(kb: KnowledgeBase, expected_ids: list[str] | None = None) -> list[str]:
    """Every problem in the base: ids, languages, sources, GSM-7 purity, SMS length, placeholders."""
    from helpline.sms import count_segments, is_gsm7

    problems = list(kb.problems)
    for tid in expected_ids or ():
        if tid not in kb.topics:
            problems.append(f"{tid}: listed in topics.md but has no file")
    for tid, topic in kb.topics.items():
        if not topic.sources:
            problems.append(f"{tid}: no [[sources]]")
        for rel in topic.related:
            if rel not in kb.topics:
                problems.append(f"{tid}: related topic {rel!r} does not exist")
        for lang, t in topic.texts.items():
            for fname in ("title", "short", "long", "sms", "source"):
                value = getattr(t, fname) or ""
                for name in PLACEHOLDER.findall(value):
                    if name not in kb.placeholders:
                        problems.append(f"{tid}/{lang}.{fname}: unknown placeholder {{{name}}}")
                if lang != "ur" and value and not is_gsm7(kb.fill(value)):
                    bad = sorted({c for c in kb.fill(value) if not is_gsm7(c)})
                    problems.append(f"{tid}/{lang}.{fname}: not GSM-7: {bad!r}")
            if len(t.questions) < 3:
                problems.append(f"{tid}/{lang}: fewer than 3 example questions")
            segments = count_segments(kb.answer(tid, lang)).segments
            if segments > SMS_BUDGET:
                problems.append(f"{tid}/{lang}: short answer with source needs {segments} SMS (limit {SMS_BUDGET})")
            problems += _sms_problems(kb, tid, lang)
    return problems


def _sms_problems(kb: KnowledgeBase, tid: str, lang: str) -> list[str]:
    """The one-SMS answer against its limits, measured with placeholders unset (their visible labels)."""
    from helpline.sms import count_segments

    unset = KnowledgeBase(topics=kb.topics, placeholders=kb.placeholders)
    info = count_segments(unset.answer(tid, lang, sms=True))
    if lang in SMS_CHARS:
        if info.encoding != "GSM-7":
            return [f"{tid}/{lang}: SMS answer is not GSM-7"]
        if info.units > SMS_CHARS[lang]:
            return [f"{tid}/{lang}: SMS answer with source is {info.units} characters (limit {SMS_CHARS[lang]})"]
    elif info.segments > SMS_SEGMENTS_UR:
        return [f"{tid}/{lang}: SMS answer with source needs {info.segments} SMS (limit {SMS_SEGMENTS_UR})"]
    return []


def topic_ids_from_markdown(path: Path) -> list[str]:
    """The topic ids a ``topics.md`` file defines (its ``## `id` `` headings)."""
    return re.findall(r"^## `([a-z_]+)`", Path(path).read_text("utf-8"), flags=re.M)
