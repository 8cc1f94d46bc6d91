"""WhatsApp through Twilio (issue 18): the channel, the 24-hour window, held template messages: no schema change.

WhatsApp fits the tables as they are, so this revision only keeps its place in the chain:

* the channel is ``contacts.channel`` / ``messages.channel`` = ``"whatsapp"``, with addresses ``whatsapp:+92…``
  (``String(20)`` and ``String(200)``): a WhatsApp contact is its own row, apart from the same number's SMS one;
* the 24-hour window runs from ``contacts.last_seen_at``, which the turn's locking UPDATE sets on every inbound
  message and nothing else writes: one value per contact, right with any number of instances;
* a message WhatsApp may not take now is an outbox row with ``status = "held"`` (``String(20)``), the reason in
  ``error_code`` / ``error_detail``, the message log's ``status`` mirroring it; ``release_held`` looks held rows
  up by ``contact_id`` (indexed);
* the template that may stand in for a message rides in ``outbox.payload`` (JSON): ``notice`` (name and
  variables), ``notice_only``, ``may_wait``.

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
    """Nothing to change (see the module docstring)."""


def downgrade() -> None:
    """Held rows become queued again, the one state older code knows that keeps them (it would send them)."""
    op.execute("UPDATE outbox SET status = 'queued' WHERE status = 'held'")
    op.execute("UPDATE messages SET status = 'queued' WHERE status = 'held'")
