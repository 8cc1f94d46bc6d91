"""The Alembic migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from helpline.storage import db
from helpline.storage.db import (
    alembic_config,
    current_revision,
    downgrade,
    head_revisions,
    is_up_to_date,
    make_engine,
    migration_transaction,
    upgrade,
)
from helpline.storage.schema import metadata

CORE_TABLES = {"contacts", "conversations", "messages", "unanswered_questions", "outbox"}
TABLES = set(metadata.tables)  # every concern's tables, as registered by helpline.storage.schema
assert CORE_TABLES <= TABLES


@pytest.fixture
def fresh(db_url: str) -> Iterator[Engine]:
    """An engine on an empty, never migrated database."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def schema_diff(engine: Engine) -> list:
    """Alembic's autogenerate diff between the database and the models (empty when they agree)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def test_upgrade_creates_every_table(fresh: Engine) -> None:
    assert current_revision(fresh) is None
    assert not is_up_to_date(fresh)
    upgrade(fresh)
    assert set(inspect(fresh).get_table_names()) == TABLES | {"alembic_version"}
    assert {current_revision(fresh)} == head_revisions()
    assert is_up_to_date(fresh)


def test_migrated_schema_matches_models(engine: Engine) -> None:
    assert schema_diff(engine) == []


def test_constraint_names_follow_the_naming_convention(engine: Engine) -> None:
    inspector = inspect(engine)
    assert inspector.get_pk_constraint("contacts")["name"] == "pk_contacts"
    assert {uq["name"] for uq in inspector.get_unique_constraints("messages")} == {"uq_messages_provider"}
    assert {fk["name"] for fk in inspector.get_foreign_keys("messages")} == {
        "fk_messages_contact_id_contacts",
        "fk_messages_reply_to_id_messages",
    }
    assert {ix["name"] for ix in inspector.get_indexes("unanswered_questions")} == {
        "ix_unanswered_questions_normalized"
    }


def test_upgrade_twice_is_a_no_op(engine: Engine) -> None:
    before = current_revision(engine)
    upgrade(engine)
    assert current_revision(engine) == before
    assert schema_diff(engine) == []


def test_downgrade_to_base_drops_everything_and_upgrade_restores_it(engine: Engine) -> None:
    downgrade(engine, "base")
    assert current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert is_up_to_date(engine)
    assert schema_diff(engine) == []


def test_upgrade_by_url(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        assert is_up_to_date(engine)
    finally:
        engine.dispose()


def test_env_builds_its_own_engine_without_a_connection(db_url: str) -> None:
    command.upgrade(alembic_config(url=db_url), "head")
    engine = make_engine(db_url)
    try:
        assert is_up_to_date(engine)
    finally:
        engine.dispose()


def test_in_memory_sqlite_can_be_migrated() -> None:
    engine = make_engine("sqlite://")
    try:
        upgrade(engine)
        assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
        assert is_up_to_date(engine)
    finally:
        engine.dispose()


def test_sqlite_foreign_keys_are_off_during_migrations_only(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fk.db'}")
    try:
        with migration_transaction(engine) as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_revision_autogenerates_a_numbered_empty_migration(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    skip_cache = shutil.ignore_patterns("__pycache__")
    migrations = shutil.copytree(db.MIGRATIONS_DIR, tmp_path / "migrations", ignore=skip_cache)
    monkeypatch.setattr(db, "MIGRATIONS_DIR", migrations)
    url = f"sqlite:///{tmp_path / 'dev.db'}"
    upgrade(url)

    heads = sorted(head_revisions())
    path = db.revision("add nothing", url=url)

    number = f"{int(heads[0]) + 1:04d}"
    assert path.parent == migrations / "versions"
    assert path.name == f"{number}_add_nothing.py"
    assert ScriptDirectory.from_config(alembic_config()).get_revision(number).down_revision == heads[0]
    # The models and the migrations agree, so there is nothing to do.
    assert re.search(r'"""Apply this migration."""\s+# [^\n]*\n\s+pass\n', path.read_text(encoding="utf-8"))
