"""The SMS pager keeps its pages in a column of its own, not in the engine's state (issue 11).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KEY = "sms_pages"  # where pages waited before: state["sms_pages"] = {"lang": ..., "pages": [...]}

conversations = sa.table("conversations", sa.column("contact_id", sa.Integer), sa.column("state", sa.JSON),
                         sa.column("pager", sa.JSON))


def upgrade() -> None:
    """Add ``conversations.pager`` and move waiting pages out of the state into it."""
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("pager", sa.JSON(), nullable=True))
    bind = op.get_bind()
    for contact_id, state in bind.execute(sa.select(conversations.c.contact_id, conversations.c.state)).all():
        if isinstance(state, dict) and OLD_KEY in state:
            pages = state.pop(OLD_KEY)
            bind.execute(conversations.update().where(conversations.c.contact_id == contact_id)
                         .values(state=state, pager=pages or None))


def downgrade() -> None:
    """Drop the column (pages waiting for MORE are forgotten)."""
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("pager")
