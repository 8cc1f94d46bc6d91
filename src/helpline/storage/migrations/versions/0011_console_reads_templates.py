"""Staff console for a full day's queue (issue 15): ``complaint_reads`` (when each staff member last opened a
complaint: newer worker messages are unread for them) and ``reply_templates`` (canned replies in three languages).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-13
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``complaint_reads`` (nothing read yet) and ``reply_templates`` (none yet)."""
    op.create_table(
        "complaint_reads",
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("seen_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaints.id"], name="fk_complaint_reads_complaint_id_complaints",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("complaint_id", "username", name="pk_complaint_reads"),
    )
    op.create_table(
        "reply_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("text_ur", sa.Text(), nullable=False),
        sa.Column("text_ur_latn", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reply_templates"),
        sa.UniqueConstraint("name", name="uq_reply_templates_name"),
    )


def downgrade() -> None:
    """Drop both (read marks and templates are forgotten)."""
    op.drop_table("reply_templates")
    op.drop_table("complaint_reads")
