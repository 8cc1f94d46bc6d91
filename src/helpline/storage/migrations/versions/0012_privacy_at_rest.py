"""Privacy at rest (issue 16, item 6): encrypted identity numbers, retention, data-deletion requests.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet (placeholder reserved so parallel work keeps one alembic head)."""


def downgrade() -> None:
    """Nothing yet."""
