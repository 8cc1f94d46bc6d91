"""/readyz (issue 16, item 7): the database and, when configured, Redis, as JSON with 200 or 503; no secrets."""

from __future__ import annotations

import logging

import pytest

from helpline.settings import load_settings
from helpline.storage import db
from webhooks.app import create_app

PASSWORD = "hunter2-not-for-logs"


@pytest.fixture
def make_app(clean_env, core, db_url):
    def build(engine=None, **settings):
        return create_app(load_settings(database_url=db_url, **settings), core=core, engine=engine)

    return build


def _leaks(text: str) -> list[str]:
    return [word for word in (PASSWORD, "127.0.0.1", "redis://", "postgresql", "hunter2") if word in text]


def test_ready_with_the_database_and_no_redis_configured(make_app, engine) -> None:
    response = make_app(engine).test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json == {"ready": True, "checks": {"database": {"ok": True},
                                                       "redis": {"ok": True, "configured": False}}}
    assert response.headers["Cache-Control"] == "no-store" and response.mimetype == "application/json"


def test_not_ready_when_the_schema_is_behind(make_app, db_url) -> None:
    engine = db.make_engine(db_url)
    try:
        response = make_app(engine).test_client().get("/readyz")
    finally:
        engine.dispose()
    assert response.status_code == 503 and response.json["ready"] is False
    assert "helpline db upgrade" in response.json["checks"]["database"]["error"]


def test_an_unreachable_database_is_named_by_class_only(clean_env, core, tmp_path, caplog) -> None:
    url = f"postgresql+psycopg://helpline:{PASSWORD}@127.0.0.1:1/helpline"
    engine = db.make_engine(url)
    try:
        with caplog.at_level(logging.INFO):
            app = create_app(load_settings(database_url=url), core=core, engine=engine)
            response = app.test_client().get("/readyz")
    finally:
        engine.dispose()
    assert response.status_code == 503
    assert response.json["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert _leaks(response.text) == [] and PASSWORD not in caplog.text


def test_ready_with_redis_answering(make_app, engine, redis_url) -> None:
    response = make_app(engine, redis_url=redis_url).test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"]["redis"] == {"ok": True, "configured": True}
    assert _leaks(response.text) == []


def test_not_ready_when_redis_is_away_and_its_url_never_shows(make_app, engine, caplog) -> None:
    app = make_app(engine, redis_url=f"redis://:{PASSWORD}@127.0.0.1:1/0")
    with caplog.at_level(logging.INFO):
        response = app.test_client().get("/readyz")
        again = app.test_client().get("/readyz")
    assert response.status_code == again.status_code == 503
    assert response.json == {"ready": False, "checks": {"database": {"ok": True}, "redis": {
        "ok": False, "configured": True, "error": "ConnectionError"}}}
    assert _leaks(response.text) == [] and _leaks(caplog.text) == []
    assert PASSWORD not in repr(app.extensions["helpline"].settings)
