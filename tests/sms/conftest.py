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
from tests.harness import PUBLIC_URL, Sms

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
