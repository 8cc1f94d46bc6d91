"""FAQ matching for English, Urdu script and Roman Urdu with typos.

Workers describe situations more often than they name topics ("4 mahine se seth ne paisa nahi diya"), so a
whole-question fuzzy match is not enough. The matcher scores topics on *concepts*:

1. The message is normalised (:mod:`helpline.text`) and reduced to content words, lightly stemmed.
2. Each word is expanded to the knowledge base's vocabulary words it matches exactly or by fuzzy spelling
   (rapidfuzz ``ratio``, only between words of similar length, cached per word).
3. Each topic scores the weighted key terms it declares (one- or multi-word, every language pooled), scaled by how
   rare the term is across topics, plus a smaller score for words shared with its example questions.
4. The best few topics are re-ranked with a whole-phrase fuzzy comparison against their example questions.

Confident → one answer; close call → up to three suggestions; otherwise none. No I/O: the index is built from a
:class:`~helpline.kb.KnowledgeBase` once and shared.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Literal

from rapidfuzz import fuzz, process

from helpline.kb import KnowledgeBase
from helpline.lang import detect
from helpline.text import normalize, tokens

Decision = Literal["answer", "suggest", "none"]
FUZZY_DISCOUNT = 0.85  # a word matched by spelling is weaker evidence than the word itself
PHRASE_BONUS = 0.25  # extra weight per additional word of a multi-word term
PHRASE_SLACK = 2  # how many other words may stand between a multi-word term's words
OUT_OF_SCOPE = "(out of scope)"  # the pseudo-topic of subjects the helpline declines (locales/kb/out_of_scope.toml)


@dataclass(frozen=True)
class Thresholds:
    """Where confidence turns into an answer, suggestions, or an honest "I don't know"."""

    answer: float = 0.55  # top score at least this ...
    margin: float = 0.08  # ... and this far ahead of the runner-up
    suggest: float = 0.35  # anything at least this is offered as a suggestion


@dataclass(frozen=True)
class Match:
    """The matcher's verdict for one message."""

    decision: Decision
    topic: str | None  # the answer's topic (decision "answer") or the best candidate
    score: float  # confidence of the best candidate, 0..1
    suggestions: tuple[str, ...]  # up to 3 topics for decision "suggest"
    lang: str | None  # detected language of the message

    @property
    def predicted(self) -> str | None:
        """The topic the matcher stands behind (answered or first suggestion); None when it declines."""
        return self.topic if self.decision != "none" else None


def stem(word: str) -> str:
    """A light English suffix stripper for Latin words (wages → wage, registered → register)."""
    if not word.isascii() or len(word) <= 4:
        return word
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and not word.endswith("ss") and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + repl
    return word


def content_words(text: str) -> list[str]:
    """Stemmed content words of a text, in order, without repeats."""
    seen: dict[str, None] = {}
    for w in tokens(text):
        if not w.isdigit():  # a bare number ("1234", a ticket or a phone) names no topic
            seen.setdefault(stem(w), None)
    return list(seen)


def _term_words(items: Iterable[tuple[str, float]]) -> dict[tuple[str, ...], float]:
    """Key terms as tuples of content words (the best weight where two spellings normalise alike)."""
    best: dict[tuple[str, ...], float] = {}
    for phrase, weight in items:
        words = tuple(content_words(phrase)) or tuple(stem(w) for w in normalize(phrase).split())
        if words:
            best[words] = max(best.get(words, 0.0), weight)
    return best


@dataclass
class _Term:
    topic: int
    words: tuple[str, ...]
    weight: float


