"""Danger in every state: a handoff is urgent (with the reason in words) and shows the worker's new messages as
unread for staff (issue 13, point 5).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add ``handoffs.urgent/urgent_reason/urgent_at`` (existing handoffs are not urgent) and
    ``handoffs.last_worker_message_id/last_worker_message_at/seen_at`` (existing ones count as read)."""
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("urgent", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("urgent_reason", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("urgent_at", _TZ, nullable=True))
        batch.add_column(sa.Column("last_worker_message_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("last_worker_message_at", _TZ, nullable=True))
        batch.add_column(sa.Column("seen_at", _TZ, nullable=True))
        batch.create_foreign_key("fk_handoffs_last_worker_message_id_messages", "messages",
                                 ["last_worker_message_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    """Drop them again (urgency and unread marks are forgotten)."""
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_constraint("fk_handoffs_last_worker_message_id_messages", type_="foreignkey")
        batch.drop_column("seen_at")
        batch.drop_column("last_worker_message_at")
        batch.drop_column("last_worker_message_id")
        batch.drop_column("urgent_at")
        batch.drop_column("urgent_reason")
        batch.drop_column("urgent")
