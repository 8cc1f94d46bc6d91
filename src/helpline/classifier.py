"""A trained FAQ classifier: workers' own words → a topic, an intent, or "out of scope".

Why a classifier: the hand-weighted key terms of :mod:`helpline.matcher` decide well on the questions they were
tuned on and poorly on new wording; here the weights are *learned* from ~8,000 example messages in three
languages (:mod:`helpline.training`).

The model (chosen by grouped 5-fold cross-validation over the training data, see :func:`cross_validate` and
the figures in :data:`MODEL_NOTES`):

1. :func:`prepare`: :func:`helpline.text.normalize` (case, Urdu letter variants, diacritics, digits, Roman Urdu
   spellings), cut to :data:`MAX_CHARS`.
2. Three TF-IDF blocks (sublinear tf), concatenated with a ``FeatureUnion``: character 2–5-grams within word
   boundaries (robust to typos and Roman Urdu spelling), word 1–2-grams, and character 1–5-grams of a *consonant
   skeleton* (:func:`skeleton`) that writes Urdu script and Roman Urdu alike (``تنخواہ`` and ``tankhwah`` are
   both ``tnx``, ``پاسپورٹ`` and ``passport`` both ``psprt``), so each language learns from the others'
   examples.
3. A linear model over every label (topics, ``out_of_scope``, ``intent:*``), with probabilities; see
   :data:`MODEL_NOTES` for why a LinearSVC with temperature-scaled scores.

On top, a decision layer (:meth:`Classifier.decide`) with thresholds *per language* chosen on out-of-fold
predictions: answer outright only where at most :data:`MAX_WRONG` of in-scope questions would be answered with
the wrong topic; suggest the top 2–3 topics when the probability of *some* topic is high enough, at the lowest
level that keeps :data:`MIN_DECLINED` of out-of-scope and small-talk messages declined; otherwise decline. Requests that are really intents ("talk to a human") count for their topic
(:data:`INTENT_TOPICS`); small talk and out-of-scope subjects are declined.

The trained model is cached under ``$HELPLINE_CACHE_DIR`` (else ``~/.cache/helpline``) by the training data's
content hash; the cache is only a speed-up: a missing, stale or unreadable file is rebuilt from ``locales/``.
The cache directory must be private to the service (a model file is a pickle).
"""

from __future__ import annotations

import logging
import math
import os
import re
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Literal, NamedTuple, Sequence

import numpy as np

from helpline.kb import KnowledgeBase
from helpline.lang import detect
from helpline.matcher import Match
from helpline.text import normalize
from helpline.training import (
    INTENT_PREFIX,
    MODEL_VERSION,
    OUT_OF_SCOPE,
    TrainingSet,
    is_intent,
    is_topic,
    load_training,
)

log = logging.getLogger(__name__)

MAX_CHARS = 1000  # longer messages are cut: bounded time per message (an SMS is 160, a Telegram message 4096)
TOP_K = 5
LANGS = ("en", "ur-Latn", "ur")
ANY_LANG = "*"  # thresholds for a message whose language cannot be told ("ok", "2")
MAX_WRONG = 0.03  # answered outright with the wrong topic, share of in-scope questions (the target is 5%)
MIN_DECLINED = 0.85  # out-of-scope and small-talk messages declined (the target is 80%)
MIN_INTENT_PRECISION = 0.90  # intent() reports an intent only where it is right this often in CV
SUGGEST_MAX = 3
SUGGEST_FLOOR = 0.05  # a topic is offered among suggestions only with at least this probability
CV_FOLDS = 5
SEED = 0
CACHE_ENV = "HELPLINE_CACHE_DIR"

# Intents that are requests about a topic: for FAQ matching their probability counts for the topic.
INTENT_TOPICS: dict[str, str] = {
    "human": "talk_to_human",
    "complaint_file": "complaint_file",
    "complaint_track": "complaint_track",
    "status_check": "status_check_how",
    "oep_check": "oep_licence_check",
    "bot_question": "helpline_about",
}
DANGER = "danger"  # no topic of its own: matching ranks the topics under it; the engine acts on intent()

MODEL_NOTES = """
How the model was chosen: grouped, stratified 5-fold CV over the training data (parallel translations and
near-duplicates kept in one fold), decisions on each fold with thresholds chosen on the other folds. Figures are
top-1 on in-scope questions (answered or first suggestion right; en / ur / ur-Latn), answered outright and right,
answered outright and WRONG, out-of-scope declined.

  LinearSVC C=0.5, temperature-scaled      84.1% (84.9 / 81.9 / 85.4)  67.7%  2.9%  86.9%   chosen; CV 10-20 s
  LinearSVC C=0.25                         83.9%                       65.9%  2.9%  86.4%
  LinearSVC C=1.0                          83.8%                       67.9%  3.0%  87.5%
  LinearSVC, class_weight="balanced"       83.6%                       67.6%  2.9%  84.7%
  CalibratedClassifierCV(LinearSVC), sigm. 83.4%*                      64.0%  2.9%  88.6%   4 fits per model
  LogisticRegression C=30 (lbfgs)          82.7%*                      64.4%  3.0%  88.2%   CV 400 s
  without the consonant skeleton           83.1% (84.6 / 79.5 / 85.0)  65.9%  3.1%  85.6%
  without the key terms as examples        80.4%*                      60.6%  3.0%  83.4%
  word n-grams only (no char n-grams)      80.9%                       63.2%  3.1%  86.6%
  (* measured with typo augmentation, which moved the chosen model by -0.5 points)

Why the LinearSVC: the same or better top-1 than logistic regression or a sigmoid-calibrated SVC, more questions
answered outright at the same harm, and 4-40x faster to train. Its scores become probabilities by one temperature
(softmax(T · scores)) fitted on the out-of-fold scores, which the thresholds are chosen on anyway.

Tried and left out (no gain worth the cost): training on a typo'd copy of every example (-0.5 points on clean
text; on test text with a slip every 25 / 15 characters 79.4% vs 79.3%, 76.4% vs 76.6%); rapidfuzz spelling
correction of unknown words against the training vocabulary (83.8% vs 84.1% clean, 79.8% vs 79.3% with slips,
and a fuzzy search per unknown word); min_df=2 (half the memory, -0.2 to -0.7 points).

Deciding "suggest" on the probability of *any* topic rather than the top topic's: +2.6 points top-1 at the same
out-of-scope decline rate (a question split between two close topics is in scope, and a menu is the right answer).
"""

