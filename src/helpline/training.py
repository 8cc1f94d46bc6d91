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
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable

from helpline.kb import KnowledgeBase
from helpline.messages import LANGUAGES
from helpline.text import normalize

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
        """Names the trained model: data files' bytes + extra examples + :data:`MODEL_VERSION` (hex, 24 chars)."""
        h = hashlib.sha256()
        for part in (MODEL_VERSION, self.files_hash, self.extra_hash):
            h.update(part.encode())
            h.update(b"\0")
        return h.hexdigest()[:24]

    def with_extra(self, extra: Iterable[tuple[str, str, str]]) -> TrainingSet:
        """A copy with more examples (staff-taught ones): ``(text, label, lang)`` each; blank texts are skipped."""
        added: list[Example] = []
        h = hashlib.sha256(self.extra_hash.encode())
        for i, (text, label, lang) in enumerate(extra):
            text, label, lang = str(text).strip(), str(label).strip(), str(lang or "").strip()
            if not text or not label:
                continue
            h.update(f"{text}\0{label}\0{lang}\n".encode())
            added.append(Example(text, label, lang or "en", f"extra#{self.extra_hash[:8]}#{i}", "extra"))
        if not added:
            return self
        merged = _group_near_duplicates([*self.examples, *added])
        return replace(self, examples=tuple(merged), extra_hash=h.hexdigest())

    def counts(self) -> dict[str, int]:
        """Examples per label."""
        out: dict[str, int] = defaultdict(int)
        for e in self.examples:
            out[e.label] += 1
        return dict(out)


def _string_lists(table: dict, where: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        values = table.get(lang, [])
        if not isinstance(values, list):
            raise ValueError(f"{where}: {lang!r} must be a list of strings")
        out[lang] = [str(v).strip() for v in values if isinstance(v, str) and v.strip()]
    return out


def data_files(locales_dir: Path) -> list[Path]:
    """The files the training set is read from, in a stable order."""
    kb_dir = Path(locales_dir) / "kb"
    files = sorted((kb_dir / "examples").glob("*.toml")) + sorted((kb_dir / "topics").glob("*.toml"))
    declined = kb_dir / "out_of_scope.toml"
    return files + ([declined] if declined.exists() else [])


def load_training(locales_dir: Path, kb: KnowledgeBase,
                  extra: Iterable[tuple[str, str, str]] = ()) -> TrainingSet:
    """Every training example under ``locales_dir/kb`` plus the knowledge base's own questions and titles.

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

    if ex_dir.is_dir():
        for path in sorted(ex_dir.glob("*.toml")):
            data = tomllib.loads(path.read_text("utf-8"))
            if path.stem == "_out_of_scope":
                add_parallel(OUT_OF_SCOPE, _string_lists(data, path.name), "examples", "")
            elif path.stem == "_intents":
                for name, table in data.items():
                    if isinstance(table, dict):
                        add_parallel(INTENT_PREFIX + name, _string_lists(table, f"{path.name} [{name}]"),
                                     "examples", "")
            elif path.stem.startswith("_"):
                continue
            else:
                tid = str(data.get("id", path.stem))
                if tid in kb.topics:
                    add_parallel(tid, _string_lists(data, path.name), "examples", "")
    for tid in sorted(kb.topics):
        texts = kb.topics[tid].texts
        add_parallel(tid, {lang: list(t.questions) for lang, t in texts.items()}, "questions", "q")
        add_parallel(tid, {lang: [t.title] for lang, t in texts.items()}, "title", "t")
        add_parallel(tid, {lang: list(t.keywords) for lang, t in texts.items()}, "keywords", "k")
    for i, term in enumerate(kb.out_of_scope):
        examples.append(Example(term, OUT_OF_SCOPE, "en", f"{OUT_OF_SCOPE}#k{i}", "keywords"))
    examples = _dedupe(examples)
    ts = TrainingSet(tuple(_group_near_duplicates(examples)), tuple(sorted(kb.topics)), files_hash.hexdigest())
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
