"""The app factory: /healthz, the body size limit, errors as plain text, and trusted proxy headers."""

from __future__ import annotations

import pytest
from flask import request

from helpline.settings import load_settings
from helpline.storage import db
from webhooks.app import create_app


@pytest.fixture
def make_app(clean_env, core, db_url):
    def build(engine=None, **settings):
        return create_app(load_settings(database_url=db_url, **settings), core=core, engine=engine)

    return build


def test_healthz_answers_ok_on_a_current_schema(make_app, engine) -> None:
    response = make_app(engine).test_client().get("/healthz")
    assert (response.status_code, response.text) == (200, "ok\n")
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_names_a_schema_that_is_behind(make_app, db_url) -> None:
    engine = db.make_engine(db_url)  # not migrated: as a PostgreSQL deployment before `helpline db upgrade`
    try:
        response = make_app(engine).test_client().get("/healthz")
    finally:
        engine.dispose()
    assert response.status_code == 503 and "helpline db upgrade" in response.text


def test_an_oversized_body_is_refused_before_any_work(make_app, engine) -> None:
    app = make_app(engine, twilio_auth_token="t" * 32)
    response = app.test_client().post("/webhooks/twilio/sms", data={"Body": "x" * 70_000},
                                      headers={"X-Twilio-Signature": "forged"})
    assert response.status_code == 413


@pytest.mark.parametrize(("hops", "seen"), [(0, "10.0.0.1"), (1, "203.0.113.9")])
def test_forwarded_headers_are_trusted_only_when_configured(make_app, engine, hops, seen) -> None:
    app = make_app(engine, proxy_hops=hops)

    @app.get("/_whoami")
    def whoami() -> str:
        return f"{request.remote_addr} {request.scheme}"

    response = app.test_client().get("/_whoami", environ_base={"REMOTE_ADDR": "10.0.0.1"},
                                     headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert response.text == f"{seen} {'https' if hops else 'http'}"