Action = Literal["answer", "suggest", "decline"]


# -- text ----------------------------------------------------------------------------------------------------


def prepare(text: object) -> str:
    """The classifier's form of a message: normalised, at most :data:`MAX_CHARS` characters read."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    return normalize(text[:MAX_CHARS])


_URDU_SKELETON = str.maketrans(
    {
        "ب": "b", "پ": "p", "ت": "t", "ٹ": "t", "ث": "s", "ج": "j", "چ": "c", "ح": "", "خ": "x", "د": "d",
        "ڈ": "d", "ذ": "z", "ر": "r", "ڑ": "r", "ز": "z", "ژ": "z", "س": "s", "ش": "x", "ص": "s", "ض": "z",
        "ط": "t", "ظ": "z", "ع": "", "غ": "g", "ف": "f", "ق": "k", "ک": "k", "گ": "g", "ل": "l", "م": "m",
        "ن": "n", "ں": "n", "و": "", "ہ": "", "ء": "", "ی": "", "ے": "", "ا": "",
    }
)
_LATIN_DIGRAPHS = (("kh", "X"), ("sh", "X"), ("ch", "C"), ("gh", "G"), ("th", "T"), ("dh", "D"), ("bh", "B"),
                   ("ph", "F"), ("jh", "J"))
_LATIN_SKELETON = str.maketrans({"q": "k", "c": "k", "v": "", "w": "", "y": "", "h": "", "a": "", "e": "",
                                 "i": "", "o": "", "u": ""})
_REPEAT = re.compile(r"(.)\1+")


@lru_cache(maxsize=100_000)
def _skeleton_word(word: str) -> str:
    if word.isascii():
        if word.isdigit():
            return "0"
        for digraph, letter in _LATIN_DIGRAPHS:
            word = word.replace(digraph, letter)
        word = word.translate(_LATIN_SKELETON).lower()
    else:
        word = "".join(ch for ch in word.translate(_URDU_SKELETON) if ch.isascii())
    return _REPEAT.sub(r"\1", word)


def skeleton(prepared: str) -> str:
    """The consonant skeleton of a prepared text, the same for Urdu script and Roman Urdu (``tnx`` for both
    ``تنخواہ`` and ``tankhwah``): vowels and the letters used as vowels dropped, aspirates merged, repeats
    collapsed, numbers as ``0``."""
    return " ".join(s for s in map(_skeleton_word, prepared.split()) if s)


# -- the model -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelConfig:
    """Features and estimator. ``kind``: ``svc`` (LinearSVC, scores → probabilities by a temperature fitted on
    out-of-fold scores), ``svc_cal`` (LinearSVC in ``CalibratedClassifierCV``, sigmoid) or ``lr``
    (multinomial LogisticRegression)."""

    kind: str = "svc"
    C: float = 0.5
    char: tuple[int, int] = (2, 5)
    word: tuple[int, int] = (1, 2)
    skeleton: tuple[int, int] | None = (1, 5)
    class_weight: str | None = None
    char_analyzer: str = "char_wb"
    min_df: int = 1  # n-grams seen in fewer examples are dropped (smaller model)


def _features(cfg: ModelConfig):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    common = dict(sublinear_tf=True, lowercase=False, dtype=np.float32, min_df=cfg.min_df)
    parts = [
        ("char", TfidfVectorizer(analyzer=cfg.char_analyzer, ngram_range=cfg.char, **common)),
        ("word", TfidfVectorizer(analyzer="word", ngram_range=cfg.word, token_pattern=r"(?u)\b\w+\b", **common)),
    ]
    if cfg.skeleton:
        parts.append(("skeleton", TfidfVectorizer(analyzer="char_wb", ngram_range=cfg.skeleton,
                                                  preprocessor=skeleton, **common)))
    return FeatureUnion(parts)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


class _Model:
    """Fitted features + estimator; :meth:`proba` maps prepared texts to class probabilities."""

    def __init__(self, cfg: ModelConfig):
        self.cfg = cfg
        self.features = _features(cfg)
        self.classes: np.ndarray = np.array([])
        self.temperature = 1.0
        self.estimator = None
        self._coef: np.ndarray | None = None  # (features, classes) float32, for the fast path
        self._intercept: np.ndarray | None = None

    def fit(self, texts: Sequence[str], labels: Sequence[str], groups: Sequence[str] | None = None) -> _Model:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.linear_model import LogisticRegression
        from sklearn.svm import LinearSVC

        cfg = self.cfg
        texts, labels = list(texts), list(labels)
        Z = self.features.fit_transform(texts)
        y = np.asarray(labels, dtype=object)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence and small-class warnings: CV is the judge
            if cfg.kind == "svc":
                est = LinearSVC(C=cfg.C, class_weight=cfg.class_weight, random_state=SEED).fit(Z, y)
            elif cfg.kind == "svc_cal":
                splits = _group_splits(y, groups, 3) if groups is not None else 3
                est = CalibratedClassifierCV(LinearSVC(C=cfg.C, class_weight=cfg.class_weight, random_state=SEED),
                                             method="sigmoid", cv=splits, ensemble=False).fit(Z, y)
            elif cfg.kind == "lr":
                est = LogisticRegression(C=cfg.C, class_weight=cfg.class_weight, max_iter=3000).fit(Z, y)
            else:
                raise ValueError(f"unknown model kind {cfg.kind!r}")
        self.estimator = est
        self.classes = np.asarray(est.classes_, dtype=object)
        if cfg.kind in ("svc", "lr"):
            # Scores come from a float32 copy of the weights; the estimator (float64, twice the memory) goes.
            self._coef = np.ascontiguousarray(est.coef_.T, dtype=np.float32)
            self._intercept = np.asarray(est.intercept_, dtype=np.float32)
            self.estimator = None
        return self

    def transform(self, prepared: Sequence[str]):
        return self.features.transform(list(prepared))

    def scores(self, prepared: Sequence[str]) -> np.ndarray:
        """Raw linear scores (svc, lr) or probabilities (svc_cal), one row per text."""
        if self._coef is not None:
            if len(prepared) == 1:
                return self._scores_one(prepared[0])[None, :]
            return np.asarray(self.transform(prepared) @ self._coef) + self._intercept
        return self.estimator.predict_proba(self.transform(prepared))

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_fast"}

    def _fast_blocks(self) -> list:
        """Per TF-IDF block: its analyzer, vocabulary, idf and column offset (the same numbers as
        ``features.transform``, without scikit-learn's per-call validation, which costs ~1 ms a message)."""
        fast = self.__dict__.get("_fast")
        if fast is None:
            fast, offset = [], 0
            weights = self.features.transformer_weights or {}
            for name, vec in self.features.transformer_list:
                fast.append((vec.build_analyzer(), vec.vocabulary_, np.asarray(vec.idf_, dtype=np.float64), offset,
                             float(weights.get(name, 1.0))))
                offset += len(vec.vocabulary_)
            self.__dict__["_fast"] = fast
        return fast

    def _vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The known n-grams of one prepared text: column indices and values (sublinear tf × idf, L2 per block)."""
        idx_parts, val_parts = [], []
        for analyze, vocab, idf, offset, weight in self._fast_blocks():
            counts: dict[int, int] = {}
            for gram in analyze(text):
                j = vocab.get(gram)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if not counts:
                continue
            idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            val = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[idx]
            val *= weight / np.sqrt(val @ val)
            idx_parts.append(idx + offset)
            val_parts.append(val)
        if not idx_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(idx_parts), np.concatenate(val_parts)

    def _scores_one(self, text: str) -> np.ndarray:
        idx, val = self._vector(text)
        return self._intercept.astype(np.float64) + (val @ self._coef[idx] if len(idx) else 0.0)

    def proba_one(self, prepared: str) -> np.ndarray | None:
        """Class probabilities of one prepared text; None when it has no n-gram the model knows."""
        if self._coef is None:
            Z = self.transform([prepared])
            return self.estimator.predict_proba(Z)[0] if Z.nnz else None
        idx, val = self._vector(prepared)
        if not len(idx):
            return None
        s = (self._intercept.astype(np.float64) + val @ self._coef[idx])[None, :]
        return _softmax(s * (self.temperature if self.cfg.kind == "svc" else 1.0))[0]

    def proba(self, prepared: Sequence[str]) -> np.ndarray:
        s = self.scores(prepared)
        if self.cfg.kind == "svc":
            return _softmax(s * self.temperature)
        if self.cfg.kind == "lr":
            return _softmax(s)
        return s


def _group_splits(y: np.ndarray, groups: Sequence[str] | None, k: int, seed: int = SEED):
    """Stratified k-fold, grouped so that translations and near-duplicates stay on one side."""
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "the least populated class has only n members"
        if groups is None:
            return list(StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(y, y))
        return list(StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed).split(y, y, groups))


def _fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The temperature T minimising the log loss of softmax(T · scores) on out-of-fold scores."""
    from scipy.optimize import minimize_scalar

    rows = np.arange(len(truth))

    def nll(log_t: float) -> float:
        z = scores * math.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[rows, truth]))

    res = minimize_scalar(nll, bounds=(-3.0, 5.0), method="bounded")
    return float(math.exp(res.x))


