"""Sessions end on the server: a cookie captured before sign-out (or a password change, or deactivation) no longer
opens a page; idle and absolute timeouts come from the settings."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner
from sqlalchemy import select

from helpline.console import security
from helpline.console.models import AuditEntry, StaffUser
from helpline.settings import load_settings
from tests.console.conftest import PASSWORD, login, post

COOKIE = "helpline_staff"
PAGE = "/staff/users"  # an admin page


def captured(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def replay(app: Flask, value: str) -> int:
    """Open an admin page with a copy of a captured cookie, from another client."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, value)
    return thief.get(PAGE).status_code


def test_a_cookie_captured_before_sign_out_no_longer_opens_pages(app, as_role, session_factory):
    client = as_role("admin")
    value = captured(client)
    assert replay(app, value) == 200  # the copy works while the session lives
    assert post(client, "/staff/logout").status_code == 302
    assert replay(app, value) == 302  # to the sign-in page
    assert client.get(PAGE).status_code == 302
    with session_factory() as s:
        assert s.scalars(select(AuditEntry.action).where(AuditEntry.action == "auth.logout")).one()


def test_signing_in_again_after_sign_out_works_and_the_old_cookie_stays_dead(app, as_role, staff):
    client = as_role("admin")
    old = captured(client)
    post(client, "/staff/logout")
    assert login(client, staff["admin"]).status_code == 302
    assert client.get(PAGE).status_code == 200
    assert replay(app, old) == 302


def test_a_password_change_and_deactivation_end_sessions_too(app, as_role, staff, session_factory):
    agent = as_role("agent")
    value = captured(agent)
    admin = as_role("admin")
    with session_factory() as s:
        uid = s.scalars(select(StaffUser.id).where(StaffUser.username == staff["agent"])).one()
    assert post(admin, f"/staff/users/{uid}", {"password": "another long password"}).status_code == 302
    thief = app.test_client()
    thief.set_cookie(COOKIE, value)
    assert thief.get("/staff/").status_code == 302
    again = app.test_client()
    assert login(again, staff["agent"], "another long password").status_code == 302
    value = captured(again)
    assert post(admin, f"/staff/users/{uid}", {"active": "no"}).status_code == 302
    thief.set_cookie(COOKIE, value)
    assert thief.get("/staff/").status_code == 302


def test_an_idle_session_ends(app, as_role, monkeypatch):
    client = as_role("admin")
    assert client.get(PAGE).status_code == 200
    idle = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + int(idle) + 5)
    assert client.get(PAGE).status_code == 302


def test_a_busy_session_ends_at_the_absolute_timeout(app, as_role, monkeypatch):
    client = as_role("admin")
    start = security.wall_clock()
    limit = app.config["HELPLINE_SESSION_MAX_SECONDS"]
    monkeypatch.setattr(security, "wall_clock", lambda: start + limit - 60)
    assert client.get(PAGE).status_code == 200  # used all along: still open
    monkeypatch.setattr(security, "wall_clock", lambda: start + limit + 60)
    response = client.get(PAGE)
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    monkeypatch.setattr(security, "wall_clock", lambda: start)
    assert client.get(PAGE).status_code == 302  # the session was ended, not just refused once


def test_timeouts_are_settings(clean_env, monkeypatch):
    monkeypatch.setenv("HELPLINE_SESSION_MINUTES", "30")
    monkeypatch.setenv("HELPLINE_SESSION_MAX_HOURS", "8")
    settings = load_settings()
    assert (settings.session_minutes, settings.session_max_hours) == (30, 8)
