"""Migration 0009 (handoff urgency and unread marks): existing handoffs survive as not urgent and read; downgrade
drops the columns again."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import inspect, text

from helpline.storage.db import downgrade, make_engine, upgrade

NEW = {"urgent", "urgent_reason", "urgent_at", "last_worker_message_id", "last_worker_message_at", "seen_at"}


def test_0009_keeps_existing_handoffs_and_downgrades(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine, "0008")
        now = datetime(2026, 12, 1, tzinfo=timezone.utc)
        with engine.begin() as db:
            db.execute(text("INSERT INTO contacts (address, channel, opted_out, created_at, last_seen_at) "
                            "VALUES ('tel:+923001234567', 'sms', false, :now, :now)"), {"now": now})
            db.execute(text("INSERT INTO handoffs (contact_id, status, requested_at) VALUES (1, 'waiting', :now)"),
                       {"now": now})
        upgrade(engine)
        assert NEW <= {c["name"] for c in inspect(engine).get_columns("handoffs")}
        with engine.connect() as db:
            assert db.execute(text("SELECT urgent, seen_at FROM handoffs")).one() == (False, None)
        downgrade(engine, "0008")
        assert not NEW & {c["name"] for c in inspect(engine).get_columns("handoffs")}
        with engine.connect() as db:
            assert db.execute(text("SELECT status FROM handoffs")).scalar_one() == "waiting"
    finally:
        engine.dispose()
