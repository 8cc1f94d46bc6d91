"""The OEP registry (issue 17): ``oep_imports`` (one row per committed import of the Bureau's list, with the list's
date), ``oeps`` (one row per licence), and ``complaints.oep_id`` (the registered OEP a complaint names; existing
complaints name none).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-12
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``oep_imports`` and ``oeps``; add ``complaints.oep_id``."""
    op.create_table(
        "oep_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("imported_at", _TZ, nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("list_date", sa.Date(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_oep_imports"),
    )
    op.create_table(
        "oeps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence_no", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("updated_at", sa.Date(), nullable=True),
        sa.Column("list_date", sa.Date(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("imported_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["oep_imports.id"], name="fk_oeps_import_id_oep_imports"),
        sa.PrimaryKeyConstraint("id", name="pk_oeps"),
        sa.UniqueConstraint("licence_no", name="uq_oeps_licence_no"),
    )
    op.create_index("ix_oeps_import_id", "oeps", ["import_id"])
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("oep_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_complaints_oep_id_oeps", "oeps", ["oep_id"], ["id"], ondelete="SET NULL")
        batch.create_index("ix_complaints_oep_id", ["oep_id"])


def downgrade() -> None:
    """Drop them again (complaints forget which OEP they named)."""
    with op.batch_alter_table("complaints") as batch:
        batch.drop_index("ix_complaints_oep_id")
        batch.drop_constraint("fk_complaints_oep_id_oeps", type_="foreignkey")
        batch.drop_column("oep_id")
    op.drop_index("ix_oeps_import_id", table_name="oeps")
    op.drop_table("oeps")
    op.drop_table("oep_imports")
