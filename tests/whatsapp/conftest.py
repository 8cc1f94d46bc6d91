"""WhatsApp fixtures: the app with Twilio and a WhatsApp sender configured, signed WhatsApp webhooks, the Twilio
fake, and the approved templates' Content SIDs a deployment would set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from helpline.notices import load as load_notices
from helpline.settings import REPO_ROOT, Settings, load_settings
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.harness import PUBLIC_URL, WA_NUMBER, WhatsApp
from webhooks.twilio.whatsapp import WhatsAppSender

PAYLOADS = Path(__file__).parent / "payloads"
STATUS_CALLBACKS = "status_"  # file-name prefix of the delivery status callbacks


def content_sid(purpose: str, lang: str) -> str:
    """A made-up Content SID per template, recognisable in assertions."""
    code = {"case_update": 1, "status_alert": 2, "reply_waiting": 3}[purpose] * 10 + ("en", "ur", "ur-Latn").index(lang)
    return f"HX{code:032x}"


TEMPLATES = {purpose: {lang: content_sid(purpose, lang) for lang in ("en", "ur", "ur-Latn")}
             for purpose in ("case_update", "status_alert", "reply_waiting")}


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    """A running fake of Twilio's Messages API."""
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def wa_settings(clean_env: None, db_url: str, fake_twilio: FakeTwilio) -> Settings:
    """Twilio configured with a WhatsApp sender and every template approved, the REST root on the fake."""
    return load_settings(database_url=db_url, twilio_auth_token=AUTH_TOKEN, twilio_account_sid=ACCOUNT_SID,
                         public_url=PUBLIC_URL, whatsapp_from=WA_NUMBER, whatsapp_templates=TEMPLATES,
                         twilio_api_url=fake_twilio.url, secret_key="test-secret-key-for-console-tests")


def whatsapp_sender(fake: FakeTwilio, templates: dict[str, dict[str, str]] | None = None) -> WhatsAppSender:
    """The real sender against the fake, with these templates (all of them by default)."""
    return WhatsAppSender(ACCOUNT_SID, AUTH_TOKEN, WA_NUMBER, templates=TEMPLATES if templates is None else templates,
                          notices=load_notices(REPO_ROOT / "locales"), api_url=fake.url, timeout=2.0,
                          status_callback=PUBLIC_URL + "/webhooks/twilio/status")


@pytest.fixture
def app(wa_settings: Settings, core: Any, engine: Any) -> Flask:
    """The real app on the test database, its senders built from the settings as ``helpline serve`` does."""
    from webhooks.app import create_app
    from webhooks.server import build_senders

    return create_app(wa_settings, core=core, engine=engine, senders=build_senders(wa_settings),
                      config={"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def wa(client: FlaskClient) -> WhatsApp:
    """Signed inbound WhatsApp webhooks."""
    return WhatsApp(client)
