"""Migration 0012 (privacy at rest): identity numbers and drafts written before it are encrypted by the upgrade,
and decrypted again by the downgrade."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import text

from helpline import crypto
from helpline.storage.db import downgrade, make_engine, upgrade

CNIC, PASSPORT = "3520298765431", "AB7654321"


def test_0012_encrypts_what_was_there_and_downgrades(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine, "0011")
        now = datetime(2026, 12, 1, tzinfo=timezone.utc)
        draft = {"lang": "en", "flow": "complaint", "complaint_draft": {"cnic": CNIC, "name": "Aslam"}}
        with engine.begin() as db:
            db.execute(text("INSERT INTO contacts (address, channel, opted_out, created_at, last_seen_at) "
                            "VALUES ('tel:+923001234567', 'sms', false, :now, :now)"), {"now": now})
            db.execute(text("INSERT INTO conversations (contact_id, state, updated_at) VALUES (1, :s, :now)"),
                       {"s": json.dumps(draft), "now": now})
            db.execute(text(
                "INSERT INTO complaints (reference, draft_key, contact_id, channel, lang, category, description, "
                "affected, worker_cnic, worker_passport, anonymous, status, urgent, responsible_body, created_at, "
                "updated_at) VALUES ('K7M4XQY', 'd1', 1, 'sms', 'en', 'wages', 'unpaid', 'self', :c, :p, false, "
                "'new', false, 'CWA', :now, :now)"), {"c": CNIC, "p": PASSPORT, "now": now})
        upgrade(engine, "0012")
        ring = crypto.keyring()
        with engine.connect() as db:
            cnic, passport, index = db.execute(text(
                "SELECT worker_cnic, worker_passport, worker_cnic_index FROM complaints")).one()
            state = db.execute(text("SELECT state FROM conversations")).scalar_one()
        state = json.loads(state) if isinstance(state, str) else state
        assert ring.decrypt(cnic) == CNIC and ring.decrypt(passport) == PASSPORT and CNIC not in cnic
        assert index == crypto.cnic_index(CNIC)
        assert "complaint_draft" not in state and "Aslam" not in json.dumps(state) and state["flow"] == "complaint"
        assert crypto.open_state(state) == draft
        downgrade(engine, "0011")
        with engine.connect() as db:
            assert db.execute(text("SELECT worker_cnic, worker_passport FROM complaints")).one() == (CNIC, PASSPORT)
            state = db.execute(text("SELECT state FROM conversations")).scalar_one()
        assert (json.loads(state) if isinstance(state, str) else state) == draft
    finally:
        engine.dispose()
