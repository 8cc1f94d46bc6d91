"""Hostile but correctly secret-checked updates through ``POST /webhooks/telegram``: each is a 400 with the reason
(or 200 for what the helpline ignores), nothing is stored, and none is ever a 5xx: Telegram redelivers an update
after a 5xx, so one bad update would come back for ever.

The table names the field; the property test replaces any one field of a recorded update with arbitrary JSON.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from helpline.storage.models import Contact, Message
from tests.telegram.conftest import FIXTURES, post, update


def _with(name: str, path: str, value: Any) -> dict[str, Any]:
    data = update(name)
    *parents, last = path.split(".")
    target = data
    for key in parents:
        target = target[key]
    if value is DROP:
        del target[last]
    else:
        target[last] = value
    return data


DROP = object()
HOSTILE = [
    ("message", "message.chat", DROP, "message.chat is missing"),
    ("message", "message.text", 123, "message.text is not a string"),
    ("message", "message.text", {"$ne": 1}, "message.text is not a string"),
    ("message", "update_id", 10**30, "update_id is out of range"),
    ("message", "message.chat.id", 10**30, "message.chat.id is out of range"),
    ("message", "message.chat.id", 1.5, "message.chat.id is missing or not an integer"),
    ("message", "message.from.id", "1", "message.from.id is missing or not an integer"),
    ("document", "message.document.mime_type", "a/" + "b" * 200, "message.document.mime_type is too long"),
    ("photo_caption", "message.photo", [{"file_id": 7}], "message.photo[0].file_id is not a string"),
    ("callback_query", "callback_query.data", ["faq"], "callback_query.data is not a string"),
    ("callback_query", "callback_query.from", DROP, "callback_query.from is missing"),
    ("my_chat_member", "my_chat_member.chat.id", -(10**20), "my_chat_member.chat.id is out of range"),
]


def _stored(session_factory) -> tuple[int, int]:
    with session_factory() as s:
        return (s.scalar(select(func.count()).select_from(Contact)),
                s.scalar(select(func.count()).select_from(Message)))


@pytest.mark.parametrize(("name", "path", "value", "reason"), HOSTILE, ids=[f"{p}={r}" for _, p, _, r in HOSTILE])
def test_a_hostile_update_is_400_with_the_reason_and_stores_nothing(tg, fake_api, session_factory, name, path,
                                                                    value, reason):
    response = post(tg, _with(name, path, value))
    assert (response.status_code, response.get_data(as_text=True)) == (400, reason + "\n")
    assert _stored(session_factory) == (0, 0)
    assert fake_api.sent() == []


def test_after_a_refused_update_the_next_one_is_answered(tg, fake_api):
    assert post(tg, _with("message", "message.text", 5)).status_code == 400
    assert post(tg, update("message", update_id=804512999)).status_code == 200
    assert fake_api.sent()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=2**52) | st.floats(allow_nan=False)
    | st.text(max_size=30) | st.text(max_size=5000) | st.just("\x00") | st.just(10**400),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
RECORDED = sorted(p.stem for p in FIXTURES.glob("*.json"))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            found += _paths(inner, (*prefix, n))
    return found


_ids = iter(range(30_000_000, 40_000_000))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(RECORDED), st.data())
def test_any_one_field_of_a_recorded_update_replaced_is_200_or_400(tg, name, data):
    body = update(name, update_id=next(_ids))
    path = data.draw(st.sampled_from([p for p in _paths(body) if p != ("update_id",)]))
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = data.draw(JSON)
    raw = json.dumps(copy.deepcopy(body), ensure_ascii=False).encode("utf-8", "surrogatepass")
    response = post(tg, None, raw=raw)
    assert response.status_code in (200, 400), (path, response.status_code, response.get_data(as_text=True))


def test_redeliveries_racing_first_contacts_are_duplicates_never_500(tg_app, fake_api, session_factory):
    """12 new chats, each update delivered 8 times at once: one turn and one set of replies per update."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from helpline.outbox import OutboxMessage

    bodies = [update("message", update_id=50_000 + n, chat=880_000 + n) for n in range(12)]
    start = threading.Barrier(16)

    def deliver(body: dict[str, Any]) -> int:
        client = tg_app.test_client()
        try:
            start.wait(timeout=10)
        except threading.BrokenBarrierError:
            pass
        return post(client, body).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(deliver, [body for body in bodies for _ in range(8)]))
    assert set(statuses) == {200}
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Contact)) == 12
        assert s.scalar(select(func.count()).select_from(Message).where(Message.direction == "in")) == 12
        rows = s.scalar(select(func.count()).select_from(OutboxMessage))
    assert len(fake_api.sent()) == rows  # every reply sent exactly once
    assert {int(c.params["chat_id"]) for c in fake_api.sent()} == {880_000 + n for n in range(12)}
