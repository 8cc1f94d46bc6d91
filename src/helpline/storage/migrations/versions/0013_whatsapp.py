"""WhatsApp through Twilio (issue 18): the channel, the 24-hour window, held template messages.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet (placeholder reserved so parallel work keeps one alembic head)."""


def downgrade() -> None:
    """Nothing yet."""
