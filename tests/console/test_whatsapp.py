"""A staff reply to a WhatsApp worker who last wrote 25 hours ago: held, and the console says why and offers the
approved template that asks the worker to reply; the worker's reply opens the window and the staff's own words go
out as written. The real app, the real WhatsApp sender, the local fake of Twilio's API."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from helpline.outbox import OutboxMessage, deliver_due
from helpline.settings import load_settings
from tests.conftest import FIXED_NOW
from tests.console.conftest import make_complaint, make_contact, post
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.harness import PUBLIC_URL, WA_NUMBER, WhatsApp
from tests.whatsapp.conftest import TEMPLATES, content_sid

WORKER = "whatsapp:+923001234567"
REPLY = "Aap ka passport kal Lahore office se mil jaye ga."


@pytest.fixture
def fake_twilio():
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture(params=[True, False], ids=["templates", "no-templates"])
def templates(request):
    return TEMPLATES if request.param else {}


@pytest.fixture
def app(clean_env, engine, core, fake_twilio, templates) -> Flask:
    """The console and the webhooks, with WhatsApp configured against the fake."""
    from webhooks.app import create_app
    from webhooks.server import build_senders

    settings = load_settings(database_url=engine.url.render_as_string(hide_password=False),
                             secret_key="test-secret-key-for-console-tests", twilio_auth_token=AUTH_TOKEN,
                             twilio_account_sid=ACCOUNT_SID, public_url=PUBLIC_URL, whatsapp_from=WA_NUMBER,
                             whatsapp_templates=templates, twilio_api_url=fake_twilio.url)
    return create_app(settings, core=dataclasses.replace(core), engine=engine, senders=build_senders(settings),
                      config={"TESTING": True})


def deliver(app: Flask, at=FIXED_NOW):
    rt = app.extensions["helpline"]
    return deliver_due(rt.sessions, rt.senders, at, worker="w")


def test_a_staff_reply_outside_the_window_is_held_and_the_console_says_why(app, as_role, session_factory, fake_twilio,
                                                                          templates):
    with session_factory.begin() as s:
        contact = make_contact(s, WORKER, "whatsapp", lang="ur-Latn")
        s.get(type(contact), contact.id).last_seen_at = FIXED_NOW - timedelta(hours=25)
        complaint = make_complaint(s, contact=contact)
        ids = contact.id, complaint.id
    agent = as_role("agent")
    page = f"/staff/contacts/{ids[0]}"
    sent = post(agent, page + "/reply", {"text": REPLY}, follow_redirects=True).get_data(as_text=True)
    assert "24-hour window is closed: your reply is held until the worker writes again" in sent

    stats = deliver(app)
    assert (stats.held, stats.skipped) == (1, 1)  # the reply held; "a person joined you" dropped (stale later)
    assert fake_twilio.requests == []  # nothing free-form, and no template stands in for a staff reply
    html = agent.get(page).get_data(as_text=True)
    assert "held: outside WhatsApp&#39;s 24-hour window (the worker last wrote 25 h ago); no approved template " \
           "can stand in, so nothing was sent: it goes out when the worker writes again" in html
    assert "1 message held" in html and "The worker last wrote 2026-11-24 11:00, more than 24 hours ago" in html
    invite = "Helpline ke staff ne aap ko paigham bheja hai. Use parhne ke liye is paigham ka jawab dein."
    assert invite in html  # the template, in the worker's language
    assert "held: outside WhatsApp" in agent.get(f"/staff/complaints/{ids[1]}").get_data(as_text=True)

    if not templates:
        assert "Send the template" not in html and "is not configured" in html
        assert post(agent, page + "/whatsapp/invite").status_code == 400
        return
    assert "Send the template" in html
    post(agent, page + "/whatsapp/invite", follow_redirects=True)
    assert deliver(app).sent == 1
    [request] = fake_twilio.delivered
    assert request.form["ContentSid"] == content_sid("reply_waiting", "ur-Latn") and "Body" not in request.form
    assert request.form["To"] == WORKER and json.loads(request.form["ContentVariables"]) == {}

    # the worker replies through the signed webhook: the window opens, the staff's words go out as written
    WhatsApp(app.test_client()).messages("ji batayein", sender=WORKER)
    assert deliver(app).sent == 1
    assert fake_twilio.delivered[-1].form["Body"] == REPLY
    with session_factory() as s:
        assert [r.status for r in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))][-2:] == \
            ["sent", "sent"]
    html = agent.get(page).get_data(as_text=True)
    assert "held:" not in html and "Open until" in html


def test_inside_the_window_a_reply_just_goes(app, as_role, session_factory, fake_twilio):
    with session_factory.begin() as s:
        contact = make_contact(s, WORKER, "whatsapp", lang="en")
        s.get(type(contact), contact.id).last_seen_at = FIXED_NOW - timedelta(hours=2)
        contact_id = contact.id
    agent = as_role("agent")
    sent = post(agent, f"/staff/contacts/{contact_id}/reply", {"text": "Hello"}, follow_redirects=True)
    assert "Reply queued for delivery." in sent.get_data(as_text=True)
    assert deliver(app).sent == 2  # "a person joined you" (replying takes the conversation), then the reply
    assert fake_twilio.delivered[-1].form["Body"] == "Hello"
    html = agent.get(f"/staff/contacts/{contact_id}").get_data(as_text=True)
    assert "Open until 2026-11-26 10:00" in html and "Send the template" not in html
