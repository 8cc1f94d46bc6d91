"""Status registry: records and watches (issue 6).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``status_records`` and ``status_watches``."""
    op.create_table(
        "status_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("tracking_number", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("office", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("dob_hash", sa.String(length=64), nullable=True),
        sa.Column("cnic4_hash", sa.String(length=64), nullable=True),
        sa.Column("status_updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_status_records"),
        sa.UniqueConstraint("tracking_number", "kind", name="uq_status_records_tracking_number"),
    )
    op.create_table(
        "status_watches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("last_status", sa.String(length=40), nullable=False),
        sa.Column("last_office", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["record_id"], ["status_records.id"], name="fk_status_watches_record_id_status_records",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name="fk_status_watches_contact_id_contacts",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_status_watches"),
        sa.UniqueConstraint("record_id", "contact_id", name="uq_status_watches_record_id"),
    )
    op.create_index("ix_status_watches_contact_id", "status_watches", ["contact_id"])


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("ix_status_watches_contact_id", table_name="status_watches")
    op.drop_table("status_watches")
    op.drop_table("status_records")
