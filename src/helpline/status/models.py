"""Tables of the status concern (see helpline.storage.schema). Each change goes with an Alembic migration."""

from __future__ import annotations

from helpline.storage.models import Base  # noqa: F401
