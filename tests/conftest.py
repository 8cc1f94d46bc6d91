"""Shared fixtures: settings, and a database per test on SQLite and (when configured) PostgreSQL.

PostgreSQL runs when ``HELPLINE_TEST_POSTGRES_URL`` is set, e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test``; each test gets a fresh schema, dropped afterwards.
Unset, the PostgreSQL cases are skipped, except on CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime, timezone
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from helpline import crypto
from helpline.settings import Settings, env_name, load_settings
from helpline.storage.db import make_engine, make_session_factory, upgrade

POSTGRES_ENV = "HELPLINE_TEST_POSTGRES_URL"
# Identity numbers and drafts are encrypted at rest: every test process uses this fixed key (no key files made),
# whatever settings a test builds. tests/test_privacy_at_rest.py swaps in others for rotation.
TEST_DATA_KEY = "VclKIbLXvMW6_ljJ_I0HotUEQpDjJ7yp5AnfKilmYAk="
crypto.pin(crypto.Keyring([TEST_DATA_KEY], crypto.index_key_from("test-pepper"), "tests"))


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """No HELPLINE_* setting from the developer's shell, and a working directory without a ``.env``."""
    for name in Settings.model_fields:
        monkeypatch.delenv(env_name(name), raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def settings(clean_env: None, tmp_path) -> Settings:
    """Default settings with the database in a temporary SQLite file."""
    return load_settings(database_url=f"sqlite:///{tmp_path / 'helpline.db'}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """URL of an empty database: a temporary SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'helpline.db'}"
    else:
        yield from _postgres_schema_url()


def _postgres_schema_url() -> Iterator[str]:
    """Create a randomly named schema, yield a URL whose search_path is that schema, then drop it."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{POSTGRES_ENV} is not set; CI must run the PostgreSQL tests", pytrace=False)
        pytest.skip(f"set {POSTGRES_ENV} to run against PostgreSQL")
    schema = f"test_{secrets.token_hex(6)}"
    admin = make_engine(base)
    try:
        try:
            with admin.begin() as connection:
                connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        except OperationalError as exc:
            pytest.fail(f"{POSTGRES_ENV} is set but PostgreSQL is unreachable: {exc.orig}", pytrace=False)
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        admin.dispose()


REDIS_ENV = "HELPLINE_TEST_REDIS_URL"


@pytest.fixture
def redis_url() -> str:
    """A reachable Redis (``HELPLINE_TEST_REDIS_URL``, e.g. ``redis://127.0.0.1:6379/0``) for the shared rate
    limits and /readyz; skipped when unset, except on CI (``CI=true``), where it fails, as does an unreachable one.
    Tests keep to keys of their own (a random namespace), so the database needs no flushing."""
    url = os.environ.get(REDIS_ENV)
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{REDIS_ENV} is not set; CI must run the Redis tests", pytrace=False)
        pytest.skip(f"set {REDIS_ENV} to run the Redis tests")
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"{REDIS_ENV} is set but Redis is unreachable: {type(exc).__name__}", pytrace=False)
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the parametrized database, migrated to head with Alembic."""
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """The application's session factory, bound to the test database."""
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session; uncommitted work is rolled back when the test ends."""
    with session_factory() as session:
        yield session


# -- the conversation core, built once: loading the knowledge base and indexing it is the slow part ---------

FIXED_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def core():
    """The real core (knowledge base, catalogs, matcher, flows, handlers) with a fixed clock; strict, so an
    event without a handler fails the test."""
    from helpline.settings import load_settings
    from helpline.wiring import build_core

    loaded = build_core(load_settings(_env_file=None), strict=True)
    loaded.clock = lambda: FIXED_NOW
    return loaded


# -- staff passwords: argon2id with test-sized parameters --------------------------------------------------------

@pytest.fixture(autouse=True, scope="session")
def _quick_password_hashing() -> Iterator[None]:
    """Every console test creates and signs in staff: with production's argon2id parameters (64 MiB, 3 passes,
    about 0.27 s a hash) that was minutes of the suite. The tests use the same argon2id code with small
    parameters; production's stay as they are (``tests/console/test_security.py`` checks them), and a server
    started by a test re-hashes a test hash on sign-in, as it would after any change of parameters."""
    from argon2 import PasswordHasher

    from helpline.console import security

    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(security, "hasher", quick)
        mp.setattr(security, "_DUMMY_HASH", quick.hash(secrets.token_urlsafe(16)))
        yield
