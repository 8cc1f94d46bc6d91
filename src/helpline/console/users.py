"""Staff accounts, shared by the admin pages and ``helpline staff add-user`` (no Flask here)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.console.models import ROLES, StaffUser
from helpline.errors import InvalidInput

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def validate(username: str, role: str) -> str | None:
    """Why this username or role is not acceptable, or None."""
    if not USERNAME.match(username):
        return "usernames are 2-64 characters: lower-case letters, digits, '.', '_' or '-'"
    if role not in ROLES:
        return f"role must be one of {', '.join(ROLES)}"
    return None


def create_user(session: Session, username: str, password: str, role: str, now: datetime) -> StaffUser:
    """Add a staff user; :class:`InvalidInput` when the name is taken or invalid or the password too weak."""
    from helpline.console.security import check_password_strength, hash_password

    username = username.strip().lower()
    problem = validate(username, role) or check_password_strength(password)
    if problem:
        raise InvalidInput(problem)
    if session.scalars(select(StaffUser).where(StaffUser.username == username)).first() is not None:
        raise InvalidInput(f"user {username!r} already exists")
    user = StaffUser(username=username, password_hash=hash_password(password), role=role, active=True,
                     session_version=1, created_at=now)
    session.add(user)
    session.flush()
    return user