# -- predictions and decisions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prediction:
    """What the classifier sees in one message."""

    label: str  # the most probable label: a topic id, "out_of_scope" or "intent:<name>"
    prob: float
    ranked: tuple[tuple[str, float], ...]  # the top labels with their probabilities, best first
    lang: str | None  # helpline.lang.detect of the message
    topics: tuple[tuple[str, float], ...] = ()  # topics, with topic-like intents folded in, best first
    declined: tuple[str, float] = (OUT_OF_SCOPE, 0.0)  # the most probable label that is declined, if matched
    in_scope: float = 0.0  # the probability that the message is about some topic (all topics together)


class Decision(NamedTuple):
    action: Action
    topic: str | None
    suggestions: tuple[str, ...]


@dataclass(frozen=True)
class LangThresholds:
    """Where a topic's probability becomes an answer, suggestions, or a decline; and an intent's."""

    answer: float  # the top topic's probability ...
    margin: float  # ... and its lead over the runner-up (any label)
    suggest: float  # the probability of "some topic" (all topics together) at which the top topics are offered
    intent: float  # the top intent's probability

    def __str__(self) -> str:
        return (f"answer: top topic >= {self.answer:.2f} (lead >= {self.margin:.2f}); suggest: any topic >= "
                f"{self.suggest:.3f}; intent >= {self.intent:.2f}")


DEFAULT_THRESHOLDS = LangThresholds(answer=0.75, margin=0.0, suggest=0.85, intent=0.6)


