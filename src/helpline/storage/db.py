"""Engines, sessions and migrations: SQLite by default, PostgreSQL by URL, both through the same functions.

Migrations run programmatically (no ``alembic.ini``): :func:`upgrade` hands Alembic an open connection, which
is what makes it work for in-memory SQLite too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# https://www.sqlite.org/pragma.html - WAL lets the web app read while a turn writes; NORMAL is safe with WAL;
# foreign keys are off by default in SQLite; busy_timeout waits for a lock instead of failing at once.
SQLITE_PRAGMAS = {"journal_mode": "WAL", "synchronous": "NORMAL", "foreign_keys": "ON", "busy_timeout": "5000"}


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url``: SQLite gets its pragmas on every connection, PostgreSQL a pre-ping pool.

    Statement parameters are never shown in errors or logs (``hide_parameters``): they are what workers typed,
    and a database error's text ends up in the log with its traceback."""
    parsed = make_url(url)
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, **kwargs)
    if parsed.database in (None, "", ":memory:"):
        # One shared connection, or every new connection would see a new, empty database.
        kwargs.setdefault("poolclass", StaticPool)
    engine = create_engine(parsed, connect_args={"check_same_thread": False}, **kwargs)
    event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Apply :data:`SQLITE_PRAGMAS` to a fresh DBAPI connection (outside any transaction, as SQLite needs)."""
    cursor = dbapi_connection.cursor()
    try:
        for name, value in SQLITE_PRAGMAS.items():
            cursor.execute(f"PRAGMA {name}={value}")
    finally:
        cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit (the service returns them to channels)."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(connection: Any = None, url: str | None = None) -> Config:
    """An Alembic config for the packaged migrations, optionally bound to an open connection or a URL."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine_or_url: Engine | str, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` (default: the newest)."""
    _run(command.upgrade, engine_or_url, revision)


def downgrade(engine_or_url: Engine | str, revision: str) -> None:
    """Migrate the database down to ``revision`` (``"base"`` drops every table)."""
    _run(command.downgrade, engine_or_url, revision)


def _run(alembic_command: Any, engine_or_url: Engine | str, revision: str) -> None:
    """Run an Alembic command in one transaction on a connection of ``engine_or_url``."""
    engine = make_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    try:
        with migration_transaction(engine) as connection:
            alembic_command(alembic_config(connection), revision)
    finally:
        if engine is not engine_or_url:
            engine.dispose()


@contextmanager
def migration_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction for migrations; on SQLite, foreign keys are off until it ends.

    Alembic's batch mode rebuilds a SQLite table by copy and drop; with foreign keys on, the drop would
    cascade-delete child rows (https://alembic.sqlalchemy.org/en/latest/batch.html). The pragma only takes
    effect outside a transaction, hence the commits around it.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                yield connection
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None if it has never been migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revisions() -> set[str]:
    """The newest revision(s) of the packaged migrations."""
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def is_up_to_date(engine: Engine) -> bool:
    """True if the database is at the newest migration."""
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == head_revisions()


def revision(message: str, autogenerate: bool = True, url: str | None = None) -> Path:
    """Write a new migration ``NNNN_<message>.py`` (diffed against the database at ``url``) and return its path."""
    script_dir = ScriptDirectory.from_config(alembic_config())
    numbers = [int(s.revision) for s in script_dir.walk_revisions() if re.fullmatch(r"\d+", s.revision)]
    rev_id = f"{max(numbers, default=0) + 1:04d}"
    if not autogenerate:
        script = command.revision(alembic_config(), message=message, rev_id=rev_id)
        return Path(_one(script).path)
    if url is None:
        from helpline.settings import load_settings

        url = load_settings().database_url
    engine = make_engine(url)
    try:
        with migration_transaction(engine) as connection:
            script = command.revision(alembic_config(connection), message=message, autogenerate=True, rev_id=rev_id)
    finally:
        engine.dispose()
    return Path(_one(script).path)


def _one(script: Any) -> Any:
    """Alembic returns a Script or a list of them; we always create exactly one."""
    return script[0] if isinstance(script, list) else script
