"""End to end: a complaint filed by signed SMS through the Flask app, then tracked by SMS with its ticket."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from helpline.complaints.models import Complaint
from helpline.settings import Settings, load_settings
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN

from tests import harness


@pytest.fixture
def app(clean_env: None, db_url: str, core: Any, engine: Any) -> Flask:
    """The real app factory with Twilio configured, on the test database."""
    from webhooks.app import create_app

    settings: Settings = load_settings(database_url=db_url, twilio_auth_token=AUTH_TOKEN,
                                       twilio_account_sid=ACCOUNT_SID, public_url=harness.PUBLIC_URL,
                                       twilio_handles_opt_out=False)
    return create_app(settings, core=core, engine=engine)


def test_file_by_sms_and_track_by_sms(app, session_factory):
    sms = harness.Sms(app.test_client())
    assert "Is this complaint about you?" in sms.send("COMPLAINT wages Saudi Arabia not paid 3 months")
    sms.send("1")  # about me
    sms.send("SKIP")  # anonymous
    assert "We understood: Wages unpaid, Saudi Arabia." in sms.send("SKIP")  # against
    filed = sms.send("1")
    assert "Your complaint is filed. Ticket number:" in filed
    ticket = re.search(r"Ticket number: ([A-Z0-9]{3}-[A-Z0-9]{4})", filed).group(1)
    with session_factory() as s:
        [c] = list(s.scalars(select(Complaint)))
    assert c.channel == "sms" and c.country == "SA" and c.anonymous
    status = sms.send(f"status {ticket.lower()}")
    assert f"Complaint {ticket} (Wages unpaid or end-of-service dues): received" in status
    other = sms.send(f"STATUS {ticket}", sender="+923339999999")
    assert "last 4 digits" in other and "Wages" not in other


def test_file_and_track_by_sms_through_helpline_serve(db_url, engine, tmp_path):
    """Issue 5's "done when": filed by SMS through the real server (gunicorn), tracked by SMS with its ticket."""
    from tests.serve import helpline_serve

    def send(body: str, sender: str = harness.WORKER) -> str:
        form = harness.Sms(None).form(body, sender=sender)  # type: ignore[arg-type]
        form["MessageSid"] = form["SmsMessageSid"]
        url = server.base + "/webhooks/twilio/sms"
        status, text = server.post_form("/webhooks/twilio/sms", form,
                                        {"X-Twilio-Signature": harness.sign(form, url)})
        assert status == 200, text
        return harness.reply_text(text)

    settings = {"HELPLINE_TWILIO_AUTH_TOKEN": AUTH_TOKEN, "HELPLINE_TWILIO_HANDLES_OPT_OUT": "false"}
    with helpline_serve(tmp_path, db_url, **settings) as server:
        first = send("shikayat tankhwah saudia 3 mahine se nahi mili")
        assert "Kya ye shikayat aap ke apne baare mein hai?" in first, first
        for answer in ("1", "SKIP"):  # about me, anonymous
            send(answer)
        assert "Tankhwah" in send("SKIP")  # against nobody named: the summary
        filed = send("1")
        match = re.search(r"([A-Z0-9]{3}-[A-Z0-9]{4})", filed)
        assert match, filed
        ticket = match.group(1)
        status = send(f"status {ticket.lower().replace('-', ' ')}")
        assert ticket in status and ("Tankhwah" in status or "Wages" in status), status
        other = send(f"STATUS {ticket}", sender="+923339999999")
        assert "Tankhwah" not in other and "Wages" not in other
