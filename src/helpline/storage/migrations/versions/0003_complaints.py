"""Complaints: complaints, their history and attachments (issue 5).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create this concern's tables."""
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("draft_key", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("affected", sa.String(length=10), nullable=False),
        sa.Column("filer_relation", sa.String(length=60), nullable=True),
        sa.Column("worker_name", sa.String(length=200), nullable=True),
        sa.Column("worker_cnic", sa.String(length=15), nullable=True),
        sa.Column("worker_passport", sa.String(length=20), nullable=True),
        sa.Column("employer", sa.String(length=200), nullable=True),
        sa.Column("agent", sa.String(length=200), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("verify_hash", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("urgent_reason", sa.String(length=100), nullable=True),
        sa.Column("responsible_body", sa.String(length=40), nullable=False),
        sa.Column("assignee", sa.String(length=100), nullable=True),
        sa.Column("promised_referral_at", _TZ, nullable=True),
        sa.Column("promised_resolution_at", _TZ, nullable=True),
        sa.Column("first_response_at", _TZ, nullable=True),
        sa.Column("resolved_at", _TZ, nullable=True),
        sa.Column("closed_at", _TZ, nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name="fk_complaints_contact_id_contacts",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_complaints"),
        sa.UniqueConstraint("reference", name="uq_complaints_reference"),
        sa.UniqueConstraint("draft_key", name="uq_complaints_draft_key"),
    )
    op.create_index("ix_complaints_status_created", "complaints", ["status", "created_at"])
    op.create_index("ix_complaints_contact_id", "complaints", ["contact_id"])
    op.create_table(
        "complaint_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("at", _TZ, nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaints.id"], name="fk_complaint_events_complaint_id_complaints",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_complaint_events"),
    )
    op.create_index("ix_complaint_events_complaint_at", "complaint_events", ["complaint_id", "at"])
    op.create_table(
        "complaint_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=500), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaints.id"],
                                name="fk_complaint_attachments_complaint_id_complaints", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], name="fk_complaint_attachments_message_id_messages",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_complaint_attachments"),
    )
    op.create_index("ix_complaint_attachments_complaint_id", "complaint_attachments", ["complaint_id"])


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("ix_complaint_attachments_complaint_id", table_name="complaint_attachments")
    op.drop_table("complaint_attachments")
    op.drop_index("ix_complaint_events_complaint_at", table_name="complaint_events")
    op.drop_table("complaint_events")
    op.drop_index("ix_complaints_contact_id", table_name="complaints")
    op.drop_index("ix_complaints_status_created", table_name="complaints")
    op.drop_table("complaints")
