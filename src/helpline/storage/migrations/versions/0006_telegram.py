"""Telegram: contact reachability (issue 4).

Update de-duplication needs no table of its own: an update becomes a ``messages`` row whose ``provider_id`` is
the update id, and ``uq_messages_provider`` refuses a second one.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``contacts.unreachable_at`` (set when a worker blocks the bot, cleared when they write again)."""
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("unreachable_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop it again."""
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("unreachable_at")