class Matcher:
    """An index over a knowledge base; :meth:`match` is pure and thread-safe."""

    KEYWORD_SCALE = 1.0
    QUESTION_SCALE = 0.35
    RERANK_WEIGHT = 1.2
    RERANK_TOP = 6
    CONFIDENCE_K = 3.0  # raw score at which confidence is 0.5

    def __init__(self, kb: KnowledgeBase, thresholds: Thresholds | None = None):
        self.thresholds = thresholds or Thresholds()
        self.topic_ids: list[str] = sorted(kb.topics)
        n = len(self.topic_ids)
        self._terms: list[_Term] = []
        self._by_word: dict[str, list[int]] = defaultdict(list)
        self._questions: list[list[str]] = []  # normalised example questions per topic
        q_words: list[dict[str, int]] = []
        # Out-of-scope subjects are one more pseudo-topic, scored like the others and never answered.
        self._declined = n
        self._terms.extend(_Term(n, w, weight) for w, weight in _term_words(kb.out_of_scope.items()).items())
        for ti, tid in enumerate(self.topic_ids):
            best: dict[tuple[str, ...], float] = {}
            counts: dict[str, int] = defaultdict(int)
            questions: list[str] = []
            for text in kb.topics[tid].texts.values():
                for words, weight in _term_words(text.keywords.items()).items():
                    best[words] = max(best.get(words, 0.0), weight)
                for q in (*text.questions, text.title):
                    questions.append(normalize(q))
                    for w in content_words(q):
                        counts[w] += 1
            for words, weight in best.items():
                self._terms.append(_Term(ti, words, weight))
            self._questions.append(questions)
            q_words.append(counts)
        # How many topics use a term / a question word: rare ones are better evidence.
        term_df: dict[tuple[str, ...], int] = defaultdict(int)
        for term in self._terms:
            term_df[term.words] += 1 if term.topic != self._declined else 0
        self._term_idf = [math.log(1 + n / max(1, term_df[t.words])) / math.log(1 + n) for t in self._terms]
        for i, term in enumerate(self._terms):
            for w in set(term.words):
                self._by_word[w].append(i)
        word_df: dict[str, int] = defaultdict(int)
        for counts in q_words:
            for w in counts:
                word_df[w] += 1
        self._q_index: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for ti, counts in enumerate(q_words):
            for w, c in counts.items():
                idf = math.log(1 + n / word_df[w]) / math.log(1 + n)
                self._q_index[w].append((ti, idf * min(c, 3) / 3))
        vocab = set(self._by_word) | set(self._q_index)
        self._vocab_by_len: dict[int, list[str]] = defaultdict(list)
        for w in vocab:
            self._vocab_by_len[len(w)].append(w)
        self._vocab = vocab
        self._expand = lru_cache(maxsize=50_000)(self._expand_uncached)

    # -- scoring ---------------------------------------------------------------------------------------------

    def _expand_uncached(self, word: str) -> tuple[tuple[str, float], ...]:
        """Vocabulary words matching ``word``: itself (1.0) and close spellings (similarity 0..1)."""
        hits: dict[str, float] = {}
        if word in self._vocab:
            hits[word] = 1.0
        if len(word) >= 4:
            # Short words need a closer spelling: "btana" must not become "bana", nor "cricket" "ticket".
            cutoff = 90 if len(word) <= 5 else 85 if len(word) <= 7 else 80
            pool: list[str] = []
            for length in range(len(word) - 2, len(word) + 3):
                pool.extend(self._vocab_by_len.get(length, ()))
            for cand, score, _ in process.extract(word, pool, scorer=fuzz.ratio, score_cutoff=cutoff, limit=4):
                hits.setdefault(cand, FUZZY_DISCOUNT * score / 100)
        return tuple(hits.items())

    def scores(self, text: str) -> list[tuple[str, float]]:
        """Every topic with a positive raw score, best first."""
        words = content_words(text)
        if not words:
            return []
        hit: dict[str, tuple[float, int]] = {}  # vocabulary word -> (similarity, query word index)
        for qi, w in enumerate(words):
            for v, sim in self._expand(w):
                if sim > hit.get(v, (0.0, -1))[0]:
                    hit[v] = (sim, qi)
        raw: dict[int, float] = defaultdict(float)
        # Key terms: a term counts when all its words are present. Per topic, each query word is credited to
        # one term only (the most valuable first), so spelling variants and overlapping phrases do not add up.
        found: list[tuple[float, int, frozenset[int]]] = []
        for i in {i for v in hit for i in self._by_word.get(v, ())}:
            term = self._terms[i]
            sims = [hit.get(w) for w in term.words]
            if any(s is None for s in sims):
                continue
            sim = min(s[0] for s in sims)  # type: ignore[index]
            positions = [s[1] for s in sims]  # type: ignore[index]
            if max(positions) - min(positions) > len(term.words) + PHRASE_SLACK:
                continue  # a phrase's words must stand near each other, in any order
            used = frozenset(positions)
            value = term.weight * self._term_idf[i] * sim * sim * (1 + PHRASE_BONUS * (len(term.words) - 1))
            found.append((value, term.topic, used))
        taken: dict[int, set[int]] = defaultdict(set)
        for value, ti, used in sorted(found, key=lambda f: f[0], reverse=True):
            if not used & taken[ti]:
                taken[ti] |= used
                raw[ti] += self.KEYWORD_SCALE * value
        # Words shared with example questions.
        q_best: dict[tuple[int, int], float] = {}
        for v, (sim, qi) in hit.items():
            for ti, value in self._q_index.get(v, ()):
                key = (ti, qi)
                q_best[key] = max(q_best.get(key, 0.0), value * sim)
        for (ti, _), value in q_best.items():
            raw[ti] += self.QUESTION_SCALE * value
        if not raw:
            return []
        # Re-rank the leaders by how closely the whole message resembles one of their example questions.
        norm = normalize(text)
        leaders = sorted(raw, key=raw.__getitem__, reverse=True)[: self.RERANK_TOP]
        for ti in leaders:
            if ti == self._declined:
                continue
            best = process.extractOne(norm, self._questions[ti], scorer=fuzz.token_set_ratio)
            if best:
                raw[ti] += self.RERANK_WEIGHT * max(0.0, best[1] / 100 - 0.5) * 2
        ranked = sorted(raw.items(), key=lambda kv: kv[1], reverse=True)
        return [(self.topic_ids[ti] if ti != self._declined else OUT_OF_SCOPE, s) for ti, s in ranked]

    def confidence(self, raw: float) -> float:
        """Map a raw score to 0..1."""
        return raw / (raw + self.CONFIDENCE_K) if raw > 0 else 0.0

    def match(self, text: str) -> Match:
        """Decide: one answer, up to three suggestions, or none."""
        lang = detect(text)
        ranked = self.scores(text)
        if ranked and ranked[0][0] == OUT_OF_SCOPE:
            return Match("none", None, 0.0, (), lang)
        ranked = [kv for kv in ranked if kv[0] != OUT_OF_SCOPE]
        if not ranked:
            return Match("none", None, 0.0, (), lang)
        top_id, top_raw = ranked[0]
        top = self.confidence(top_raw)
        second = self.confidence(ranked[1][1]) if len(ranked) > 1 else 0.0
        t = self.thresholds
        if top >= t.answer and top - second >= t.margin:
            return Match("answer", top_id, top, (), lang)
        suggestions = tuple(tid for tid, raw in ranked[:3] if self.confidence(raw) >= t.suggest)
        if suggestions:
            return Match("suggest", top_id, top, suggestions, lang)
        return Match("none", top_id, top, (), lang)
