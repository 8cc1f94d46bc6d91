"""Real processes: `helpline worker` killed with SIGKILL mid-batch loses nothing; `helpline serve` under gunicorn.

Every wait is bounded; nothing asserts a wall-clock time.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from sqlalchemy import select

from helpline.outbox import OutboxMessage, enqueue
from tests.conftest import FIXED_NOW
from tests.factories import make_contact
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN
from tests.serve import helpline_env, helpline_serve
from tests.harness import Sms, new_sid, sign


def _helpline(*args: str) -> list[str]:
    return [sys.executable, "-m", "webhooks.main", *args]


def test_worker_killed_mid_batch_and_restarted_loses_nothing(db_url, engine, session_factory, fake_twilio, tmp_path):
    bodies = [f"case update {n}" for n in range(8)]
    with session_factory.begin() as s:
        for n, body in enumerate(bodies):
            contact = make_contact(s, f"tel:+9230011{n:05d}")
            enqueue(s, contact, [body], kind="case_update", lang="en", now=FIXED_NOW)
    fake_twilio.script(201, 201, 201, "hang")  # the 4th request holds the worker mid-batch
    env = helpline_env(db_url, HELPLINE_TWILIO_ACCOUNT_SID=ACCOUNT_SID, HELPLINE_TWILIO_AUTH_TOKEN=AUTH_TOKEN,
               HELPLINE_TWILIO_FROM="+15005550006", HELPLINE_TWILIO_API_URL=fake_twilio.url,
               HELPLINE_TWILIO_TIMEOUT_SECONDS="1")
    first = subprocess.Popen(_helpline("worker", "--batch", "50", "--lease", "3", "--interval", "0.1"), env=env,
                             cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert fake_twilio.wait_hanging(1, timeout=60), "the worker never reached the hanging request"
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    fake_twilio.release()
    with session_factory() as s:
        assert Counter(s.scalars(select(OutboxMessage.status))) == {"sent": 3, "sending": 5}  # the dead worker's batch
    second = subprocess.run(_helpline("worker", "--drain", "--lease", "3", "--interval", "0.2"), env=env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    with session_factory() as s:
        assert set(s.scalars(select(OutboxMessage.status))) == {"sent"}
    assert Counter(r.form["Body"] for r in fake_twilio.delivered) == Counter(bodies)  # each accepted exactly once
    assert len(fake_twilio.requests) == len(bodies) + 1  # only the request in flight at the kill was repeated


def _queue_one(db_url: str) -> None:
    """A migrated SQLite file with one message waiting in the outbox."""
    from helpline.storage import db

    engine = db.make_engine(db_url)
    db.upgrade(engine)
    with db.make_session_factory(engine).begin() as s:
        enqueue(s, make_contact(s, "tel:+923001112222"), ["Your case was updated."], kind="case_update", lang="en",
                now=FIXED_NOW)
    engine.dispose()


@pytest.mark.parametrize("token", [None, AUTH_TOKEN], ids=["no token yet", "configured"])
def test_serve_on_the_embedded_default_answers_and_stops_on_sigterm(tmp_path, token, fake_twilio):
    db_url = f"sqlite:///{tmp_path / 'helpline.db'}"
    extra = {}
    if token:
        _queue_one(db_url)
        extra = {"HELPLINE_TWILIO_AUTH_TOKEN": token, "HELPLINE_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                 "HELPLINE_TWILIO_FROM": "+15005550006", "HELPLINE_TWILIO_API_URL": fake_twilio.url}
    with helpline_serve(tmp_path, db_url, **extra) as server:
        assert server.get("/healthz") == (200, "ok\n")
        form = Sms(None).form("salam", sid=new_sid())  # type: ignore[arg-type]
        form["MessageSid"] = form["SmsMessageSid"]
        url = server.base + "/webhooks/twilio/sms"
        status, body = server.post_form("/webhooks/twilio/sms", form, {"X-Twilio-Signature": sign(form, url)})
        if token:
            assert status == 200 and "<Message>" in body
            deadline = time.monotonic() + 60  # the in-process outbox thread delivers the queued message
            while not fake_twilio.delivered and time.monotonic() < deadline:
                time.sleep(0.2)
            assert [r.form["Body"] for r in fake_twilio.delivered] == ["Your case was updated."]
        else:
            assert status == 503 and "HELPLINE_TWILIO_AUTH_TOKEN" in body


def test_worker_stops_cleanly_on_sigterm(db_url, engine, fake_twilio, tmp_path):
    env = helpline_env(db_url, HELPLINE_TWILIO_ACCOUNT_SID=ACCOUNT_SID, HELPLINE_TWILIO_AUTH_TOKEN=AUTH_TOKEN,
               HELPLINE_TWILIO_FROM="+15005550006", HELPLINE_TWILIO_API_URL=fake_twilio.url)
    proc = subprocess.Popen(_helpline("worker", "--interval", "0.2"), env=env, cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        line = ""
        while "outbox worker delivering" not in line and time.monotonic() < deadline:
            line = proc.stderr.readline() if proc.stderr else ""
            assert line or proc.poll() is None, "the worker exited early"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "sent 0" in err and "Traceback" not in err
