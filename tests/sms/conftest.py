"""SMS fixtures: a web app on the parametrized database with Twilio configured, and signed requests."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator

from helpline.settings import Settings, load_settings
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN

PUBLIC_URL = "https://helpline.example.org"
WORKER = "+923001234567"
OUR_NUMBER = "+15005550006"
_sids = itertools.count(1)


def new_sid(prefix: str = "SM") -> str:
    """A fresh, well-formed 34-character message sid."""
    return f"{prefix}{next(_sids):032x}"


def sign(form: dict[str, str], url: str, token: str = AUTH_TOKEN) -> str:
    """Twilio's signature of ``form`` posted to ``url``, computed by Twilio's own validator."""
    return RequestValidator(token).compute_signature(url, form)


@pytest.fixture
def sms_settings(clean_env: None, db_url: str) -> Settings:
    """Twilio configured, replies to keywords our own (Twilio's opt-out handling off), the public URL set."""
    return load_settings(database_url=db_url, twilio_auth_token=AUTH_TOKEN, twilio_account_sid=ACCOUNT_SID,
                         public_url=PUBLIC_URL, twilio_handles_opt_out=False)


@pytest.fixture
def app(sms_settings: Settings, core: Any, engine: Any) -> Flask:
    """The real app factory on the test database (already migrated)."""
    from webhooks.app import create_app

    return create_app(sms_settings, core=core, engine=engine)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


class Sms:
    """Sends signed inbound SMS webhooks like Twilio does."""

    def __init__(self, client: FlaskClient, url: str = PUBLIC_URL + "/webhooks/twilio/sms"):
        self.client, self.url = client, url

    def form(self, body: str, *, sid: str | None = None, sender: str = WORKER, **extra: str) -> dict[str, str]:
        """A realistic inbound form."""
        return {"ToCountry": "US", "SmsMessageSid": sid or new_sid(), "NumMedia": "0", "ToCity": "", "FromZip": "",
                "SmsSid": sid or "", "FromState": "", "SmsStatus": "received", "FromCity": "", "Body": body,
                "FromCountry": "PK", "To": OUR_NUMBER, "ToZip": "", "NumSegments": "1", "MessageSid": sid or "",
                "AccountSid": ACCOUNT_SID, "From": sender, "ApiVersion": "2010-04-01", **extra}

    def post(self, form: dict[str, str], *, path: str = "/webhooks/twilio/sms", signature: str | None = None,
             **kwargs: Any):
        """POST ``form`` signed for the public URL of ``path`` (or with the given signature)."""
        if not form.get("MessageSid") and form.get("SmsMessageSid"):
            form = {**form, "MessageSid": form["SmsMessageSid"], "SmsSid": form["SmsMessageSid"]}
        sig = signature if signature is not None else sign(form, PUBLIC_URL + path)
        return self.client.post(path, data=form, headers={"X-Twilio-Signature": sig}, **kwargs)

    def send(self, body: str, **kw: Any) -> str:
        """Send one message and return the reply text (all <Message> bodies joined), asserting 200."""
        response = self.post(self.form(body, **kw))
        assert response.status_code == 200, response.get_data(as_text=True)
        return reply_text(response.get_data(as_text=True))


def reply_text(xml: str) -> str:
    """The text of every <Message> in a TwiML answer, joined by a blank line."""
    import xml.etree.ElementTree as ET

    return "\n\n".join(m.text or "" for m in ET.fromstring(xml).iter("Message"))


@pytest.fixture
def sms(client: FlaskClient) -> Sms:
    """Signed inbound SMS sender."""
    return Sms(client)


@pytest.fixture
def fake_twilio() -> Iterator[Any]:
    """A running fake of Twilio's Messages API."""
    from tests.fakes.twilio_api import FakeTwilio

    with FakeTwilio() as fake:
        yield fake
