"""A claim takes at most its limit of due rows, on SQLite and on PostgreSQL (where ``UPDATE … WHERE id IN
(SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`` took every due row: the subquery ran again for each row updated,
skipping the rows the statement had just locked)."""

from __future__ import annotations

from helpline.outbox import claim, enqueue
from tests.conftest import FIXED_NOW
from tests.factories import make_contact


def test_a_claim_takes_at_most_its_limit_and_the_next_claim_the_next_rows(session_factory) -> None:
    with session_factory.begin() as s:
        contact = make_contact(s)
        ids = [enqueue(s, contact, [f"m{n}"], kind="case_update", lang="en", now=FIXED_NOW).id for n in range(5)]
    assert claim(session_factory, "w1", FIXED_NOW, limit=1) == ids[:1]
    assert claim(session_factory, "w2", FIXED_NOW, limit=3) == ids[1:4]
    assert claim(session_factory, "w3", FIXED_NOW, limit=50) == ids[4:]
    assert claim(session_factory, "w4", FIXED_NOW, limit=50) == []
