"""Training data for the FAQ classifier (:mod:`helpline.classifier`), read from ``locales/kb/``.

Every example is a ``(text, label, lang)`` triple. Labels:

- a topic id (``unpaid_wages``): ``locales/kb/examples/<topic_id>.toml`` plus the topic's own example
  ``questions`` and ``title`` in ``locales/kb/topics/<topic_id>.toml`` (so a topic with no examples file still
  has a class). The topic's key terms (``keywords``, every language, weights ignored) are added as short
  training-only examples: they are the knowledge base's curated concept words, and cross-validation shows they
  help a lot (see :mod:`helpline.classifier`);
- ``out_of_scope``: ``locales/kb/examples/_out_of_scope.toml``, subjects the helpline declines, plus the terms of
  ``locales/kb/out_of_scope.toml``;
- ``intent:<name>``: ``locales/kb/examples/_intents.toml``, what the worker wants to *do* (``intent:human``,
  ``intent:thanks``...), recognised before FAQ matching.

Staff-taught examples (from the database, later) come in as ``extra``: any iterable of ``(text, label, lang)``.

Each example also carries a *group* for cross-validation: the example files are parallel translations (the
i-th English, Roman Urdu and Urdu strings of a topic say the same thing), so the three share a group, and
near-duplicates of the same label are merged into one group, so that no fold is tested on a paraphrase it was
trained on.

The model is always rebuildable from ``locales/``: :meth:`TrainingSet.content_hash` (the data files' bytes, the
extra examples and :data:`MODEL_VERSION`) names the cached model, so any change to the data retrains.
"""

from __future__ import annotations

import hashlib
import logging
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable

from helpline.kb import KnowledgeBase
from helpline.messages import LANGUAGES
from helpline.text import normalize, script_counts

log = logging.getLogger(__name__)

MODEL_VERSION = "faq-clf-1"  # bump when the features, the model or the decision layer change
OUT_OF_SCOPE = "out_of_scope"
INTENT_PREFIX = "intent:"
EXAMPLES_DIR = ("kb", "examples")
TRAIN_ONLY = frozenset({"title", "keywords"})  # not messages: trained on, never tested on
NEAR_DUPLICATE = 90  # rapidfuzz token_sort_ratio at which two examples of one label share a CV group


@dataclass(frozen=True)
class Example:
    """One labelled message."""

    text: str
    label: str  # a topic id, OUT_OF_SCOPE or "intent:<name>"
    lang: str  # "en", "ur-Latn" or "ur"
    group: str = ""  # cross-validation group (parallel translations and near-duplicates share one)
    source: str = ""  # "examples", "questions", "title", "keywords" or "extra"

    @property
    def testable(self) -> bool:
        """A message a worker could send (cross-validation tests on these); titles and key terms only train."""
        return self.source not in TRAIN_ONLY


def is_intent(label: str) -> bool:
    """Whether a label names an intent (``intent:<name>``)."""
    return label.startswith(INTENT_PREFIX)


def is_topic(label: str) -> bool:
    """Whether a label names a knowledge-base topic."""
    return label != OUT_OF_SCOPE and not is_intent(label)


@dataclass(frozen=True)
class TrainingSet:
    """The examples, the knowledge base's topic ids, and a hash of where they came from."""

    examples: tuple[Example, ...]
    topic_ids: tuple[str, ...]  # every topic of the knowledge base, with or without examples
    files_hash: str  # sha256 over the data files' names and bytes
    extra_hash: str = field(default="")
    urgent: tuple[str, ...] = ()  # the knowledge base's urgent topics
    problems: tuple[str, ...] = ()  # data files that could not be read (skipped, logged)

    @property
    def texts(self) -> list[str]:
        return [e.text for e in self.examples]

    @property
    def labels(self) -> list[str]:
        return [e.label for e in self.examples]

    @property
    def langs(self) -> list[str]:
        return [e.lang for e in self.examples]

    @property
    def groups(self) -> list[str]:
        return [e.group for e in self.examples]

    def content_hash(self) -> str:
        """Names the trained model (hex, 24 characters): :data:`MODEL_VERSION`, the data files' bytes, and the
        examples themselves (so extra examples, or a set filtered in code, never share a name)."""
        h = hashlib.sha256()
        for part in (MODEL_VERSION, self.files_hash, self.extra_hash, ",".join(self.topic_ids)):
            h.update(part.encode())
            h.update(b"\0")
        for e in self.examples:
            h.update(f"{e.text}\0{e.label}\0{e.lang}\0{e.group}\0{e.source}\n".encode())
        return h.hexdigest()[:24]

    def with_extra(self, extra: Iterable[tuple[str, str, str]]) -> TrainingSet:
        """A copy with more examples (staff-taught ones): ``(text, label, lang)`` each; blank texts are skipped,
        a missing language is detected.
        A taught label wins over the data files' label for the same (normalised) text: staff correct the model.
        """
        from helpline.lang import detect

        added: list[Example] = []
        h = hashlib.sha256(self.extra_hash.encode())
        for i, (text, label, lang) in enumerate(extra):
            text, label, lang = str(text).strip(), str(label).strip(), str(lang or "").strip()
            if not text or not label:
                continue
            h.update(f"{text}\0{label}\0{lang}\n".encode())
            lang = lang or detect(text) or "en"
            added.append(Example(text, label, lang, f"extra#{h.hexdigest()[:8]}#{i}", "extra"))
        if not added:
            return self
        taught = {normalize(e.text): e.label for e in added}
        kept = [e for e in self.examples if taught.get(normalize(e.text), e.label) == e.label]
        merged = _group_near_duplicates(_dedupe([*kept, *added]))
        return replace(self, examples=tuple(merged), extra_hash=h.hexdigest())

    def counts(self) -> dict[str, int]:
        """Examples per label."""
        out: dict[str, int] = defaultdict(int)
        for e in self.examples:
            out[e.label] += 1
        return dict(out)


