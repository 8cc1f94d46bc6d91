"""Media fixtures: the fake Twilio serving media, the real app pointed at it, and a fetch pass with its fetcher."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from helpline.media import MediaPolicy, fetch_due
from helpline.settings import Settings, load_settings
from tests.conftest import FIXED_NOW
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.harness import PUBLIC_URL, Sms


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def media_settings(clean_env: None, engine: Any, fake_twilio: FakeTwilio) -> Settings:
    return load_settings(database_url=engine.url.render_as_string(hide_password=False), public_url=PUBLIC_URL,
                         secret_key="media-test-secret", twilio_account_sid=ACCOUNT_SID, twilio_auth_token=AUTH_TOKEN,
                         twilio_api_url=fake_twilio.url, twilio_handles_opt_out=False)


@pytest.fixture
def app(media_settings: Settings, core: Any, engine: Any) -> Flask:
    from webhooks.app import create_app

    return create_app(media_settings, core=core, engine=engine, config={"TESTING": True})


@pytest.fixture
def sms(app: Flask) -> Sms:
    return Sms(app.test_client())


@pytest.fixture
def fetch(media_settings: Settings, session_factory: Any) -> Callable[..., Any]:
    """Run one fetch pass with the Twilio fetcher the settings build (``now`` defaults to the fixed clock)."""
    from webhooks.twilio.media import fetcher_from_settings

    fetcher = fetcher_from_settings(media_settings)
    assert fetcher is not None

    def run(now: datetime = FIXED_NOW + timedelta(seconds=5), policy: MediaPolicy | None = None) -> Any:
        policy = policy or MediaPolicy.parse(media_settings.media_max_bytes, media_settings.media_types)
        return fetch_due(session_factory, {c: fetcher for c in fetcher.channels}, policy, now)

    return run


def mms(fake: FakeTwilio, *files: tuple[bytes, str | None], body: str = "") -> dict[str, str]:
    """Twilio's extra form fields for media the fake serves."""
    form = {"NumMedia": str(len(files))}
    for n, (data, declared) in enumerate(files):
        form[f"MediaUrl{n}"] = fake.add_media(data, declared)
        if declared:
            form[f"MediaContentType{n}"] = declared
    return form


def signed_in(app: Flask, session_factory: Any, role: str = "agent") -> FlaskClient:
    from helpline.console.users import create_user
    from tests.console.conftest import PASSWORD, login

    with session_factory.begin() as session:
        create_user(session, f"media{role}", PASSWORD, role, FIXED_NOW)
    client = app.test_client()
    assert login(client, f"media{role}").status_code == 302
    return client
