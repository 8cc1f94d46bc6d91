"""Alembic environment: migrate on the connection handed over by helpline.storage.db, else on a URL.

``helpline.storage.db.upgrade`` puts an open connection in ``config.attributes["connection"]``; run on its own,
this file builds an engine from ``sqlalchemy.url`` (or the HELPLINE_DATABASE_URL setting).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from helpline.storage.schema import metadata as target_metadata

config = context.config



def _url() -> str:
    """The configured URL, falling back to the helpline settings."""
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from helpline.settings import load_settings

    return load_settings().database_url


def _migrate(connection: Connection) -> None:
    """Run the migrations on ``connection`` (batch mode on SQLite, which cannot ALTER most things)."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Print the migration SQL instead of running it (``--sql``)."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the given connection, or on a new engine for the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    from helpline.storage.db import make_engine, migration_transaction

    engine = make_engine(_url())
    try:
        with migration_transaction(engine) as connection:
            _migrate(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
