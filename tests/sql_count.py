"""Count the SQL an engine runs inside a block: ``with count_sql(engine) as sql: ...; assert sql.statements <= 2``.

Statements are counted at ``before_cursor_execute`` (what reaches the driver: an ``executemany`` is one), commits
at the engine's ``commit`` event. Pool pings and the dialect's first-connect queries are not counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event


@dataclass
class SqlCount:
    """What ran: ``statements`` and ``commits`` so far, and the statements' text (for assertion messages)."""

    statements: int = 0
    commits: int = 0
    sql: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.statements} statement(s), {self.commits} commit(s):\n" + "\n".join(self.sql)


@contextmanager
def count_sql(engine: Engine) -> Iterator[SqlCount]:
    """Count statements and commits on ``engine`` (every connection of it) until the block ends."""
    counted = SqlCount()

    def on_statement(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        counted.statements += 1
        counted.sql.append(" ".join(statement.split()))

    def on_commit(conn: Any) -> None:
        counted.commits += 1

    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "commit", on_commit)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        event.remove(engine, "commit", on_commit)
