"""The knowledge base: FAQ topics as data under ``locales/kb/`` (format in ``locales/kb/README.md``).

Answers may hold ``{placeholder}`` deployment values (phone numbers, fees, offices). A value comes from the
deployment file, else from a sourced public default (``public_defaults.toml``). A value that is unset never
reaches a worker as a label: a clause marked ``[[ ... {name} ... || fallback ]]`` in the topic text is replaced by
its fallback (or dropped), and a bare ``{name}`` by the placeholder's own ``unset`` wording for the language
(``placeholders.toml``), which points the worker onward ("send AGENT ..."). Format in ``locales/kb/README.md``.

Topics whose rules differ by country carry variants per destination (``[en.by_country.SA]``); the answer
for a known country gives that country's rule and names it, else the general answer.
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
CLAUSE = re.compile(r"\[\[(.*?)\]\]", re.S)  # [[ text with {name} || fallback ]]: text if every value is known
FALLBACK_SEP = "||"
# Anything of this shape left in a rendered answer is a bug: a label, a placeholder or a clause marker.
LEFTOVER = re.compile(r"<[^<>\n]{2,80}>|\{[a-z0-9_]+\}|\[\[|\]\]|\|\|")
COUNTRY_CODES = ("SA", "AE", "QA", "OM", "KW", "BH", "MY")  # the main destinations a topic may have variants for
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
    by_country: Mapping[str, "CountryText"] = field(default_factory=dict)  # ISO code -> that country's rule


@dataclass(frozen=True)
class CountryText:
    """A topic's answer for one destination country (its rule, named in the text), in one language."""

    short: str
    long: str | None
    source: str
    sms: str | None = None


@dataclass(frozen=True)
class PublicDefault:
    """A public, official value used while the deployment sets none: where it was read, when and who publishes it."""

    value: Mapping[str, str]  # language -> value ("*" for every language)
    source: str
    publisher: str
    read: str
    note: str = ""

    def get(self, lang: str) -> str:
        return self.value.get(lang) or self.value.get("*") or self.value.get("en") or ""


@dataclass(frozen=True)
class Topic:
    """A FAQ topic with its stable id, texts per language and sources."""

    id: str
    urgent: bool
    related: tuple[str, ...]
    sources: tuple[Mapping[str, str], ...]
    texts: Mapping[str, TopicText]

    @property
    def countries(self) -> tuple[str, ...]:
        """The destination countries this topic has its own rule for (any language)."""
        return tuple(sorted({c for t in self.texts.values() for c in t.by_country}))


