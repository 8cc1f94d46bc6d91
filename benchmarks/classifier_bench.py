"""Trained FAQ classifier benchmark, with a floor measured in the same run.

Run: ``.venv/bin/python benchmarks/classifier_bench.py`` (``--quick`` skips the synthetic training).

1. Training on the real knowledge base's examples: cold (cross-validation for the thresholds + the final fit)
   and cached (loading ``<hash>.joblib``), the cached file's size, and the loaded model's memory (tracemalloc
   of the load, and the process's resident-set growth).
2. Time per message (p50/p99) of ``predict`` and ``TrainedMatcher.match`` on real example messages with typos,
   against the floor of a bare ``rapidfuzz.process.extractOne`` over the knowledge base's example questions.
3. The same on a synthetic set of 10,000 examples over 200 labels, made by recombining the real examples'
   words (each label also gets a few signature words), against ``extractOne`` over those 10,000 texts.

Reads no evaluation set. Bounded: about two minutes on two cores. Prints ratios, asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rapidfuzz import process  # noqa: E402

from helpline import kb as kb_mod  # noqa: E402
from helpline.classifier import Classifier, TrainedMatcher  # noqa: E402
from helpline.training import Example, TrainingSet, load_training  # noqa: E402

N_QUERIES = 3000
P99_GOAL_MS = 5.0


def timed(fn, items) -> list[float]:
    """Seconds per call of ``fn(item)`` for each item."""
    out = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - start)
    return out


def pct(values: list[float], q: float) -> float:
    """The q-th percentile, in milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def report(name: str, ours: list[float], floor: list[float]) -> None:
    ratio = statistics.mean(ours) / statistics.mean(floor)
    verdict = "ok" if pct(ours, 99) <= P99_GOAL_MS else "OVER"
    print(f"  {name:28} p50 {pct(ours, 50):6.3f} ms  p99 {pct(ours, 99):6.3f} ms  max {1000 * max(ours):6.2f} ms | "
          f"floor p50 {pct(floor, 50):6.3f} ms  p99 {pct(floor, 99):6.3f} ms | mean ratio {ratio:5.2f}x | "
          f"p99 goal {P99_GOAL_MS:.0f} ms {verdict}")


def with_typos(texts: list[str], rng: random.Random, n: int) -> list[str]:
    """n messages: the given texts, each with one or two slips (letters swapped, dropped, doubled)."""
    out = []
    while len(out) < n:
        chars = list(rng.choice(texts))
        for _ in range(rng.randint(1, 2)):
            if len(chars) > 3:
                i = rng.randrange(len(chars))
                op = rng.random()
                if op < 0.4:
                    chars[i] = rng.choice("aeiouhkmnrst")
                elif op < 0.7:
                    del chars[i]
                else:
                    chars.insert(i, chars[i])
        out.append("".join(chars))
    return out


def rss_bytes() -> int:
    """Resident set size of this process (Linux), else 0."""
    try:
        import os

        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def synthetic_set(real: TrainingSet, rng: random.Random, n_labels: int = 200, per_label: int = 50) -> TrainingSet:
    """n_labels × per_label examples: each recombines the words of three real examples of one real label (the
    same language) and adds two of the synthetic label's own signature words."""
    by_label: dict[tuple[str, str], list[list[str]]] = {}
    for e in real.examples:
        if e.testable:
            by_label.setdefault((e.label, e.lang), []).append(e.text.split())
    keys = sorted(by_label)
    vocab = sorted({w for words in (x for v in by_label.values() for x in v) for w in words})
    examples = []
    for j in range(n_labels):
        label = f"synthetic_{j:03d}"
        signature = rng.sample(vocab, 8)
        base = keys[j % len(keys)]
        for i in range(per_label):
            pool = [w for words in rng.sample(by_label[base], min(3, len(by_label[base]))) for w in words]
            words = rng.sample(pool, min(len(pool), rng.randint(4, 9))) + rng.sample(signature, 2)
            rng.shuffle(words)
            examples.append(Example(" ".join(words), label, base[1], f"{label}#{i}", "examples"))
    topic_ids = tuple(sorted({e.label for e in examples}))
    return TrainingSet(tuple(examples), topic_ids, files_hash=f"synthetic-{rng.random()}")


