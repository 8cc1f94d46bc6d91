"""Console fixtures: the real Flask app on the per-test database, staff users, sign-in and complaint rows."""

from __future__ import annotations

import dataclasses

import itertools
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from helpline.complaints import references
from helpline.complaints.models import Complaint
from helpline.console.users import create_user
from helpline.settings import load_settings
from helpline.storage.models import Contact, Message
from tests.conftest import FIXED_NOW
from tests.fakes.senders import RecordingSender

PASSWORD = "correct horse battery"
ROLE_USERS = {"agent": "asma", "supervisor": "sajid", "admin": "amna"}
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def senders() -> dict[str, RecordingSender]:
    """Recording senders for both channels."""
    return {"sms": RecordingSender("sms"), "telegram": RecordingSender("telegram")}


@pytest.fixture
def app(clean_env: None, engine, core, senders) -> Flask:
    """The real app (webhooks + console) on the test database, with a fixed secret key."""
    from webhooks.app import create_app

    settings = load_settings(database_url=engine.url.render_as_string(hide_password=False),
                             secret_key="test-secret-key-for-console-tests")
    own = dataclasses.replace(core)  # teaching retrains this app's matcher, never the session's shared one
    return create_app(settings, core=own, engine=engine, senders=senders, config={"TESTING": True})


@pytest.fixture
def staff(session_factory: sessionmaker[Session]) -> dict[str, str]:
    """One user per role; returns role → username (all share :data:`PASSWORD`)."""
    with session_factory.begin() as session:
        for role, username in ROLE_USERS.items():
            create_user(session, username, PASSWORD, role, FIXED_NOW)
    return dict(ROLE_USERS)


def token(client: FlaskClient) -> str:
    """A CSRF token for this client's session (from the sign-in page, which always renders)."""
    page = client.get("/staff/login").get_data(as_text=True)
    found = _TOKEN.search(page)
    assert found, "no csrf_token field on the sign-in page"
    return found.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    """Sign in through the form, CSRF token included."""
    return client.post("/staff/login", data={"username": username, "password": password, "csrf_token": token(client)})


@pytest.fixture
def as_role(app: Flask, staff: dict[str, str]) -> Callable[[str], FlaskClient]:
    """A signed-in test client for a role."""
    def make(role: str) -> FlaskClient:
        client = app.test_client()
        response = login(client, staff[role])
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    """POST with this session's CSRF token."""
    return client.post(path, data={**(data or {}), "csrf_token": token(client)}, **kw)


_refs = itertools.count(1)


def make_complaint(session: Session, *, contact: Contact | None = None, description: str = "Salary not paid for 3 months",
                   status: str = "new", urgent: bool = False, category: str = "wages", body: str = "CWA",
                   country: str | None = "SA", created_at: datetime = FIXED_NOW - timedelta(days=1),
                   cnic: str | None = "3520212345671", assignee: str | None = None, **kw: Any) -> Complaint:
    """Add a complaint with promised dates 4 and 28 days after filing."""
    n = next(_refs)
    payload = "".join(references.ALPHABET[(n * 7 + i * 3) % references.BASE] for i in range(references.PAYLOAD))
    complaint = Complaint(
        reference=payload + references.check_char(payload), draft_key=f"draft-{n}-{payload}",
        contact_id=contact.id if contact else None, channel=contact.channel if contact else "sms",
        lang=kw.pop("lang", "ur-Latn"), category=category, country=country, description=description,
        affected="self", anonymous=False, worker_cnic=cnic, status=status, urgent=urgent,
        responsible_body=body, assignee=assignee, promised_referral_at=created_at + timedelta(days=4),
        promised_resolution_at=created_at + timedelta(days=28), created_at=created_at, updated_at=created_at, **kw)
    session.add(complaint)
    session.flush()
    return complaint


def make_contact(session: Session, address: str = "tel:+923001234567", channel: str = "sms",
                 lang: str | None = "ur-Latn") -> Contact:
    """A contact with one inbound message."""
    contact = Contact(address=address, channel=channel, language=lang, created_at=FIXED_NOW - timedelta(days=2),
                      last_seen_at=FIXED_NOW - timedelta(days=1))
    session.add(contact)
    session.flush()
    session.add(Message(contact_id=contact.id, direction="in", channel=channel, text="salam, mera CNIC 35202-1234567-1 hai",
                        created_at=FIXED_NOW - timedelta(days=1, hours=1)))
    session.flush()
    return contact