class _Folding:
    """Maps class probabilities to "columns": topics (topic-like intents added in) and declined labels."""

    def __init__(self, classes: Sequence[str]):
        cols: list[str] = []
        index: dict[str, int] = {}

        def col(name: str) -> int:
            if name not in index:
                index[name] = len(cols)
                cols.append(name)
            return index[name]

        pairs = []
        for ci, label in enumerate(classes):
            if is_topic(label):
                pairs.append((ci, col(label)))
            elif is_intent(label):
                name = label[len(INTENT_PREFIX):]
                if name in INTENT_TOPICS:
                    pairs.append((ci, col(INTENT_TOPICS[name])))
                elif name != DANGER:
                    pairs.append((ci, col(label)))
            else:
                pairs.append((ci, col(label)))
        self.columns = cols
        self.is_topic = np.array([is_topic(c) for c in cols], dtype=bool)
        self.matrix = np.zeros((len(classes), len(cols)), dtype=np.float32)
        for ci, co in pairs:
            self.matrix[ci, co] = 1.0

    def __call__(self, P: np.ndarray) -> np.ndarray:
        return P @ self.matrix


def _intent_acceptable(said: str, truth: str, urgent: frozenset[str]) -> bool:
    """Whether acting on intent ``said`` is right for a message labelled ``truth``: the same intent, the topic
    that intent is about ("how do I reach a person" → a person), or danger for an urgent topic."""
    if not is_intent(said):
        return False
    name = said[len(INTENT_PREFIX):]
    return said == truth or INTENT_TOPICS.get(name) == truth or (name == DANGER and truth in urgent)


@dataclass
class _Oof:
    """Out-of-fold predictions of the testable examples."""

    classes: np.ndarray
    P: np.ndarray  # (n, classes)
    truth: np.ndarray  # labels
    langs: np.ndarray  # detected language (or ANY_LANG) per example, for thresholds
    labelled: np.ndarray  # labelled language per example, for reporting
    fold: np.ndarray  # fold number per example
    urgent: frozenset[str] = frozenset()  # urgent topics: "danger" said for one of them is acceptable

    def views(self) -> dict:
        folding = _Folding(list(self.classes))
        F = folding(self.P)
        topic_F = np.where(folding.is_topic, F, -1.0)
        best = F.argmax(axis=1)
        order = np.argsort(-topic_F, axis=1)[:, :SUGGEST_MAX]
        rows = np.arange(len(F))
        top_p = topic_F[rows, order[:, 0]]
        F_other = F.copy()
        F_other[rows, order[:, 0]] = -1.0
        cols = np.array(folding.columns, dtype=object)
        truth_col = np.array([INTENT_TOPICS.get(t[len(INTENT_PREFIX):], t) if is_intent(t) else t
                              for t in self.truth], dtype=object)
        in_scope = np.array([is_topic(t) for t in self.truth])
        chat = np.array([is_intent(t) and t[len(INTENT_PREFIX):] not in INTENT_TOPICS
                         and t[len(INTENT_PREFIX):] != DANGER for t in self.truth])
        raw_best = self.P.argmax(axis=1)
        raw_label = self.classes[raw_best]
        return {
            "mass": F[:, folding.is_topic].sum(axis=1),
            "intent_ok": np.array([_intent_acceptable(r, t, self.urgent) for r, t in zip(raw_label, self.truth)]),
            "truth_raw": self.truth,
            "truth_col": truth_col,
            "top_is_topic": folding.is_topic[best],
            "p": top_p,
            "lead": top_p - F_other.max(axis=1),
            "top": cols[order[:, 0]],
            "sugg": cols[order],
            "sugg_p": topic_F[rows[:, None], order],
            "correct": cols[order[:, 0]] == truth_col,
            "in_scope": in_scope,
            "should_decline": (self.truth == OUT_OF_SCOPE) | chat,
            "oos": self.truth == OUT_OF_SCOPE,
            "chat": chat,
            "intent_truth": np.array([is_intent(t) for t in self.truth]),
            "raw_label": raw_label,
            "raw_p": self.P[rows, raw_best],
        }


def _choose(v: dict, mask: np.ndarray) -> LangThresholds:
    """Thresholds for the examples in ``mask`` (out-of-fold predictions)."""
    ins = mask & v["in_scope"]
    dec = mask & v["should_decline"]
    n_in, n_dec = max(1, ins.sum()), max(1, dec.sum())
    p, lead, top_topic, correct = v["p"], v["lead"], v["top_is_topic"], v["correct"]
    # 1. answer: the most right answers with at most MAX_WRONG wrong ones (ties: the stricter threshold).
    best = (-1.0, 0.99, 0.3)
    for margin in (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4):
        for a in np.arange(0.99, 0.19, -0.01):
            answered = ins & top_topic & (p >= a) & (lead >= margin)
            wrong = (answered & ~correct).sum() / n_in
            if wrong > MAX_WRONG:
                break
            right = (answered & correct).sum() / n_in
            if right > best[0] + 1e-9:
                best = (right, float(round(a, 2)), margin)
    _, answer, margin = best
    # 2. suggest: offer the top topics when the message is about *some* topic with at least this probability
    # (several close topics are a question in scope, not an unknown one): the lowest threshold, so the most
    # right first topics, that keeps MIN_DECLINED of out-of-scope and small-talk messages declined.
    mass = v["mass"]
    answered_dec = dec & top_topic & (p >= answer) & (lead >= margin)
    suggest = 0.995
    for s in np.arange(0.05, 0.995, 0.005):
        if 1 - (answered_dec | (dec & top_topic & (mass >= s))).sum() / n_dec >= MIN_DECLINED:
            suggest = float(round(s, 3))
            break
    # 3. intent: the lowest probability at which intent() is right at least MIN_INTENT_PRECISION of the time.
    intent = 0.99
    is_int = np.array([is_intent(x) for x in v["raw_label"]]) & mask
    hit = v["intent_ok"]
    for t in np.arange(0.99, 0.19, -0.01):
        said = is_int & (v["raw_p"] >= t)
        if said.sum() and (said & hit).sum() / said.sum() < MIN_INTENT_PRECISION:
            break
        intent = float(round(t, 2))
    return LangThresholds(answer=answer, margin=margin, suggest=suggest, intent=intent)


