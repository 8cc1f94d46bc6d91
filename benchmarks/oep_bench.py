"""Agent (OEP) lookup benchmark, with floors measured in the same run. Run: ``python benchmarks/oep_bench.py``.

A FICTIONAL list of 5,000 agencies (``helpline.oep.fictional``, seeded) is imported into a temporary SQLite file.
Queries, as workers type them: exact names, names with one or two slips, a name's first word, a name and a city,
names that are not on the list, and licence numbers in odd spellings ("OEP 1234/RWP", "1234-rwp").

1. Lookups per second and p50/p99 per lookup of the whole path from the message: ``read_query`` (licence,
   city, question words) → the in-memory index (rapidfuzz) → ``decide``; in memory, and through the turn's
   source over the database (one query for the registry's version per lookup).
2. Floors: a plain dict lookup of the exact name (what an exact-match check would cost), and
   ``rapidfuzz.process.extractOne`` over the 5,000 raw names (``WRatio``: the obvious fuzzy search).

Goal: p99 ≤ 10 ms per lookup. Bounded (~20 s on two shared cores). Prints figures and ratios, asserts nothing.
"""

from __future__ import annotations

import io
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rapidfuzz import fuzz, process  # noqa: E402

from helpline.oep import fictional  # noqa: E402
from helpline.oep.importer import import_csv  # noqa: E402
from helpline.oep.names import read_query  # noqa: E402
from helpline.oep.source import IndexCache, IndexSource, RegistrySource, lookup  # noqa: E402
from helpline.storage import db  # noqa: E402

AGENCIES = 5_000
QUERIES = 3_000
NOW = datetime(2026, 12, 5, 12, tzinfo=timezone.utc)


def slip(word: str, rng: random.Random) -> str:
    """One typing slip: a letter dropped, doubled or swapped with the next."""
    i = rng.randrange(max(len(word) - 1, 1))
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1:]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1:i + 2] + word[i] + word[i + 2:]


def queries(agencies: list[fictional.Agency], rng: random.Random) -> list[str]:
    out = []
    for _ in range(QUERIES):
        a = rng.choice(agencies)
        first = a.name.split()[0]
        number, code = a.licence_no.split("/")
        out.append(rng.choice([
            a.name, f"is {a.name} licensed?", slip(first, rng), f"{slip(slip(first, rng), rng)} overseas",
            f"{first} {a.city}", f"{first} ka licence check karo", f"OEP {number}/{code}", f"{number}-{code.lower()}",
            f"licence no {number}", f"Blorvaxi{rng.randrange(10**6)} Overseas",
        ]))
    return out


def timed(fn, items) -> tuple[float, list[float]]:
    times = []
    start = time.perf_counter()
    for item in items:
        t = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - t)
    return len(items) / (time.perf_counter() - start), times


def p(times: list[float], q: float) -> float:
    return statistics.quantiles(times, n=100)[int(q) - 1] * 1000 if q < 100 else max(times) * 1000


def main() -> None:
    rng = random.Random(17)
    agencies = fictional.agencies(AGENCIES)
    texts = queries(agencies, rng)
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        db.upgrade(engine)
        sessions = db.make_session_factory(engine)
        t = time.perf_counter()
        report = import_csv(sessions, io.BytesIO(fictional.to_csv(agencies).encode()), now=NOW)
        print(f"import of {AGENCIES:,} fictional agencies: {time.perf_counter() - t:.2f} s ({report.summary()})")
        cache = IndexCache()
        with sessions() as session:
            t = time.perf_counter()
            source = RegistrySource(session, cache, NOW.date())
            print(f"index built from the database: {(time.perf_counter() - t) * 1000:.0f} ms")
            memory = IndexSource(source.index)
            results: dict[str, int] = {}

            def in_memory(text: str) -> None:
                result, _ = lookup(memory, read_query(text))
                results[result] = results.get(result, 0) + 1

            def through_db(text: str) -> None:
                lookup(RegistrySource(session, cache, NOW.date()), read_query(text))

            for text in texts[:200]:  # warm up
                in_memory(text)
            results.clear()
            rate, times = timed(in_memory, texts)
            db_rate, db_times = timed(through_db, texts)
        engine.dispose()
    names = [a.name for a in agencies]
    exact = {a.name.casefold(): a for a in agencies}
    dict_rate, dict_times = timed(lambda text: exact.get(text.casefold()), texts)
    naive_rate, naive_times = timed(lambda text: process.extractOne(text, names, scorer=fuzz.WRatio), texts[:600])

    print(f"\n{QUERIES:,} lookups against {AGENCIES:,} agencies; answers: "
          + ", ".join(f"{k} {v}" for k, v in sorted(results.items())))
    rows = [
        ("lookup from the message, in memory", rate, times),
        ("the same through the turn's source (+1 SQL)", db_rate, db_times),
        ("floor: dict lookup of the exact name", dict_rate, dict_times),
        ("floor: rapidfuzz extractOne over raw names", naive_rate, naive_times),
    ]
    for label, r, ts in rows:
        print(f"{label:46} {r:10,.0f}/s   p50 {p(ts, 50):6.2f} ms   p99 {p(ts, 99):6.2f} ms")
    print(f"\np99 per lookup {p(times, 99):.2f} ms (goal ≤ 10 ms); "
          f"{p(times, 99) / p(naive_times, 99):.2f}x the p99 of extractOne over the raw names, "
          f"{rate / naive_rate:.1f}x its rate; {dict_rate / rate:,.0f}x slower than an exact dict lookup")


if __name__ == "__main__":
    main()
