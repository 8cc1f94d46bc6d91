"""Privacy at rest (issue 16, item 6): encrypted identity numbers, retention, data-deletion requests.

``complaints.worker_cnic`` and ``worker_passport`` become TEXT holding Fernet tokens (helpline.crypto), with
``worker_cnic_index`` (keyed hashes of the CNIC's last digits, for the console's search) and ``anonymised_at``;
``deletion_requests`` is new. Existing rows are encrypted here, with the keys of the settings
(``HELPLINE_DATA_KEYS``, else the key file): identity numbers of complaints and the personal parts of every
conversation state. ``helpline privacy encrypt-existing`` does the same again at any time (idempotent).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)
# The tables as this revision reads and writes them, plain types (no models: they move on after this revision).
_complaints = sa.table("complaints", sa.column("id", sa.Integer), sa.column("worker_cnic", sa.Text),
                       sa.column("worker_passport", sa.Text), sa.column("worker_cnic_index", sa.String))
_conversations = sa.table("conversations", sa.column("contact_id", sa.Integer), sa.column("state", sa.JSON))


def upgrade() -> None:
    """Widen the identity columns, add the index and ``anonymised_at``, create ``deletion_requests``, then
    encrypt what is there."""
    with op.batch_alter_table("complaints") as batch:
        batch.alter_column("worker_cnic", type_=sa.Text(), existing_type=sa.String(length=15), existing_nullable=True)
        batch.alter_column("worker_passport", type_=sa.Text(), existing_type=sa.String(length=20),
                           existing_nullable=True)
        batch.add_column(sa.Column("worker_cnic_index", sa.String(length=160), nullable=True))
        batch.add_column(sa.Column("anonymised_at", _TZ, nullable=True))
    op.create_table(
        "deletion_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_at", _TZ, nullable=False),
        sa.Column("completed_at", _TZ, nullable=True),
        sa.Column("completed_by", sa.String(length=64), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name="fk_deletion_requests_contact_id_contacts",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_deletion_requests"),
    )
    op.create_index("ix_deletion_requests_contact_id", "deletion_requests", ["contact_id"])
    op.create_index("ix_deletion_requests_status_requested", "deletion_requests", ["status", "requested_at"])
    encrypt_existing(op.get_bind())


def encrypt_existing(bind: sa.Connection) -> dict[str, int]:
    """Encrypt every plain identity number and conversation state left from before (rows already holding tokens
    are left as they are); the counts changed."""
    from helpline import crypto

    ring = crypto.keyring()
    counts = {"complaints": 0, "conversations": 0}
    rows = bind.execute(sa.select(_complaints.c.id, _complaints.c.worker_cnic, _complaints.c.worker_passport)).all()
    for cid, cnic, passport in rows:
        values = {}
        if cnic and not cnic.startswith(crypto.PREFIX):
            values["worker_cnic"] = ring.encrypt(cnic)
            values["worker_cnic_index"] = crypto.cnic_index(cnic)
        if passport and not passport.startswith(crypto.PREFIX):
            values["worker_passport"] = ring.encrypt(passport)
        if values:
            bind.execute(sa.update(_complaints).where(_complaints.c.id == cid).values(**values))
            counts["complaints"] += 1
    for contact_id, state in bind.execute(sa.select(_conversations.c.contact_id, _conversations.c.state)).all():
        if isinstance(state, dict) and any(k in state for k in crypto.SEALED_PARTS):
            bind.execute(sa.update(_conversations).where(_conversations.c.contact_id == contact_id)
                         .values(state=crypto.seal_state(state)))
            counts["conversations"] += 1
    return counts


def downgrade() -> None:
    """Decrypt identity numbers and states again, then drop the table and columns (deletion requests are lost)."""
    from helpline import crypto

    bind = op.get_bind()
    ring = crypto.keyring()
    for cid, cnic, passport in bind.execute(
            sa.select(_complaints.c.id, _complaints.c.worker_cnic, _complaints.c.worker_passport)).all():
        bind.execute(sa.update(_complaints).where(_complaints.c.id == cid).values(
            worker_cnic=ring.decrypt(cnic)[:15] if cnic else cnic,
            worker_passport=ring.decrypt(passport)[:20] if passport else passport))
    for contact_id, state in bind.execute(sa.select(_conversations.c.contact_id, _conversations.c.state)).all():
        if isinstance(state, dict) and crypto.SEALED in state:
            bind.execute(sa.update(_conversations).where(_conversations.c.contact_id == contact_id)
                         .values(state=crypto.open_state(state)))
    op.drop_index("ix_deletion_requests_status_requested", table_name="deletion_requests")
    op.drop_index("ix_deletion_requests_contact_id", table_name="deletion_requests")
    op.drop_table("deletion_requests")
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("anonymised_at")
        batch.drop_column("worker_cnic_index")
        batch.alter_column("worker_passport", type_=sa.String(length=20), existing_type=sa.Text(),
                           existing_nullable=True)
        batch.alter_column("worker_cnic", type_=sa.String(length=15), existing_type=sa.Text(), existing_nullable=True)
