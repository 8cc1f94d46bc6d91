"""Tables of the console concern (see helpline.storage.schema). Each change goes with an Alembic migration.

Staff users and the audit log (handoffs live in :mod:`helpline.handoff.models`). Failed sign-ins are counted in
``helpline.throttle``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpline.storage.models import Base

ROLES: tuple[str, ...] = ("agent", "supervisor", "admin")  # each role can do everything the one before can


def role_rank(role: str | None) -> int:
    """agent=1 < supervisor=2 < admin=3; unknown=0."""
    return ROLES.index(role) + 1 if role in ROLES else 0


class StaffUser(Base):
    """A person who signs in to the console; the password is an argon2 hash."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)  # bumped on password/role change: logs out
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]

    def __repr__(self) -> str:  # never the hash
        return f"StaffUser(id={self.id!r}, username={self.username!r}, role={self.role!r}, active={self.active!r})"


class AuditEntry(Base):
    """Who did what to which record, and every reveal of personal data. Never updated or deleted by the app."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(64))  # staff username, or "cli"
    action: Mapped[str] = mapped_column(String(40))  # "complaint.status", "pii.reveal", "user.create", ...
    target_type: Mapped[str | None] = mapped_column(String(30))
    target_id: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # masked; never a secret
    ip: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"AuditEntry(id={self.id!r}, actor={self.actor!r}, action={self.action!r})"


class ComplaintRead(Base):
    """When a staff member last opened a complaint: a worker message newer than that is unread for them (issue 15).
    One row per (complaint, staff username); rows go with the complaint."""

    __tablename__ = "complaint_reads"

    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"ComplaintRead(complaint_id={self.complaint_id!r}, username={self.username!r})"


class ReplyTemplate(Base):
    """A canned reply supervisors keep, in the three languages, with ``{reference}``, ``{due}``, ``{body}``
    placeholders filled when an agent picks it (issue 15)."""

    __tablename__ = "reply_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    text_en: Mapped[str] = mapped_column(Text)
    text_ur: Mapped[str] = mapped_column(Text)
    text_ur_latn: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]

    def text(self, lang: str) -> str:
        """The wording for ``lang`` (``en``, ``ur``, ``ur-Latn``), English when that one is empty."""
        value = {"ur": self.text_ur, "ur-Latn": self.text_ur_latn}.get(lang) or ""
        return value or self.text_en

    def __repr__(self) -> str:
        return f"ReplyTemplate(id={self.id!r}, name={self.name!r}, active={self.active!r})"