def _choose_all(oof: _Oof, v: dict, rows: np.ndarray) -> dict[str, LangThresholds]:
    out = {ANY_LANG: _choose(v, rows)}
    for lang in LANGS:
        mask = rows & (oof.langs == lang)
        out[lang] = _choose(v, mask) if (mask & v["in_scope"]).sum() >= 50 else out[ANY_LANG]
    return out


# -- cross-validation report ---------------------------------------------------------------------------------


@dataclass
class LangCv:
    """Cross-validated figures for one language (or all)."""

    n_topic: int = 0
    top1: float = 0.0  # answered or first suggestion right (declines count as misses)
    answered_right: float = 0.0
    answered_wrong: float = 0.0  # harmful: answered outright with the wrong topic
    suggested: float = 0.0
    suggest_hit: float = 0.0  # right topic among the suggestions, of those suggested
    declined: float = 0.0  # in-scope questions declined
    n_oos: int = 0
    oos_declined: float = 0.0
    n_chat: int = 0
    chat_declined: float = 0.0  # greetings, thanks... not matched to a topic
    n_intent: int = 0
    intent_top1: float = 0.0  # raw label right, on intent examples
    intent_recall: float = 0.0  # intent() says the right intent
    intent_precision: float = 0.0  # of everything intent() says, acceptable (see _intent_acceptable)


@dataclass
class CvReport:
    """Grouped k-fold cross-validation of the classifier and its decision layer on the training data.

    Decisions on each fold use thresholds chosen on the other folds' out-of-fold predictions, so the decision
    figures are not tuned on the examples they are measured on.
    """

    k: int
    model: str
    by_lang: dict[str, LangCv]
    overall: LangCv
    thresholds: dict[str, LangThresholds]  # chosen on all out-of-fold predictions: the model's
    confusions: list[tuple[str, str, int]]  # (truth, predicted top topic, count), most frequent first
    per_intent: dict[str, tuple[int, float, float]] = field(default_factory=dict)  # n, raw top-1, intent() recall
    temperature: float = 1.0
    seconds: float = 0.0

    def format(self) -> str:
        lines = [f"{self.k}-fold grouped CV, {self.model}, {self.seconds:.0f} s"]
        head = (f"{'lang':8} {'n':>5} {'top1':>6} {'ans+':>6} {'ans-':>6} {'sugg':>6} {'s-hit':>6} {'decl':>6} | "
                f"{'n_oos':>5} {'oos-d':>6} | {'n_chat':>6} {'chat-d':>6} | {'n_int':>5} {'int1':>6} {'i-rec':>6} "
                f"{'i-prec':>6}")
        lines.append(head)
        for name, c in [*sorted(self.by_lang.items()), ("all", self.overall)]:
            lines.append(
                f"{name:8} {c.n_topic:5d} {c.top1:6.1%} {c.answered_right:6.1%} {c.answered_wrong:6.1%} "
                f"{c.suggested:6.1%} {c.suggest_hit:6.1%} {c.declined:6.1%} | {c.n_oos:5d} {c.oos_declined:6.1%} | "
                f"{c.n_chat:6d} {c.chat_declined:6.1%} | {c.n_intent:5d} {c.intent_top1:6.1%} "
                f"{c.intent_recall:6.1%} {c.intent_precision:6.1%}")
        lines.append("thresholds (chosen on all out-of-fold predictions):")
        lines += [f"  {lang:8} {t}" for lang, t in sorted(self.thresholds.items())]
        if self.per_intent:
            lines.append("intents (n, top label right, intent() right): " + ", ".join(
                f"{name} {n} {top1:.0%} {recall:.0%}" for name, (n, top1, recall) in sorted(self.per_intent.items())))
        lines.append("most confused (truth -> top topic):")
        lines += [f"  {n:3d}  {a} -> {b}" for a, b, n in self.confusions[:15]]
        return "\n".join(lines)


def _lang_cv(v: dict, mask: np.ndarray, action: np.ndarray, sugg_hit: np.ndarray) -> LangCv:
    ins, oos, chat, ints = mask & v["in_scope"], mask & v["oos"], mask & v["chat"], mask & v["intent_truth"]
    n = int(ins.sum())
    c = LangCv(n_topic=n, n_oos=int(oos.sum()), n_chat=int(chat.sum()), n_intent=int(ints.sum()))
    if n:
        offered = ins & (action != 0)
        c.top1 = float((offered & v["correct"]).sum() / n)
        c.answered_right = float((ins & (action == 2) & v["correct"]).sum() / n)
        c.answered_wrong = float((ins & (action == 2) & ~v["correct"]).sum() / n)
        sug = ins & (action == 1)
        c.suggested = float(sug.sum() / n)
        c.suggest_hit = float((sug & sugg_hit).sum() / max(1, sug.sum()))
        c.declined = float((ins & (action == 0)).sum() / n)
    if c.n_oos:
        c.oos_declined = float((oos & (action == 0)).sum() / c.n_oos)
    if c.n_chat:
        c.chat_declined = float((chat & (action == 0)).sum() / c.n_chat)
    said = mask & v["intent_said"]
    if c.n_intent:
        c.intent_top1 = float((ints & (v["raw_label"] == v["truth_raw"])).sum() / c.n_intent)
        c.intent_recall = float((ints & said & (v["raw_label"] == v["truth_raw"])).sum() / c.n_intent)
    if said.sum():
        c.intent_precision = float((said & v["intent_ok"]).sum() / said.sum())
    return c