def _string_lists(table: dict, where: str, problems: list[str]) -> dict[str, list[str]]:
    """The per-language lists of example strings of a table; anything else is a problem, skipped."""
    out: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        values = table.get(lang, [])
        if not isinstance(values, list):
            problems.append(f"{where}: {lang!r} is not a list of strings, skipped")
            continue
        out[lang] = [v.strip() for v in values if isinstance(v, str) and v.strip()]
    return out


def data_files(locales_dir: Path) -> list[Path]:
    """The files the training set is read from, in a stable order."""
    kb_dir = Path(locales_dir) / "kb"
    files = sorted((kb_dir / "examples").glob("*.toml")) + sorted((kb_dir / "topics").glob("*.toml"))
    declined = kb_dir / "out_of_scope.toml"
    return files + ([declined] if declined.exists() else [])


def load_training(locales_dir: Path, kb: KnowledgeBase,
                  extra: Iterable[tuple[str, str, str]] = ()) -> TrainingSet:
    """Every training example under ``locales_dir/kb``, the knowledge base's own questions, titles and key terms,
    and the ``extra`` (staff-taught) examples. A data file that cannot be read is skipped and listed in
    :attr:`TrainingSet.problems`, so a typo in one file never stops the helpline.

    Example files for topics the knowledge base does not have are skipped (their label could never be
    answered); topics without an examples file are trained on their questions and title alone.
    """
    locales_dir = Path(locales_dir)
    ex_dir = locales_dir.joinpath(*EXAMPLES_DIR)
    files_hash = hashlib.sha256()
    for path in data_files(locales_dir):
        files_hash.update(str(path.relative_to(locales_dir)).encode() + b"\0")
        files_hash.update(path.read_bytes())
        files_hash.update(b"\0")
    examples: list[Example] = []

    def add_parallel(label: str, lists: dict[str, list[str]], source: str, tag: str) -> None:
        for lang, texts in lists.items():
            for i, text in enumerate(texts):
                examples.append(Example(text, label, lang, f"{label}#{tag}{i}", source))

    problems: list[str] = []
    if ex_dir.is_dir():
        for path in sorted(ex_dir.glob("*.toml")):
            try:
                data = tomllib.loads(path.read_text("utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                problems.append(f"{path.name}: not readable TOML, skipped: {exc}")
                continue
            if path.stem == "_out_of_scope":
                add_parallel(OUT_OF_SCOPE, _string_lists(data, path.name, problems), "examples", "")
            elif path.stem == "_intents":
                for name, table in data.items():
                    if isinstance(table, dict):
                        add_parallel(INTENT_PREFIX + name, _string_lists(table, f"{path.name} [{name}]", problems),
                                     "examples", "")
            elif path.stem.startswith("_"):
                continue
            else:
                tid = str(data.get("id", path.stem))
                if tid in kb.topics:
                    add_parallel(tid, _string_lists(data, path.name, problems), "examples", "")
    for tid in sorted(kb.topics):
        texts = kb.topics[tid].texts
        add_parallel(tid, {lang: list(t.questions) for lang, t in texts.items()}, "questions", "q")
        add_parallel(tid, {lang: [t.title] for lang, t in texts.items()}, "title", "t")
        add_parallel(tid, {lang: list(t.keywords) for lang, t in texts.items()}, "keywords", "k")
    for i, term in enumerate(kb.out_of_scope):
        lang = "ur" if script_counts(term)[0] else "en"
        examples.append(Example(term, OUT_OF_SCOPE, lang, f"{OUT_OF_SCOPE}#k{i}", "keywords"))
    for problem in problems:
        log.warning("training data: %s", problem)
    examples = _dedupe(examples)
    urgent = tuple(sorted(tid for tid, t in kb.topics.items() if t.urgent))
    ts = TrainingSet(tuple(_group_near_duplicates(examples)), tuple(sorted(kb.topics)), files_hash.hexdigest(),
                     urgent=urgent, problems=tuple(problems))
    return ts.with_extra(extra)


def _dedupe(examples: list[Example]) -> list[Example]:
    """One example per (normalised text, label)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for e in examples:
        key = (normalize(e.text), e.label)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def _group_near_duplicates(examples: list[Example]) -> list[Example]:
    """Merge the CV groups of examples of one label whose normalised texts are near-identical."""
    from rapidfuzz import fuzz, process

    parent: dict[str, str] = {}

    def find(g: str) -> str:
        while parent.get(g, g) != g:
            parent[g] = parent.get(parent[g], parent[g])
            g = parent[g]
        return g

    by_label: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(examples):
        by_label[e.label].append(i)
    for idx in by_label.values():
        norms = [normalize(examples[i].text) for i in idx]
        if len(norms) < 2:
            continue
        sims = process.cdist(norms, norms, scorer=fuzz.token_sort_ratio, score_cutoff=NEAR_DUPLICATE)
        for a, b in zip(*sims.nonzero()):
            if a < b:
                ga, gb = find(examples[idx[a]].group), find(examples[idx[b]].group)
                if ga != gb:
                    parent[max(ga, gb)] = min(ga, gb)
    return [replace(e, group=find(e.group)) for e in examples]
