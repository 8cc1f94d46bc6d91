"""A turn's short road through the outbox: rows enqueued already leased (``claim_for``), sent by ``deliver_now``.

The cost is the point: one pre-claimed reply is two UPDATEs (the outbox row, its message-log row) and one commit
for the whole batch. Outcomes other than "sent" are recorded as the worker records them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta

from sqlalchemy import select

from helpline.errors import SendFailed
from helpline.outbox import (LEASE, MAX_ATTEMPTS, Claimed, OutboxMessage, Outgoing, backoff, claim, deliver_due,
                             deliver_now, enqueue)
from helpline.outbox.delivery import SEND_MARGIN
from helpline.storage.models import Contact, Message
from tests.conftest import FIXED_NOW
from tests.factories import make_contact
from tests.fakes.senders import RecordingSender
from tests.sql_count import count_sql

NOW = FIXED_NOW
W = "turn-worker"


@dataclass
class FailingSender:
    """Refuses every message with one error, like a provider would."""

    error: SendFailed
    channel: str = "telegram"
    unreachable_codes: frozenset[str] = frozenset({"403"})
    opt_out_codes: frozenset[str] = frozenset({"21610"})
    tried: list[Outgoing] = field(default_factory=list)

    def send(self, item: Outgoing) -> str:
        self.tried.append(item)
        raise self.error


def _turn(session_factory, texts: list[str], *, claim_for: str | None = W, address: str = "telegram:42",
          **contact_kw) -> list[Claimed]:
    """What a turn does: write its replies in its transaction (leased to ``claim_for``), snapshot them, commit."""
    with session_factory.begin() as s:
        contact = make_contact(s, address, "telegram", **contact_kw)
        rows = [enqueue(s, contact, [text], kind="reply", lang="en", now=NOW, claim_for=claim_for,
                        menu=[("menu.main", "Main menu")]) for text in texts]
        return [Claimed.of(row) for row in rows]


def _state(session_factory) -> list[tuple[str, int, str | None, str | None, str | None]]:
    """Each outbox row's status, attempts, error code and provider id, with its message-log status."""
    with session_factory() as s:
        return [(row.status, row.attempts, row.error_code, row.provider_id, s.get(Message, row.message_id).status)
                for row in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_a_claimed_row_is_written_leased_to_its_caller(session_factory):
    [item] = _turn(session_factory, ["hello"])
    with session_factory() as s:
        row = s.get(OutboxMessage, item.id)
        assert (row.status, row.lease_owner, row.attempts) == ("sending", W, 1)
        assert row.lease_until.replace(tzinfo=NOW.tzinfo) == NOW + LEASE
        assert s.get(Message, row.message_id).status == "queued"
    assert (item.owner, item.item.attempt, item.item.paragraphs) == (W, 1, ("hello",))
    assert item.item.menu == (("menu.main", "Main menu"),)
    assert claim(session_factory, "other", NOW) == []  # nobody else takes it while the lease runs
    assert claim(session_factory, "other", NOW + LEASE + timedelta(seconds=1)) == [item.id]  # the caller died


def test_one_claimed_reply_costs_two_statements_and_one_commit(engine, session_factory):
    [item] = _turn(session_factory, ["hello"])
    sender = RecordingSender("telegram")
    with count_sql(engine) as sql:
        stats = deliver_now(session_factory, {"telegram": sender}, [item], NOW, worker=W)
    assert stats.sent == 1 and [m.paragraphs for m in sender.sent] == [("hello",)]
    assert sql.statements <= 2 and sql.commits == 1, str(sql)
    assert _state(session_factory) == [("sent", 1, None, f"rec-{item.id}", "sent")]
    with session_factory() as s:
        row = s.get(OutboxMessage, item.id)
        assert row.lease_owner is None and row.lease_until is None and row.sent_at is not None
        assert s.get(Message, row.message_id).provider_id == f"rec-{item.id}"


def test_a_batch_of_claimed_replies_shares_one_commit(engine, session_factory):
    items = _turn(session_factory, ["one", "two", "three"])
    sender = RecordingSender("telegram")
    with count_sql(engine) as sql:
        stats = deliver_now(session_factory, {"telegram": sender}, items, NOW, worker=W)
    assert stats.sent == 3 and [m.paragraphs[0] for m in sender.sent] == ["one", "two", "three"]
    assert sql.statements <= 2 * 3 and sql.commits == 1, str(sql)
    assert [s[0] for s in _state(session_factory)] == ["sent"] * 3


def test_plain_ids_of_rows_leased_to_the_caller_are_taken_together(engine, session_factory):
    items = _turn(session_factory, ["one", "two"])
    sender = RecordingSender("telegram")
    with count_sql(engine) as sql:
        stats = deliver_now(session_factory, {"telegram": sender}, [i.id for i in items], NOW, worker=W)
    assert stats.sent == 2
    assert sql.statements <= 2 + 2 * 2 and sql.commits == 2, str(sql)
    assert [(s[0], s[1]) for s in _state(session_factory)] == [("sent", 1)] * 2  # not a second attempt


def test_plain_ids_of_queued_rows_are_claimed_and_sent(engine, session_factory):
    items = _turn(session_factory, ["one", "two"], claim_for=None)
    assert all(i.owner is None for i in items)
    sender = RecordingSender("telegram")
    with count_sql(engine) as sql:
        stats = deliver_now(session_factory, {"telegram": sender}, [i.id for i in items], NOW, worker="w")
    assert stats.sent == 2 and sql.statements <= 2 + 2 * 2 and sql.commits == 2, str(sql)
    assert [(s[0], s[1]) for s in _state(session_factory)] == [("sent", 1)] * 2


def test_an_unleased_snapshot_is_claimed_like_an_id(session_factory):
    items = _turn(session_factory, ["one"], claim_for=None)
    sender = RecordingSender("telegram")
    assert deliver_now(session_factory, {"telegram": sender}, items, NOW, worker=W).sent == 1
    assert [s[0] for s in _state(session_factory)] == ["sent"]


def test_rows_held_by_another_worker_are_left_alone(session_factory):
    items = _turn(session_factory, ["one"], claim_for="someone-else")
    sender = RecordingSender("telegram")
    assert deliver_now(session_factory, {"telegram": sender}, items, NOW, worker=W).total == 0
    assert deliver_now(session_factory, {"telegram": sender}, [items[0].id], NOW, worker=W).total == 0
    assert sender.sent == [] and [s[0] for s in _state(session_factory)] == ["sending"]


def test_an_id_of_a_row_already_sent_sends_nothing(session_factory):
    items = _turn(session_factory, ["one"])
    sender = RecordingSender("telegram")
    deliver_now(session_factory, {"telegram": sender}, items, NOW, worker=W)
    assert deliver_now(session_factory, {"telegram": sender}, [items[0].id], NOW, worker=W).total == 0
    assert len(sender.sent) == 1  # (a snapshot is a one-time ticket: it is not read back, so it is not reused)


def test_an_opted_out_contact_gets_a_queued_row_that_is_skipped(session_factory):
    items = _turn(session_factory, ["one"], opted_out=True)
    assert items[0].owner is None  # not leased: the ordinary road, which skips it
    sender = RecordingSender("telegram")
    assert deliver_now(session_factory, {"telegram": sender}, items, NOW, worker=W).skipped == 1
    assert sender.sent == [] and _state(session_factory) == [("skipped", 1, None, None, "skipped")]


def test_a_retryable_failure_goes_back_to_the_queue_with_backoff(engine, session_factory):
    items = _turn(session_factory, ["one"])
    sender = FailingSender(SendFailed("timed out", retryable=True, code="timeout"))
    with count_sql(engine) as sql:
        stats = deliver_now(session_factory, {"telegram": sender}, items, NOW, worker=W)
    assert stats.retried == 1 and sql.statements <= 2 and sql.commits == 1, str(sql)
    assert _state(session_factory) == [("queued", 1, "timeout", None, "queued")]
    with session_factory() as s:
        row = s.get(OutboxMessage, items[0].id)
        assert row.next_attempt_at.replace(tzinfo=NOW.tzinfo) == NOW + backoff(1) and row.lease_owner is None
    later = RecordingSender("telegram")
    assert deliver_due(session_factory, {"telegram": later}, NOW + backoff(1), worker="w").sent == 1
    assert _state(session_factory)[0][:2] == ("sent", 2)


def test_a_contact_blocked_since_the_turn_is_skipped_when_claimed_by_id(session_factory):
    items = _turn(session_factory, ["one"], claim_for=None)
    with session_factory.begin() as s:
        s.scalars(select(Contact)).one().unreachable_at = NOW
    sender = RecordingSender("telegram")
    assert deliver_now(session_factory, {"telegram": sender}, [items[0].id], NOW, worker=W).skipped == 1
    assert sender.sent == [] and _state(session_factory) == [("skipped", 1, None, None, "skipped")]


def test_a_permanent_failure_is_final_and_403_marks_the_contact_unreachable(session_factory):
    items = _turn(session_factory, ["one", "two"])
    sender = FailingSender(SendFailed("forbidden: bot was blocked by the user", retryable=False, code="403"))
    stats = deliver_now(session_factory, {"telegram": sender}, items, NOW, worker=W)
    assert stats.failed == 2
    assert _state(session_factory) == [("failed", 1, "403", None, "failed")] * 2
    with session_factory() as s:
        assert s.scalars(select(Contact)).one().unreachable_at is not None


def test_an_opt_out_code_marks_the_contact_opted_out(session_factory):
    items = _turn(session_factory, ["one"])
    sender = FailingSender(SendFailed("unsubscribed", retryable=False, code="21610"))
    deliver_now(session_factory, {"telegram": sender}, items, NOW, worker=W)
    with session_factory() as s:
        contact = s.scalars(select(Contact)).one()
        assert contact.opted_out and contact.opted_out_at is not None


def test_retries_run_out_after_max_attempts(session_factory):
    items = _turn(session_factory, ["one"])
    with session_factory.begin() as s:  # as if this were the last allowed attempt
        s.get(OutboxMessage, items[0].id).attempts = MAX_ATTEMPTS
    item = replace(items[0], item=replace(items[0].item, attempt=MAX_ATTEMPTS))
    sender = FailingSender(SendFailed("timed out", retryable=True, code="timeout"))
    assert deliver_now(session_factory, {"telegram": sender}, [item], NOW, worker=W).failed == 1
    assert _state(session_factory)[0][0] == "failed"


def test_a_lease_about_to_end_is_renewed_before_the_send(engine, session_factory):
    [item] = _turn(session_factory, ["one"])
    late = item.lease_until - SEND_MARGIN + timedelta(seconds=1)
    sender = RecordingSender("telegram")
    with count_sql(engine) as sql:
        assert deliver_now(session_factory, {"telegram": sender}, [item], late, worker=W).sent == 1
    assert "lease_until" in sql.sql[0] and sql.commits == 2  # renewed (and read) first, as the worker does
    assert [s[0] for s in _state(session_factory)] == ["sent"]


def test_an_expired_lease_taken_by_a_worker_is_not_sent_twice(session_factory):
    [item] = _turn(session_factory, ["one"])
    later = NOW + LEASE + timedelta(seconds=1)
    assert claim(session_factory, "worker", later) == [item.id]
    sender = RecordingSender("telegram")
    assert deliver_now(session_factory, {"telegram": sender}, [item], later, worker=W).total == 0
    assert sender.sent == []


def test_a_send_recorded_after_its_lease_was_taken_over_stops_the_second_send(session_factory):
    from helpline.outbox.delivery import DeliveryStats, _deliver_one

    [item] = _turn(session_factory, ["one"])
    with session_factory.begin() as s:  # as if the lease had run out mid-send and a worker had claimed the row
        s.get(OutboxMessage, item.id).lease_owner = "worker"
    sender = RecordingSender("telegram")
    assert deliver_now(session_factory, {"telegram": sender}, [item], NOW, worker=W).sent == 1
    stats = DeliveryStats()
    _deliver_one(session_factory, {"telegram": sender}, item.id, NOW, "worker", stats)
    assert stats.total == 0 and len(sender.sent) == 1  # the worker's lease renewal fails: not sent again
    assert _state(session_factory) == [("sent", 1, None, f"rec-{item.id}", "sent")]


def test_a_failure_after_the_lease_was_taken_over_is_left_to_the_new_owner(session_factory):
    [item] = _turn(session_factory, ["one"])
    with session_factory.begin() as s:
        s.get(OutboxMessage, item.id).lease_owner = "worker"
    sender = FailingSender(SendFailed("timed out", retryable=True, code="timeout"))
    assert deliver_now(session_factory, {"telegram": sender}, [item], NOW, worker=W).retried == 1
    with session_factory() as s:
        row = s.get(OutboxMessage, item.id)
        assert (row.status, row.lease_owner, row.error_code) == ("sending", "worker", None)


def test_a_dedupe_hit_keeps_its_first_lease(session_factory):
    with session_factory.begin() as s:
        contact = make_contact(s, "telegram:7", "telegram")
        first = enqueue(s, contact, ["x"], kind="case_update", lang="en", now=NOW, dedupe_key="k", claim_for=W)
        again = enqueue(s, contact, ["x"], kind="case_update", lang="en", now=NOW, dedupe_key="k", claim_for="other")
        assert again.id == first.id and again.lease_owner == W