def _apply(v: dict, thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :meth:`Classifier.decide`: action per example (0 decline, 1 suggest, 2 answer), and whether
    the truth is among the suggestions. ``thresholds``: (n, 4) answer, margin, suggest, intent per example."""
    a, m, s = thresholds[:, 0], thresholds[:, 1], thresholds[:, 2]
    topic = v["top_is_topic"]
    answer = topic & (v["p"] >= a) & (v["lead"] >= m)
    suggest = topic & ~answer & (v["mass"] >= s)
    action = np.where(answer, 2, np.where(suggest, 1, 0))
    offered = (v["sugg_p"] >= SUGGEST_FLOOR)
    offered[:, 0] = True
    hit = ((v["sugg"] == v["truth_col"][:, None]) & offered).any(axis=1)
    return action, hit


def _report(oof: _Oof, model: str, k: int, seconds: float, temperature: float) -> CvReport:
    v = oof.views()
    everything = np.ones(len(oof.truth), dtype=bool)
    final = _choose_all(oof, v, everything)
    # Cross-fitted decisions: each fold's thresholds come from the other folds.
    th = np.zeros((len(oof.truth), 4))
    for f in np.unique(oof.fold):
        chosen = _choose_all(oof, v, oof.fold != f)
        rows = np.flatnonzero(oof.fold == f)
        for i in rows:
            t = chosen.get(oof.langs[i], chosen[ANY_LANG])
            th[i] = (t.answer, t.margin, t.suggest, t.intent)
    action, hit = _apply(v, th)
    v["intent_said"] = np.array([is_intent(x) for x in v["raw_label"]]) & (v["raw_p"] >= th[:, 3])
    by_lang = {lang: _lang_cv(v, oof.labelled == lang, action, hit) for lang in LANGS}
    overall = _lang_cv(v, everything, action, hit)
    pairs = Counter((t, p) for t, p, ins, c in zip(oof.truth, v["top"], v["in_scope"], v["correct"])
                    if ins and not c)
    confusions = [(a, b, n) for (a, b), n in pairs.most_common()]
    per_intent = {}
    right = v["raw_label"] == oof.truth
    for label in sorted({t for t in oof.truth if is_intent(t)}):
        rows = oof.truth == label
        per_intent[label[len(INTENT_PREFIX):]] = (int(rows.sum()), float((rows & right).mean() / rows.mean()),
                                                  float((rows & right & v["intent_said"]).mean() / rows.mean()))
    return CvReport(k=k, model=model, by_lang=by_lang, overall=overall, thresholds=final, confusions=confusions,
                    per_intent=per_intent, temperature=temperature, seconds=seconds)


def _out_of_fold(ts: TrainingSet, cfg: ModelConfig, k: int, n_jobs: int = 1) -> tuple[_Oof, float]:
    """Out-of-fold class probabilities of every testable example; train-only examples train every fold."""
    examples = ts.examples
    test_idx = np.array([i for i, e in enumerate(examples) if e.testable])
    always = [i for i, e in enumerate(examples) if not e.testable]
    prepared = [prepare(e.text) for e in examples]
    labels = np.array([e.label for e in examples], dtype=object)
    groups = np.array([e.group for e in examples], dtype=object)
    classes = np.array(sorted(set(labels)), dtype=object)
    col = {c: i for i, c in enumerate(classes)}
    splits = _group_splits(labels[test_idx], groups[test_idx], k)

    def one(fold: int, tr: np.ndarray, te: np.ndarray):
        train = np.concatenate([test_idx[tr], always]).astype(int)
        model = _Model(cfg).fit(
            [prepared[i] for i in train], labels[train], groups[train])
        raw = model.scores([prepared[i] for i in test_idx[te]])
        out = np.full((len(te), len(classes)), -1e4 if cfg.kind in ("svc", "lr") else 0.0)
        out[:, [col[c] for c in model.classes]] = raw
        return fold, te, out

    if n_jobs != 1:
        from joblib import Parallel, delayed

        results = Parallel(n_jobs=n_jobs)(delayed(one)(f, tr, te) for f, (tr, te) in enumerate(splits))
    else:
        results = [one(f, tr, te) for f, (tr, te) in enumerate(splits)]
    S = np.zeros((len(test_idx), len(classes)))
    fold = np.zeros(len(test_idx), dtype=int)
    for f, te, out in results:
        S[te] = out
        fold[te] = f
    truth = labels[test_idx]
    temperature = 1.0
    if cfg.kind == "svc":
        temperature = _fit_temperature(S, np.array([col[t] for t in truth]))
        P = _softmax(S * temperature)
    elif cfg.kind == "lr":
        P = _softmax(S)
    else:
        P = S / np.maximum(S.sum(axis=1, keepdims=True), 1e-12)
    texts = [examples[i].text for i in test_idx]
    langs = np.array([detect(t) or ANY_LANG for t in texts], dtype=object)
    labelled = np.array([examples[i].lang for i in test_idx], dtype=object)
    return _Oof(classes, P, truth, langs, labelled, fold, frozenset(ts.urgent)), temperature


def _describe(cfg: ModelConfig) -> str:
    feats = f"char_wb{cfg.char} + word{cfg.word}" + (f" + skeleton{cfg.skeleton}" if cfg.skeleton else "")
    return f"{cfg.kind} C={cfg.C} class_weight={cfg.class_weight} [{feats}]"


def cross_validate(training_set: TrainingSet, k: int = CV_FOLDS, config: ModelConfig | None = None,
                   n_jobs: int = 1) -> CvReport:
    """Grouped, stratified k-fold cross-validation of the model and its decision layer (see :class:`CvReport`)."""
    cfg = config or ModelConfig()
    start = time.perf_counter()
    oof, temperature = _out_of_fold(training_set, cfg, k, n_jobs)
    return _report(oof, _describe(cfg), k, time.perf_counter() - start, temperature)


# -- the classifier ------------------------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """``$HELPLINE_CACHE_DIR``, else ``~/.cache/helpline``."""
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else Path.home() / ".cache" / "helpline"


class Classifier:
    """A trained model with its per-language thresholds. :meth:`predict` is pure and thread-safe."""

    def __init__(self, model: _Model, thresholds: dict[str, LangThresholds], content_hash: str,
                 topic_ids: Sequence[str], cv_report: CvReport | None = None):
        self.model = model
        self.thresholds = thresholds
        self.content_hash = content_hash
        self.topic_ids = tuple(topic_ids)
        self.cv_report = cv_report
        self.loaded_from_cache = False
        self._setup()

    def _setup(self) -> None:
        self._classes = [str(c) for c in self.model.classes]
        self._folding = _Folding(self._classes)

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._setup()

    # -- training and the cache ----------------------------------------------------------------------------

    @classmethod
    def train(cls, training_set: TrainingSet, config: ModelConfig | None = None, k: int = CV_FOLDS,
              n_jobs: int = 1) -> Classifier:
        """Cross-validate (for the thresholds and the report), then fit on every example."""
        cfg = config or ModelConfig()
        start = time.perf_counter()
        oof, temperature = _out_of_fold(training_set, cfg, k, n_jobs)
        report = _report(oof, _describe(cfg), k, 0.0, temperature)
        ex = training_set.examples
        model = _Model(cfg).fit([prepare(e.text) for e in ex], [e.label for e in ex], [e.group for e in ex])
        model.temperature = temperature
        report.seconds = time.perf_counter() - start
        return cls(model, report.thresholds, training_set.content_hash(), training_set.topic_ids, report)

    @classmethod
    def load_or_train(cls, training_set: TrainingSet, cache_dir: Path | None = None,
                      config: ModelConfig | None = None, n_jobs: int = 1) -> Classifier:
        """The cached model for this training data, else a freshly trained one (then cached, atomically)."""
        cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        key = training_set.content_hash()
        path = cache_dir / f"{key}.joblib"
        if config is None:
            loaded = cls._load(path, key)
            if loaded is not None:
                return loaded
        clf = cls.train(training_set, config, n_jobs=n_jobs)
        if config is None:
            clf.save(path)
        return clf

    @classmethod
    def _load(cls, path: Path, key: str) -> Classifier | None:
        import joblib
        import sklearn

        if not path.exists():
            return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # a model pickled by another scikit-learn version: retrain
                payload = joblib.load(path)
            if (not isinstance(payload, dict) or payload.get("version") != MODEL_VERSION
                    or payload.get("sklearn") != sklearn.__version__ or payload.get("content_hash") != key
                    or not isinstance(payload.get("classifier"), Classifier)):
                raise ValueError("stale or foreign model file")
            clf = payload["classifier"]
            clf.loaded_from_cache = True
            return clf
        except Exception as exc:  # noqa: BLE001 - any unreadable cache is only a missed speed-up
            log.warning("ignoring cached model %s (%s: %s); retraining", path, type(exc).__name__, exc)
            return None

    def save(self, path: Path) -> bool:
        """Write the model atomically (a temporary file, then a rename); False when it cannot be written."""
        import joblib
        import sklearn

        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    joblib.dump({"version": MODEL_VERSION, "sklearn": sklearn.__version__,
                                 "content_hash": self.content_hash, "classifier": self}, fh, compress=3)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            return True
        except OSError as exc:
            log.warning("cannot cache the model at %s: %s", path, exc)
            return False

    # -- prediction -------------------------------------------------------------------------------------------

    def predict(self, text: object) -> Prediction:
        """The labels ranked for one message. Never raises; a message with no words is out of scope."""
        try:
            raw = text if isinstance(text, str) else ("" if text is None else str(text))
            lang = detect(raw[:MAX_CHARS])
            prepared = prepare(raw)
            if not prepared.strip():
                return Prediction(OUT_OF_SCOPE, 1.0, ((OUT_OF_SCOPE, 1.0),), lang, (), (OUT_OF_SCOPE, 1.0))
            p = self.model.proba_one(prepared)
            if p is None:  # nothing the model has ever seen: not a question it can place
                return Prediction(OUT_OF_SCOPE, 1.0, ((OUT_OF_SCOPE, 1.0),), lang, (), (OUT_OF_SCOPE, 1.0))
            return self._prediction(p, lang)
        except Exception:  # noqa: BLE001 - a worker's turn must never fail on the classifier
            log.exception("classifier failed on a message; declining it")
            return Prediction(OUT_OF_SCOPE, 0.0, (), None, (), (OUT_OF_SCOPE, 0.0))

    def _prediction(self, p: np.ndarray, lang: str | None) -> Prediction:
        order = np.argsort(-p)[:TOP_K]
        ranked = tuple((self._classes[i], float(p[i])) for i in order)
        folded = self._folding(p[None, :])[0]
        cols = self._folding.columns
        topic_idx = np.flatnonzero(self._folding.is_topic)
        t_order = topic_idx[np.argsort(-folded[topic_idx])[:TOP_K]]
        topics = tuple((cols[i], float(folded[i])) for i in t_order)
        other = np.flatnonzero(~self._folding.is_topic)
        if len(other):
            d = other[int(np.argmax(folded[other]))]
            declined = (cols[d], float(folded[d]))
        else:
            declined = (OUT_OF_SCOPE, 0.0)
        in_scope = float(folded[topic_idx].sum())
        return Prediction(ranked[0][0], ranked[0][1], ranked, lang, topics, declined, in_scope)

    def thresholds_for(self, lang: str | None) -> LangThresholds:
        return self.thresholds.get(lang or ANY_LANG) or self.thresholds.get(ANY_LANG) or DEFAULT_THRESHOLDS

    def decide(self, prediction: Prediction, lang: str | None = None) -> Decision:
        """Answer, suggest the top 2–3 topics, or decline, with the thresholds of the message's language."""
        t = self.thresholds_for(lang if lang is not None else prediction.lang)
        if not prediction.topics:
            return Decision("decline", None, ())
        top, p = prediction.topics[0]
        runner_up = max(prediction.topics[1][1] if len(prediction.topics) > 1 else 0.0, prediction.declined[1])
        if prediction.declined[1] > p:
            return Decision("decline", None, ())  # out of scope or small talk is the best reading
        if p >= t.answer and p - runner_up >= t.margin:
            return Decision("answer", top, ())
        if prediction.in_scope >= t.suggest:
            rest = tuple(tid for tid, q in prediction.topics[1:SUGGEST_MAX] if q >= SUGGEST_FLOOR)
            return Decision("suggest", top, (top, *rest))
        return Decision("decline", None, ())

    def intent(self, prediction: Prediction, lang: str | None = None) -> tuple[str, float] | None:
        """The intent's name and probability when the top label is an intent above its threshold."""
        t = self.thresholds_for(lang if lang is not None else prediction.lang)
        if is_intent(prediction.label) and prediction.prob >= t.intent:
            return prediction.label[len(INTENT_PREFIX):], prediction.prob
        return None


# -- the matcher adapter -------------------------------------------------------------------------------------


class TrainedMatcher:
    """The classifier behind :class:`helpline.matcher.Matcher`'s interface (``match``), plus :meth:`intent`.

    Topics of the knowledge base the model was not trained on (added after training) are matched by a fuzzy
    comparison with their example questions; topics the model knows but the knowledge base no longer has are
    never returned.
    """

    FALLBACK_ANSWER = 90  # rapidfuzz token_sort_ratio with an untrained topic's question: answer it
    FALLBACK_SUGGEST = 75  # ... offer it first among suggestions

    def __init__(self, kb: KnowledgeBase, classifier: Classifier | None = None, *,
                 locales_dir: Path | None = None, cache_dir: Path | None = None,
                 extra: Iterable[tuple[str, str, str]] = ()):
        if classifier is None:
            from helpline.settings import REPO_ROOT

            training = load_training(Path(locales_dir or REPO_ROOT / "locales"), kb, extra)
            classifier = Classifier.load_or_train(training, cache_dir)
        self.kb = kb
        self.classifier = classifier
        self._known = frozenset(kb.topics)
        trained = set(classifier.topic_ids) | {c for c in classifier.model.classes if is_topic(str(c))}
        self._fallback: list[tuple[str, str]] = [
            (q, tid) for tid in sorted(set(kb.topics) - trained)
            for t in kb.topics[tid].texts.values() for q in {prepare(x) for x in (*t.questions, t.title)} if q
        ]
        self._last: tuple[str, Prediction] | None = None

    def predict(self, text: object) -> Prediction:
        last = self._last
        if last is not None and isinstance(text, str) and last[0] == text:
            return last[1]
        pred = self.classifier.predict(text)
        if isinstance(text, str):
            self._last = (text, pred)
        return pred

    def match(self, text: str) -> Match:
        """Decide: one answer, up to three suggestions, or none (the matcher's contract). Never raises."""
        pred = self.predict(text)
        if any(tid not in self._known for tid, _ in pred.topics):
            gone = sum(p for tid, p in pred.topics if tid not in self._known)
            pred = replace(pred, topics=tuple((tid, p) for tid, p in pred.topics if tid in self._known),
                           in_scope=max(0.0, pred.in_scope - gone))
        action, topic, suggestions = self.classifier.decide(pred)
        score = pred.topics[0][1] if pred.topics else 0.0
        if self._fallback:
            action, topic, suggestions, score = self._untrained(text, action, topic, suggestions, score)
        if action == "answer":
            return Match("answer", topic, score, (), pred.lang)
        if action == "suggest":
            return Match("suggest", topic, score, suggestions, pred.lang)
        declined_first = pred.declined[1] > score
        best = None if declined_first or not pred.topics else pred.topics[0][0]
        return Match("none", best, 0.0 if declined_first else score, (), pred.lang,
                     declined=pred.declined[0] if declined_first else None)

    def _untrained(self, text, action, topic, suggestions, score):
        try:
            from rapidfuzz import fuzz, process

            hit = process.extractOne(prepare(text), [q for q, _ in self._fallback], scorer=fuzz.token_sort_ratio,
                                     score_cutoff=self.FALLBACK_SUGGEST)
        except Exception:  # noqa: BLE001
            return action, topic, suggestions, score
        if not hit:
            return action, topic, suggestions, score
        tid = self._fallback[hit[2]][1]
        if hit[1] >= self.FALLBACK_ANSWER:
            return "answer", tid, (), hit[1] / 100
        if action == "answer":
            return action, topic, suggestions, score
        rest = tuple(s for s in suggestions if s != tid)[: SUGGEST_MAX - 1]
        return "suggest", tid, (tid, *rest), max(score, hit[1] / 100)

    def intent(self, text: str) -> tuple[str, float] | None:
        """``(name, probability)`` when the message is an intent (``human``, ``thanks``, ``danger``...).

        Above its cross-validated threshold an intent always counts. Below it, it still counts when it is the most
        probable reading and no *other* topic would be answered outright: "any update on my complaint?" is a
        request to track it even though its topic (``complaint_track``) would be answered too, and "is anyone
        there?" is small talk even when the model is less sure than usual. Danger counts whenever it is the most
        probable reading: a false alarm costs a person's time, a miss may cost far more.
        """
        pred = self.predict(text)
        found = self.classifier.intent(pred)
        if found is not None or not is_intent(pred.label):
            return found
        name = pred.label[len(INTENT_PREFIX):]
        m = self.match(text)
        if name == DANGER or m.decision != "answer" or m.topic == INTENT_TOPICS.get(name):
            return name, pred.prob
        return None