@dataclass
class KnowledgeBase:
    """All topics, the declared placeholders and the deployment's values for them."""

    topics: dict[str, Topic]
    placeholders: dict[str, str]  # name -> visible label
    values: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # found while loading; ``check`` reports them
    out_of_scope: dict[str, float] = field(default_factory=dict)  # terms of subjects the helpline declines

    # public defaults: name -> default for every country; (name, country) -> that country's default
    defaults: dict[str, PublicDefault] = field(default_factory=dict)
    country_defaults: dict[tuple[str, str], PublicDefault] = field(default_factory=dict)
    unset: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> language -> wording when unset
    generic_unset: dict[str, str] = field(default_factory=dict)  # language -> last-resort wording

    def value(self, name: str, lang: str = "en", country: str | None = None) -> str | None:
        """A placeholder's value: the deployment's, else the public default (the country's own first), else None."""
        if self.values.get(name):
            return self.values[name]
        found = (country and self.country_defaults.get((name, country))) or self.defaults.get(name)
        return found.get(lang) or None if found else None

    def fill(self, text: str, lang: str = "en", country: str | None = None) -> str:
        """The text as a worker reads it: values filled; a marked clause whose value is unknown replaced by its
        fallback; a bare unknown ``{name}`` by the placeholder's ``unset`` wording. Never a label."""

        def clause(m: re.Match[str]) -> str:
            body, _, fallback = m.group(1).partition(FALLBACK_SEP)
            if all(self.value(n, lang, country) for n in PLACEHOLDER.findall(body)):
                return PLACEHOLDER.sub(one, body.strip())
            return PLACEHOLDER.sub(one, fallback.strip())

        def one(m: re.Match[str]) -> str:
            name = m.group(1)
            found = self.value(name, lang, country)
            if found:
                return found
            words = self.unset.get(name, {})
            if lang in words:
                return words[lang]
            return self.generic_unset.get(lang) or self.generic_unset.get("en", "")

        return _tidy(PLACEHOLDER.sub(one, CLAUSE.sub(clause, text)))

    def missing(self, text: str, lang: str = "en", country: str | None = None) -> list[str]:
        """The placeholders in ``text`` with no value here (the worker gets the fallback instead)."""
        return [n for n in dict.fromkeys(PLACEHOLDER.findall(text)) if not self.value(n, lang, country)]

    def _texts(self, topic_id: str, lang: str) -> TopicText:
        topic = self.topics[topic_id]
        return topic.texts.get(lang) or topic.texts["en"]

    def raw(self, topic_id: str, field_name: str, lang: str, country: str | None = None) -> str:
        """A field as written (placeholders and clause markers in), the country's variant where there is one."""
        texts = self._texts(topic_id, lang)
        variant = texts.by_country.get(country or "") if field_name in ("short", "long", "sms", "source") else None
        holder = variant or texts
        value = getattr(holder, field_name, None) or (
            holder.short if field_name in ("long", "sms") else "")
        return value

    def text(self, topic_id: str, field_name: str, lang: str, country: str | None = None) -> str:
        """A topic's field (``title``, ``short``, ``long``, ``sms``, ``source``) in a language, placeholders filled.

        ``long`` and ``sms`` fall back to ``short`` when a topic has none; a country with a variant gets it.
        """
        return self.fill(self.raw(topic_id, field_name, lang, country), lang, country)

    def answer(self, topic_id: str, lang: str, *, long: bool = False, sms: bool = False,
               country: str | None = None) -> str:
        """The answer with its source line, as the worker sees it: ``long`` the full one, ``sms`` the one-SMS one;
        for a destination ``country`` with its own rule, that rule (the text names the country)."""
        body = self.text(topic_id, "long" if long else "sms" if sms else "short", lang, country).strip()
        return f"{body}\n{SOURCE_PREFIX.get(lang, 'Source')}: {self.text(topic_id, 'source', lang, country)}"

    def has_country_rule(self, topic_id: str, country: str | None) -> bool:
        return bool(country) and country in self.topics[topic_id].countries


