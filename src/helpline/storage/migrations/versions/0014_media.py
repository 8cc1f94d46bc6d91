"""Media files fetched from providers (issue 18): voice notes, images, documents.

``media_files`` (the fetch queue and the record of each file: status, checked type, size, sha256, why refused)
and ``media_blobs`` (the bytes, one row per stored file). Both go with their contact and message.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``media_files`` and ``media_blobs`` (empty: media that came before are not fetched)."""
    op.create_table(
        "media_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("declared_type", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _TZ, nullable=False),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_until", _TZ, nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("fetched_at", _TZ, nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name="fk_media_files_contact_id_contacts",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], name="fk_media_files_message_id_messages",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_media_files"),
        sa.UniqueConstraint("message_id", "position", name="uq_media_files_message_position"),
    )
    op.create_index("ix_media_files_contact_id", "media_files", ["contact_id"])
    op.create_index("ix_media_files_status_next", "media_files", ["status", "next_attempt_at"])
    op.create_table(
        "media_blobs",
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["media_id"], ["media_files.id"], name="fk_media_blobs_media_id_media_files",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("media_id", name="pk_media_blobs"),
    )


def downgrade() -> None:
    """Drop both (stored media are lost)."""
    op.drop_table("media_blobs")
    op.drop_index("ix_media_files_status_next", table_name="media_files")
    op.drop_index("ix_media_files_contact_id", table_name="media_files")
    op.drop_table("media_files")