def bench_real(quick: bool) -> None:
    rng = random.Random(7)
    base = kb_mod.load(ROOT / "locales")
    start = time.perf_counter()
    training = load_training(ROOT / "locales", base)
    load_s = time.perf_counter() - start
    print(f"[real] {len(base.topics)} topics, {len(training.examples)} training examples "
          f"({sum(e.testable for e in training.examples)} messages), read in {load_s:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        clf = Classifier.load_or_train(training, Path(tmp), n_jobs=2)
        cold = time.perf_counter() - start
        path = Path(tmp) / f"{training.content_hash()}.joblib"
        size = path.stat().st_size
        del clf
        gc.collect()
        rss0 = rss_bytes()
        tracemalloc.start()
        start = time.perf_counter()
        clf = Classifier.load_or_train(training, Path(tmp))
        cached = time.perf_counter() - start
        traced, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss1 = rss_bytes()
    assert clf.loaded_from_cache
    print(f"  training: cold {cold:.1f} s (5-fold CV + final fit, 2 jobs) | cached {cached * 1000:.0f} ms "
          f"({size / 1e6:.1f} MB file) | ratio {cold / cached:.0f}x")
    print(f"  memory of the loaded model: {traced / 1e6:.1f} MB traced (peak {peak / 1e6:.1f} MB while loading), "
          f"RSS +{(rss1 - rss0) / 1e6:.1f} MB; coefficients {clf.model._coef.nbytes / 1e6:.1f} MB "
          f"({clf.model._coef.shape[0]} features x {clf.model._coef.shape[1]} labels, float32)")
    matcher = TrainedMatcher(base, clf)
    messages = [e.text for e in training.examples if e.testable]
    queries = with_typos(messages, rng, N_QUERIES)
    choices = [q for t in base.topics.values() for x in t.texts.values() for q in x.questions]
    for q in queries[:100]:  # warm-up: caches, lazy imports
        matcher.match(q)
        process.extractOne(q, choices)
    floor = timed(lambda q: process.extractOne(q, choices), queries)
    print(f"  {len(queries)} messages with typos; floor: extractOne over {len(choices)} example questions")
    report("predict", timed(clf.predict, queries), floor)
    report("TrainedMatcher.match", timed(matcher.match, queries), floor)
    if not quick:
        bench_synthetic(training, rng)


def bench_synthetic(real: TrainingSet, rng: random.Random) -> None:
    synth = synthetic_set(real, rng)
    labels = len({e.label for e in synth.examples})
    print(f"[synthetic] {len(synth.examples)} examples over {labels} labels, recombined from the real examples")
    start = time.perf_counter()
    clf = Classifier.train(synth, k=2, n_jobs=2)
    cold = time.perf_counter() - start
    print(f"  training: cold {cold:.1f} s (2-fold CV + final fit, 2 jobs); "
          f"coefficients {clf.model._coef.nbytes / 1e6:.1f} MB; CV top-1 {clf.cv_report.overall.top1:.1%}")
    texts = [e.text for e in synth.examples]
    queries = with_typos(texts, rng, N_QUERIES // 3)  # the floor costs ~13 ms a message here
    for q in queries[:100]:
        clf.predict(q)
        process.extractOne(q, texts)
    floor = timed(lambda q: process.extractOne(q, texts), queries)
    print(f"  {len(queries)} messages with typos; floor: extractOne over the {len(texts)} texts")
    report("predict", timed(clf.predict, queries), floor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the synthetic 10,000-example training")
    args = parser.parse_args()
    start = time.perf_counter()
    bench_real(args.quick)
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