def _tidy(text: str) -> str:
    """Spaces and punctuation left around a dropped clause."""
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r" +([.,;:!?،۔؟])", r"\1", text)
    text = re.sub(r"([.۔])[.۔]+", r"\1", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n[ \t]+", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


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
            by_country=_variants(sec.get("by_country") or {}, f"{tid}/{lang}", problems),
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


def _variants(raw: dict, where: str, problems: list[str]) -> dict[str, CountryText]:
    out: dict[str, CountryText] = {}
    for code, sec in raw.items():
        if code not in COUNTRY_CODES:
            problems.append(f"{where}: by_country.{code}: not one of {', '.join(COUNTRY_CODES)}")
            continue
        if not sec.get("short") or not sec.get("source"):
            problems.append(f"{where}: by_country.{code}: needs short and source")
            continue
        out[code] = CountryText(short=sec["short"].strip(), long=(sec.get("long") or "").strip() or None,
                                source=sec["source"].strip(), sms=(sec.get("sms") or "").strip() or None)
    return out


def _default(spec: dict, name: str, problems: list[str]) -> PublicDefault | None:
    missing = [k for k in ("value", "source", "publisher", "read") if not spec.get(k)]
    if missing:
        problems.append(f"public_defaults.toml: {name}: missing {', '.join(missing)}")
        return None
    value = spec["value"]
    return PublicDefault(value={"*": value} if isinstance(value, str) else {str(k): str(v) for k, v in value.items()},
                         source=str(spec["source"]), publisher=str(spec["publisher"]), read=str(spec["read"]),
                         note=str(spec.get("note", "")))


def load_defaults(kb_dir: Path, problems: list[str]) -> tuple[dict[str, PublicDefault],
                                                               dict[tuple[str, str], PublicDefault]]:
    """``public_defaults.toml``: each value with its source URL, publisher and the date it was read."""
    path = Path(kb_dir) / "public_defaults.toml"
    defaults: dict[str, PublicDefault] = {}
    by_country: dict[tuple[str, str], PublicDefault] = {}
    if not path.exists():
        return defaults, by_country
    for name, spec in tomllib.loads(path.read_text("utf-8")).items():
        if not isinstance(spec, dict):
            continue
        for code, cspec in (spec.get("by_country") or {}).items():
            found = _default(cspec, f"{name}.by_country.{code}", problems)
            if found:
                by_country[(name, code)] = found
        if "value" in spec or "source" in spec:
            found = _default(spec, name, problems)
            if found:
                defaults[name] = found
    return defaults, by_country


def load(locales_dir: Path, deployment_file: Path | None = None) -> KnowledgeBase:
    """Load every topic under ``locales_dir/kb/topics`` and the deployment's placeholder values."""
    kb_dir = Path(locales_dir) / "kb"
    problems: list[str] = []
    placeholders: dict[str, str] = {}
    unset: dict[str, dict[str, str]] = {}
    generic_unset: dict[str, str] = {}
    shared = kb_dir / "placeholders.toml"
    if shared.exists():
        data = tomllib.loads(shared.read_text("utf-8"))
        generic_unset = {str(k): str(v) for k, v in data.get("unset", {}).items()}
        for name, spec in data.get("placeholders", {}).items():
            placeholders[name] = spec["label"]
            if "unset" in spec:
                unset[name] = {str(k): str(v) for k, v in spec["unset"].items()}
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
            if "unset" in spec:
                unset.setdefault(name, {str(k): str(v) for k, v in spec["unset"].items()})
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
    defaults, country_defaults = load_defaults(kb_dir, problems)
    for name, _ in [*defaults.items(), *country_defaults.items()]:
        key = name if isinstance(name, str) else name[0]
        if key not in placeholders:
            problems.append(f"public_defaults.toml: {key}: not a declared placeholder")
    return KnowledgeBase(topics=topics, placeholders=placeholders, values=values, problems=problems,
                         out_of_scope=out_of_scope, defaults=defaults, country_defaults=country_defaults,
                         unset=unset, generic_unset=generic_unset)


def _fields(t: TopicText) -> list[tuple[str, str]]:
    """Every (field, text) of a topic in one language, country variants included (``short@SA``)."""
    out = [(f, getattr(t, f) or "") for f in ("title", "short", "long", "sms", "source")]
    for code, v in t.by_country.items():
        out += [(f"{f}@{code}", getattr(v, f) or "") for f in ("short", "long", "sms", "source")]
    return out


def _bare(text: str) -> list[str]:
    """Placeholders outside a marked clause's main text (they need the placeholder's ``unset`` wording)."""
    names = []
    for m in CLAUSE.finditer(text):
        names += PLACEHOLDER.findall(m.group(1).partition(FALLBACK_SEP)[2])
    return names + PLACEHOLDER.findall(CLAUSE.sub("", text))


def without_deployment(kb: KnowledgeBase) -> KnowledgeBase:
    """The same base with no deployment values: public defaults and fallbacks only (the default run)."""
    return KnowledgeBase(topics=kb.topics, placeholders=kb.placeholders, defaults=kb.defaults,
                         country_defaults=kb.country_defaults, unset=kb.unset, generic_unset=kb.generic_unset)


def renderings(kb: KnowledgeBase) -> list[tuple[str, str, str, str]]:
    """Every answer a worker can get: (topic, language, kind, text) for short, sms and long, general and per
    country variant."""
    out = []
    for tid, topic in kb.topics.items():
        for lang in LANGUAGES:
            for country in (None, *topic.countries):
                for kind, kw in (("short", {}), ("sms", {"sms": True}), ("long", {"long": True})):
                    label = kind if country is None else f"{kind}@{country}"
                    out.append((tid, lang, label, kb.answer(tid, lang, country=country, **kw)))
                    out.append((tid, lang, f"title{'' if country is None else '@' + country}",
                                kb.text(tid, "title", lang, country)))
    return out


def gaps(kb: KnowledgeBase) -> dict[tuple[str, str], list[str]]:
    """Per (topic, language): the placeholders a worker is not told under this deployment (no value and no
    public default), so the answer's fallback wording is shown instead."""
    out: dict[tuple[str, str], list[str]] = {}
    for tid, topic in kb.topics.items():
        for lang, t in topic.texts.items():
            names: list[str] = []
            for _, value in _fields(t):
                names += [n for n in PLACEHOLDER.findall(value) if n not in names and not kb.value(n, lang)]
            if names:
                out[(tid, lang)] = names
    return out


def country_names(code: str, lang: str) -> list[str]:
    """How a country may be named in a variant's text (the display names of ``complaints/countries.toml``)."""
    from helpline.complaints.countries import COUNTRIES_FILE

    data = tomllib.loads(COUNTRIES_FILE.read_text("utf-8")).get(code, {})
    return [str(n) for n in data.get(lang, [])] + [str(n) for n in data.get("en", [])]


def check(kb: KnowledgeBase, expected_ids: list[str] | None = None) -> list[str]:
    """Every problem in the base: ids, languages, sources, GSM-7 purity, SMS length, placeholders and their
    fallbacks, country variants, and any placeholder syntax left in a rendered answer."""
    from helpline.sms import count_segments, is_gsm7

    problems = list(kb.problems)
    for tid in expected_ids or ():
        if tid not in kb.topics:
            problems.append(f"{tid}: listed in topics.md but has no file")
    bare_kb = without_deployment(kb)
    for tid, topic in kb.topics.items():
        if not topic.sources:
            problems.append(f"{tid}: no [[sources]]")
        for rel in topic.related:
            if rel not in kb.topics:
                problems.append(f"{tid}: related topic {rel!r} does not exist")
        for lang, t in topic.texts.items():
            for fname, value in _fields(t):
                for name in PLACEHOLDER.findall(value):
                    if name not in kb.placeholders:
                        problems.append(f"{tid}/{lang}.{fname}: unknown placeholder {{{name}}}")
                for name in dict.fromkeys(_bare(value)):
                    if name in kb.placeholders and lang not in kb.unset.get(name, {}):
                        problems.append(f"{tid}/{lang}.{fname}: {{{name}}} has no [placeholders.{name}.unset] "
                                        f"wording for {lang} (mark the clause [[ ... || ... ]] or add one)")
                if value.count("[[") != value.count("]]"):
                    problems.append(f"{tid}/{lang}.{fname}: unbalanced [[ ]]")
                if lang != "ur" and value:
                    for filled in {kb.fill(value, lang), bare_kb.fill(value, lang)}:
                        if not is_gsm7(filled):
                            bad = sorted({c for c in filled if not is_gsm7(c)})
                            problems.append(f"{tid}/{lang}.{fname}: not GSM-7: {bad!r}")
            for code in t.by_country:
                names = [n.casefold() for n in country_names(code, lang)]
                if not any(n in t.by_country[code].short.casefold() for n in names):
                    problems.append(f"{tid}/{lang}: by_country.{code}: the short answer does not name the country")
            if len(t.questions) < 3:
                problems.append(f"{tid}/{lang}: fewer than 3 example questions")
            for country in (None, *t.by_country):
                segments = count_segments(bare_kb.answer(tid, lang, country=country)).segments
                if segments > SMS_BUDGET:
                    problems.append(f"{tid}/{lang}{'@' + country if country else ''}: short answer with source "
                                    f"needs {segments} SMS (limit {SMS_BUDGET})")
                problems += _sms_problems(kb, tid, lang, country)
    for tid, lang, kind, text in renderings(bare_kb):
        if LEFTOVER.search(text):
            problems.append(f"{tid}/{lang}.{kind}: placeholder syntax reaches the worker: "
                            f"{LEFTOVER.search(text).group(0)!r}")
    return problems


def _sms_problems(kb: KnowledgeBase, tid: str, lang: str, country: str | None = None) -> list[str]:
    """The one-SMS answer against its limits, measured without the deployment's values (public defaults and
    fallback wordings), so a short deployment value cannot hide an answer that is too long without it."""
    from helpline.sms import count_segments

    where = f"{tid}/{lang}{'@' + country if country else ''}"
    info = count_segments(without_deployment(kb).answer(tid, lang, sms=True, country=country))
    if lang in SMS_CHARS:
        if info.encoding != "GSM-7":
            return [f"{where}: SMS answer is not GSM-7"]
        if info.units > SMS_CHARS[lang]:
            return [f"{where}: SMS answer with source is {info.units} characters (limit {SMS_CHARS[lang]})"]
    elif info.segments > SMS_SEGMENTS_UR:
        return [f"{where}: SMS answer with source needs {info.segments} SMS (limit {SMS_SEGMENTS_UR})"]
    return []


def topic_ids_from_markdown(path: Path) -> list[str]:
    """The topic ids a ``topics.md`` file defines (its ``## `id` `` headings)."""
    return re.findall(r"^## `([a-z_]+)`", Path(path).read_text("utf-8"), flags=re.M)
