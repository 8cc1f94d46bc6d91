"""Staff teach the bot: training examples, and how each unanswered question was resolved (issue 12, item 7).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add ``unanswered_questions.resolution/resolved_by/resolved_at`` (all open) and ``training_examples``."""
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.add_column(sa.Column("resolution", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("resolved_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("resolved_at", _TZ, nullable=True))
    op.create_table(
        "training_examples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("source_question_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["source_question_id"], ["unanswered_questions.id"],
                                name="fk_training_examples_source_question_id_unanswered_questions",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_training_examples"),
    )


def downgrade() -> None:
    """Drop them again (taught examples not exported to locales/kb/examples are lost)."""
    op.drop_table("training_examples")
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.drop_column("resolved_at")
        batch.drop_column("resolved_by")
        batch.drop_column("resolution")
