"""Complaints benchmark, with floors measured in the same run. Run: ``.venv/bin/python benchmarks/complaints_bench.py``.

1. Filing: complete intakes (one-shot form → who → anonymous → employer → agent → yes, 6 turns) through the real
   service on a SQLite file, as turns per second, against the floor of the same number of FAQ turns ("hello").
2. Tracking: ``STATUS <ticket>`` turns per second against the same FAQ-turn floor.
3. Parsing: one-shot form reads per second against a bare ``normalize()`` of the same texts.

Bounded: about 20 seconds on two cores. Prints ratios, asserts nothing.
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from helpline.complaints import parse, policy, references  # noqa: E402
from helpline.messages import InboundMessage  # noqa: E402
from helpline.pipeline import run_turn  # noqa: E402
from helpline.wiring import build_core  # noqa: E402
from helpline.storage.db import make_engine, make_session_factory, upgrade  # noqa: E402
from helpline.text import normalize  # noqa: E402

N_COMPLAINTS = 60
_ids = itertools.count()


def _turn(sessions, core, address: str, text: str) -> str:
    msg = InboundMessage(channel="sms", address=address, text=text, provider_id=f"b{next(_ids)}")
    return "\n".join(p for r in run_turn(sessions, msg, core).replies for p in r.paragraphs)


def main() -> None:
    """Run the three measurements and print them."""
    core = build_core()
    core.config = {**core.config, "complaints.policy": policy.Policy(pepper=b"bench")}
    ticks = itertools.count()
    start = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)
    core = dataclasses.replace(core, clock=lambda: start + timedelta(seconds=next(ticks)))
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        sessions = make_session_factory(engine)
        script = ["complaint wages Dubai salary not paid for 4 months", "1", "2", "skip", "skip", "yes"]
        t0 = time.perf_counter()
        tickets = []
        for i in range(N_COMPLAINTS):
            for line in script:
                reply = _turn(sessions, core, f"tel:+9230{i:08d}", line)
            tickets.append(next(w for w in reply.split() if references.parse(w)[0] and "-" in w))
        filing = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i, ticket in enumerate(tickets):
            _turn(sessions, core, f"tel:+9230{i:08d}", f"STATUS {ticket}")
        tracking = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i in range(N_COMPLAINTS * len(script)):
            _turn(sessions, core, f"tel:+9231{i % N_COMPLAINTS:08d}", "hello")
        floor = time.perf_counter() - t0
        engine.dispose()
    n_filing = N_COMPLAINTS * len(script)
    per_faq = floor / n_filing
    print(f"filing: {n_filing / filing:.0f} turns/s ({N_COMPLAINTS / filing:.1f} complaints/s) | "
          f"FAQ 'hello' floor {1 / per_faq:.0f} turns/s | ratio {filing / n_filing / per_faq:.2f}x")
    print(f"tracking: {N_COMPLAINTS / tracking:.0f} STATUS turns/s | ratio {tracking / N_COMPLAINTS / per_faq:.2f}x")
    texts = ["COMPLAINT wages Saudi Arabia not paid 3 months", "shikayat tankhwah saudia 3 mahine se nahi mili",
             "شکایت تنخواہ سعودیہ ۳ مہینے سے نہیں ملی", "complaint my brother is in jail in Riyadh"] * 250
    t0 = time.perf_counter()
    for t in texts:
        parse.one_shot(t)
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    for t in texts:
        normalize(t)
    bare = time.perf_counter() - t0
    print(f"one-shot parse: {len(texts) / ours:.0f}/s | normalize() floor {len(texts) / bare:.0f}/s | "
          f"ratio {ours / bare:.1f}x")


if __name__ == "__main__":
    main()
