"""Benchmarks for the conversation core, with floors measured in the same run. Run: ``make bench``.

1. FAQ matcher, time per message, against a bare ``rapidfuzz.process.extractOne`` over the same example
   questions (goal: ≤ 3×), on the real knowledge base and on a synthetic 10,000-question base (goal: p99 ≤ 5 ms).
2. Engine + storage turns per second on SQLite, against a floor of one bare insert-and-commit per turn on the
   same kind of database file.

Bounded: a few thousand messages in all, about half a minute on two cores. Prints ratios, asserts nothing.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rapidfuzz import process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from helpline import kb as kb_mod  # noqa: E402
from helpline.matcher import Matcher  # noqa: E402
from helpline.messages import LANGUAGES  # noqa: E402

DEV_SET = ROOT.parent / "shared" / "eval" / "faq-dev.tsv"


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
    """Print p50/p99 of both and the ratio of means."""
    ratio = statistics.mean(ours) / statistics.mean(floor)
    print(f"{name}: matcher p50 {pct(ours, 50):.3f} ms, p99 {pct(ours, 99):.3f} ms | "
          f"extractOne p50 {pct(floor, 50):.3f} ms, p99 {pct(floor, 99):.3f} ms | ratio {ratio:.2f}x")


def queries_for(base: kb_mod.KnowledgeBase, rng: random.Random, n: int) -> list[str]:
    """Messages to match: the dev set when present, plus example questions with typos."""
    texts = []
    if DEV_SET.exists():
        texts += [line.split("\t")[0] for line in DEV_SET.read_text("utf-8").splitlines()[1:] if line]
    questions = [q for t in base.topics.values() for x in t.texts.values() for q in x.questions]
    while len(texts) < n:
        q = list(rng.choice(questions))
        for _ in range(2):  # two typos
            if len(q) > 3:
                i = rng.randrange(len(q))
                q[i] = rng.choice("aeiouhkmnrst")
        texts.append("".join(q))
    return texts[:n]


def bench_matcher(name: str, base: kb_mod.KnowledgeBase, queries: list[str]) -> None:
    """Matcher vs bare extractOne over the same example questions, same queries, after one warm-up pass."""
    matcher = Matcher(base)
    choices = [q for t in base.topics.values() for x in t.texts.values() for q in x.questions]
    for q in queries[:50]:  # warm both (caches, lazy imports)
        matcher.match(q)
        process.extractOne(q, choices)
    floor = timed(lambda q: process.extractOne(q, choices), queries)
    ours = timed(matcher.match, queries)
    print(f"[{name}] {len(base.topics)} topics, {len(choices)} example questions, {len(queries)} messages")
    report(name, ours, floor)


def synthetic_base(rng: random.Random, n_topics: int = 500, per_topic: int = 20) -> kb_mod.KnowledgeBase:
    """A knowledge base of n_topics × per_topic questions (10,000 by default) made of pseudo-words."""
    syllables = ["ka", "ri", "mo", "ta", "se", "na", "hu", "pa", "li", "zo", "be", "gar", "tan", "khw", "sh", "dar"]
    vocab = sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(6000)})
    topics = {}
    for i in range(n_topics):
        own = rng.sample(vocab, 12)
        questions = tuple(" ".join(rng.sample(own, 4) + rng.sample(vocab, 3)) for _ in range(per_topic))
        text = kb_mod.TopicText(title=f"topic {i}", questions=questions, keywords={w: 2.0 for w in own[:6]},
                                short="answer", long=None, source="synthetic")
        texts = {"en": text} | {lang: text for lang in LANGUAGES if lang != "en"}
        topics[f"t{i}"] = kb_mod.Topic(id=f"t{i}", urgent=False, related=(), sources=({"ref": "x"},),
                                       texts={"en": texts["en"]})
    return kb_mod.KnowledgeBase(topics=topics, placeholders={})


def bench_turns(n: int = 300) -> None:
    """Engine + storage turns per second on a SQLite file vs a bare insert+commit per turn."""
    from sqlalchemy import text

    from helpline.messages import InboundMessage
    from helpline.service import Core, run_turn
    from helpline.storage import db

    core = Core.load(ROOT / "locales")
    lines = ["salam", "1", "tankhwah 3 mahine se nahi mili", "menu", "passport gum ho gaya", "language", "3",
             "agent ne paise le liye", "شکایت کیسے کروں", "back"]
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.make_engine(f"sqlite:///{tmp}/bench.db")
        db.upgrade(engine)
        sessions = db.make_session_factory(engine)
        start = time.perf_counter()
        for i in range(n):
            msg = InboundMessage(channel="sms", address=f"tel:+92300{i % 20:07d}", text=lines[i % len(lines)],
                                 provider_id=f"SM{i:032d}")
            run_turn(sessions, msg, core)
        ours = n / (time.perf_counter() - start)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE floor (id INTEGER PRIMARY KEY, body TEXT)"))
        start = time.perf_counter()
        for i in range(n):
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO floor (body) VALUES (:b)"), {"b": lines[i % len(lines)]})
        floor = n / (time.perf_counter() - start)
        engine.dispose()
    print(f"[turns] engine+storage on SQLite: {ours:.0f} turns/s | bare insert+commit: {floor:.0f}/s | "
          f"ratio {floor / ours:.1f}x slower than the floor")


def main() -> None:
    rng = random.Random(7)
    real = kb_mod.load(ROOT / "locales")
    bench_matcher("real KB", real, queries_for(real, rng, 600))
    synth = synthetic_base(rng)
    synth_queries = []
    all_q = [q for t in synth.topics.values() for q in t.texts["en"].questions]
    for _ in range(600):
        q = list(rng.choice(all_q))
        i = rng.randrange(len(q))
        q[i] = "x"
        synth_queries.append("".join(q))
    bench_matcher("synthetic 10k", synth, synth_queries)
    bench_turns()


if __name__ == "__main__":
    main()
