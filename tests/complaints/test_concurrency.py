"""Eight concurrent confirmations of one draft file exactly one complaint (PostgreSQL row locks, SQLite one writer)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from helpline.complaints.models import Complaint
from helpline.messages import InboundMessage
from helpline.pipeline import run_turn
from tests.complaints.conftest import Chat


def test_eight_concurrent_yes_file_one_complaint(db_url, session_factory, ccore):
    chat = Chat(session_factory, ccore)
    chat.script([("complaint wages Dubai salary not paid for 4 months", ["Is this complaint about you?"]),
                 ("1", ["in one message"]), ("skip", ["Who is it against?"]), ("skip", ["We understood:"])])
    barrier = threading.Barrier(8)
    results, errors = [], []

    def confirm(i: int) -> None:
        msg = InboundMessage(channel="sms", address=chat.address, text="yes", provider_id=f"yes-{i}")
        barrier.wait()
        try:
            results.append(run_turn(session_factory, msg, ccore))
        except Exception as exc:  # noqa: BLE001 - the test reports any failure below
            errors.append(exc)

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == [] and len(results) == 8
    with session_factory() as s:
        assert s.scalar(select(func.count(Complaint.id))) == 1
    filed = [r for r in results if any("Ticket number:" in p for reply in r.replies for p in reply.paragraphs)]
    assert len(filed) == 1
