"""100 concurrent deliveries of one MessageSid → one turn, on SQLite and PostgreSQL, everyone the same answer.

On SQLite the writers queue on the database lock (``busy_timeout`` 5 s, storage/db.py) and the losers hit the
unique constraint; on PostgreSQL they block on the unique index until the winner commits. Either way the
service reports them as duplicates and the webhook answers with the stored reply.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from helpline.storage.models import Contact, Conversation, Message
from tests.harness import Sms, new_sid, reply_text

DELIVERIES = 100


def test_one_message_sid_delivered_100_times_at_once_is_one_turn(app):
    form = Sms(None).form("protector kya hota hai", sid=new_sid())  # type: ignore[arg-type]
    start = threading.Barrier(20)

    def deliver(_: int) -> tuple[int, str]:
        client = app.test_client()
        try:
            start.wait(timeout=10)
        except threading.BrokenBarrierError:
            pass
        response = Sms(client).post(form)
        return response.status_code, reply_text(response.get_data(as_text=True))

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(deliver, range(DELIVERIES)))
    assert {status for status, _ in results} == {200}
    answers = {text for _, text in results}
    assert len(answers) == 1 and answers.pop()  # the worker never gets two different answers
    with app.extensions["helpline"].sessions() as s:
        assert s.scalar(select(func.count()).select_from(Message).where(Message.direction == "in")) == 1
        assert s.scalar(select(func.count()).select_from(Message).where(Message.direction == "out")) == 1
        assert s.scalar(select(func.count()).select_from(Contact)) == 1
        assert s.scalars(select(Conversation.state)).one()["turns"] == 1
