"""Redeliveries racing first contacts: 240 concurrent deliveries (24 new workers, each message delivered 10 times
at once) → one contact and one turn per message, every delivery answered 200, never a 500."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from helpline.storage.models import Contact, Message
from tests.harness import Sms, new_sid, reply_text

WORKERS = 24
COPIES = 10


def test_redeliveries_racing_first_contacts_are_duplicates_never_500(app):
    forms = [Sms(None).form("protector kya hota hai", sid=new_sid(), sender=f"+9230055{n:05d}")  # type: ignore[arg-type]
             for n in range(WORKERS)]
    deliveries = [form for form in forms for _ in range(COPIES)]
    start = threading.Barrier(24)

    def deliver(form: dict[str, str]) -> tuple[str, int, str]:
        client = app.test_client()
        try:
            start.wait(timeout=10)
        except threading.BrokenBarrierError:
            pass
        response = Sms(client).post(form)
        return form["From"], response.status_code, reply_text(response.get_data(as_text=True))

    with ThreadPoolExecutor(max_workers=24) as pool:
        results = list(pool.map(deliver, deliveries))
    assert {status for _, status, _ in results} == {200}
    for sender in {s for s, _, _ in results}:  # every copy of one message gets the one stored answer
        assert len({text for s, _, text in results if s == sender}) == 1
    with app.extensions["helpline"].sessions() as s:
        assert s.scalar(select(func.count()).select_from(Contact)) == WORKERS
        assert s.scalar(select(func.count()).select_from(Message).where(Message.direction == "in")) == WORKERS
        assert s.scalar(select(func.count()).select_from(Message).where(Message.direction == "out")) == WORKERS
