"""Access rules on the whole URL map: sign-in first, CSRF on every POST, roles, headers, cookies, throttling."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from helpline.console.models import AuditEntry
from helpline.console.security import MAX_USER_FAILURES, REQUIRED_ROLE
from helpline.console.models import role_rank
from helpline.throttle import Failure
from tests.console.conftest import PASSWORD, login, post, token

PUBLIC = {"console.login", "console.static"}


def _staff_rules(app: Flask):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/staff") and rule.endpoint not in PUBLIC:
            path = re.sub(r"<int:[a-z_]+>", "1", rule.rule)
            path = re.sub(r"<[a-z_]+>", "unanswered_topic", path)
            yield rule, path


def test_the_url_map_has_the_console(app: Flask) -> None:
    endpoints = {rule.endpoint for rule, _ in _staff_rules(app)}
    assert {"console.queue", "console.case", "console.overview", "console.export_csv", "console.handoffs",
            "console.unanswered", "console.faq", "console.users", "console.audit_log"} <= endpoints


def test_every_route_needs_sign_in_and_every_post_a_csrf_token(app: Flask, staff) -> None:
    client = app.test_client()
    for rule, path in _staff_rules(app):
        if "GET" in rule.methods:
            response = client.get(path)
            assert response.status_code == 302, path
            assert response.headers["Location"].startswith("/staff/login"), path
        if "POST" in rule.methods:
            assert client.post(path, data={"x": "1"}).status_code == 400, path
    signed_in = app.test_client()
    login(signed_in, staff["admin"])
    for rule, path in _staff_rules(app):
        if "POST" in rule.methods:
            response = signed_in.post(path, data={"text": "hi", "status": "closed"})
            assert response.status_code == 400, path
            assert "CSRF" in response.get_data(as_text=True), path
            response = signed_in.post(path, data={"text": "hi", "csrf_token": "forged"})
            assert response.status_code == 400, path
    assert client.post("/staff/login", data={"username": "amna", "password": PASSWORD}).status_code == 400


def test_wrong_role_is_403_on_every_route_above_it(app: Flask, as_role) -> None:
    clients = {role: as_role(role) for role in ("agent", "supervisor")}
    checked = 0
    for rule, path in _staff_rules(app):
        need = REQUIRED_ROLE.get(rule.endpoint, "agent")
        for role, client in clients.items():
            if role_rank(role) >= role_rank(need):
                continue
            method = "GET" if "GET" in rule.methods else "POST"
            response = client.get(path) if method == "GET" else post(client, path, {"text": "x"})
            assert response.status_code == 403, (role, path)
            checked += 1
    assert checked >= 8


def test_every_get_page_renders_for_admin_without_error(app: Flask, as_role) -> None:
    client = as_role("admin")
    for rule, path in _staff_rules(app):
        if "GET" in rule.methods and "<" not in rule.rule:
            response = client.get(path)
            assert response.status_code == 200, path


def test_security_headers_and_cookie_flags(app: Flask, staff) -> None:
    client = app.test_client()
    page = client.get("/staff/login")
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self';" in csp and "connect-src 'self';" in csp and "font-src 'self';" in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"
    scripts = re.findall(r"<script[^>]*>", page.get_data(as_text=True))  # only the one static, same-origin file
    assert scripts == ['<script src="/staff/static/console.js" defer>']
    response = login(client, staff["agent"])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_secure_cookie_under_https(clean_env, engine, core) -> None:
    from helpline.settings import load_settings
    from webhooks.app import create_app

    settings = load_settings(database_url=engine.url.render_as_string(hide_password=False), secret_key="k" * 32,
                             public_url="https://helpline.example.org")
    app = create_app(settings, core=core, engine=engine)
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_login_throttling_is_stored_and_blocks_even_the_right_password(app: Flask, staff, session_factory) -> None:
    client = app.test_client()
    for _ in range(MAX_USER_FAILURES):
        assert login(client, staff["agent"], "wrong password!").status_code == 401
    other = app.test_client()  # another browser (or gunicorn worker): the count lives in the database
    assert login(other, staff["agent"]).status_code == 429
    assert login(other, staff["supervisor"]).status_code == 302  # others are unaffected
    with session_factory() as session:
        keys = list(session.scalars(select(Failure.key).where(Failure.scope == "login")))
    assert keys.count(f"user:{staff['agent']}") == MAX_USER_FAILURES + 1  # the refused attempt counts too
    assert keys.count("ip:127.0.0.1") == MAX_USER_FAILURES + 1 and len(keys) == 2 * (MAX_USER_FAILURES + 1)


def test_sign_in_errors_and_no_open_redirect(app: Flask, staff) -> None:
    client = app.test_client()
    assert login(client, "nobody", PASSWORD).status_code == 401
    response = client.post("/staff/login", data={"username": staff["agent"], "password": PASSWORD,
                                                 "csrf_token": token(client), "next": "https://evil.example/"})
    assert response.headers["Location"] == "/staff/"
    client = app.test_client()
    response = client.get("/staff/overview")
    assert "next=" in response.headers["Location"]
    response = client.post("/staff/login", data={"username": staff["supervisor"], "password": PASSWORD,
                                                 "csrf_token": token(client), "next": "/staff/overview"})
    assert response.headers["Location"] == "/staff/overview"


def test_logout_needs_post_and_ends_the_session(app: Flask, as_role) -> None:
    client = as_role("agent")
    assert client.get("/staff/logout").status_code == 405
    assert post(client, "/staff/logout").status_code == 302
    assert client.get("/staff/").status_code == 302


def test_deactivating_a_user_signs_them_out(app: Flask, as_role, session_factory) -> None:
    agent = as_role("agent")
    admin = as_role("admin")
    from helpline.console.models import StaffUser

    with session_factory() as session:
        agent_id = session.query(StaffUser).filter_by(username="asma").one().id
    assert post(admin, f"/staff/users/{agent_id}", {"active": "no"}).status_code == 302
    assert agent.get("/staff/").status_code == 302
    with session_factory() as session:
        assert session.query(AuditEntry).filter_by(action="user.update").count() == 1


HOSTILE = ["", "x" * 70_000, "\x00\x01\x02", "' OR 1=1 --", "<script>alert(1)</script>", "٣٥٢٠٢", "🙂" * 500,
           "../../etc/passwd", "%00", "999999999999999999999"]


def test_hostile_form_and_query_input_never_500(app: Flask, as_role) -> None:
    client = as_role("admin")
    for value in HOSTILE:
        for rule, path in _staff_rules(app):
            if "POST" in rule.methods and rule.endpoint != "console.logout":
                fields = {k: value for k in ("text", "status", "public_text", "assignee", "body", "reason", "role",
                                             "active", "password", "username")}
                response = post(client, path, fields)
                assert response.status_code < 500, (path, response.status_code)
            if "GET" in rule.methods:
                response = client.get(path, query_string={"q": value, "page": value, "status": value,
                                                          "overdue": value, "country": value, "lang": value})
                assert response.status_code < 500, path


def test_production_hashes_passwords_with_argon2ids_recommended_parameters() -> None:
    """The suite signs in with small argon2id parameters (tests/conftest.py); the console itself does not."""
    import subprocess
    import sys

    code = "from helpline.console.security import hash_password; print(hash_password('pw'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), out
