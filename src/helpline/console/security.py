"""Console security: password hashing, sign-in throttling, sessions, CSRF, roles, headers and the audit log.

* Passwords: argon2id (argon2-cffi), re-hashed on sign-in when the parameters change.
* Throttling: failed sign-ins are rows in ``throttle_failures`` (scope ``login``, keys ``user:<name>`` and
  ``ip:<addr>``; in the database, so every gunicorn worker sees them): more than ``MAX_USER_FAILURES`` for one
  username or ``MAX_IP_FAILURES`` from one address within ``WINDOW`` → 429.
* CSRF: Flask-WTF's ``CSRFProtect`` in manual mode (``WTF_CSRF_CHECK_DEFAULT = False``) checked for every
  non-GET request to ``/staff`` only, so provider webhooks (signed by their providers) are unaffected.
* Sessions: Flask-Login; cookies HttpOnly, SameSite=Lax, Secure under HTTPS; a user's ``session_version`` is in
  the session id and checked on every request, so signing out, deactivating a user or changing their password or
  role signs them out everywhere: a cookie captured before no longer opens any page. Idle timeout: the cookie's
  signature is dated and re-dated on every request, and one older than ``HELPLINE_SESSION_MINUTES`` is refused;
  absolute timeout: the sign-in time is in the signed session, and a session older than
  ``HELPLINE_SESSION_MAX_HOURS`` ends however busy it is.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Any, Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, Response, abort, current_app, flash, redirect, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, logout_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from helpline import throttle
from helpline.console.models import ROLES, AuditEntry, StaffUser, role_rank
from helpline.crypto import key_file
from helpline.privacy import mask

log = logging.getLogger(__name__)

csrf = CSRFProtect()
login_manager = LoginManager()
hasher = PasswordHasher()
_DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))  # verified when the user does not exist: same timing

WINDOW = timedelta(minutes=15)
MAX_USER_FAILURES = 5
MAX_IP_FAILURES = 20
THROTTLE_SCOPE = "login"
MIN_PASSWORD = 10
PUBLIC_ENDPOINTS = frozenset({"console.login", "console.static"})
REQUIRED_ROLE: dict[str, str] = {}  # endpoint → least role; endpoints not listed need "agent"

# script-src / connect-src 'self': the console's one static script (live refresh, notifications; no inline
# script, no eval); font-src 'self': the bundled Urdu font (issue 15).
# media-src 'self': voice notes workers sent, played from /staff/media (issue 18).
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; media-src 'self'; font-src 'self'; "
       "script-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


@dataclass
class StaffIdentity(UserMixin):
    """The signed-in staff member as the views see them (a plain object, detached from any session)."""

    id: int
    username: str
    role: str
    session_version: int

    def get_id(self) -> str:
        """Flask-Login's session id: user id and session version."""
        return f"{self.id}:{self.session_version}"

    def can(self, role: str) -> bool:
        """Whether this user has at least ``role``."""
        return role_rank(self.role) >= role_rank(role)


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return hasher.hash(password)


def check_password_strength(password: str) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD:
        return f"the password must have at least {MIN_PASSWORD} characters"
    if len(password) > 1024:
        return "the password is too long"
    return None


def verify_password(user: StaffUser | None, password: str) -> bool:
    """Check a password in constant-ish time, also when there is no such user; re-hash old parameters."""
    try:
        hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    if user is None:
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def _login_keys(username: str, ip: str) -> tuple[str, str]:
    return f"user:{username[:64]}", f"ip:{ip[:64]}"


def throttled(session: Session, username: str, ip: str, now: datetime) -> bool:
    """Too many recent failed sign-ins for this username or from this address."""
    by_user, by_ip = _login_keys(username, ip)
    counts = throttle.recent_counts(session, THROTTLE_SCOPE, (by_user, by_ip), now - WINDOW)
    return counts[by_user] >= MAX_USER_FAILURES or counts[by_ip] >= MAX_IP_FAILURES


def record_attempt(session: Session, username: str, ip: str, success: bool, now: datetime) -> None:
    """Count a failed sign-in (a success is not stored: only failures throttle); drop expired failures."""
    if success:
        return
    throttle.record(session, THROTTLE_SCOPE, _login_keys(username, ip), now)
    throttle.prune(session, now - 2 * WINDOW, scope=THROTTLE_SCOPE)  # older rows can no longer throttle anyone


def audit(session: Session, action: str, target_type: str | None = None, target_id: Any = None, *,
          actor: str | None = None, now: datetime, **detail: Any) -> AuditEntry:
    """Record one change or reveal in the caller's transaction; string details are masked."""
    if actor is None:
        actor = current_user.username if current_user and current_user.is_authenticated else "anonymous"
    clean = {k: mask(v) if isinstance(v, str) else v for k, v in detail.items()}
    entry = AuditEntry(at=now, actor=actor[:64], action=action[:40], target_type=target_type,
                       target_id=None if target_id is None else str(target_id)[:40], detail=clean or None,
                       ip=(request.remote_addr or "")[:64] if request else None)
    session.add(entry)
    return entry


def requires(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a console view as needing at least ``role`` (checked in the blueprint's before-request guard)."""
    assert role in ROLES

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        REQUIRED_ROLE[f"console.{fn.__name__}"] = role

        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated or not current_user.can(role):
                abort(403)
            return fn(*args, **kwargs)

        return wrapper

    return deco


SIGNED_IN_AT = "signed_in_at"  # session key: when this session signed in (wall-clock seconds)


def wall_clock() -> float:
    """Seconds since the epoch, for session ages (the core's clock is fixed in tests; sessions need real time)."""
    return time.time()


def start_session() -> None:
    """Mark the session that is signing in now (call after ``session.clear()``, before ``login_user``)."""
    session.permanent = True
    session[SIGNED_IN_AT] = int(wall_clock())


def end_sessions(db: Session, user_id: int) -> None:
    """End every session of a user, on every device: their session version moves on, so cookies issued
    before no longer match it (sign-out, password and role changes)."""
    db.execute(update(StaffUser).where(StaffUser.id == user_id)
               .values(session_version=StaffUser.session_version + 1))


def _too_old() -> bool:
    started = session.get(SIGNED_IN_AT)
    limit = current_app.config["HELPLINE_SESSION_MAX_SECONDS"]
    return not isinstance(started, int) or wall_clock() - started > limit


def guard() -> Response | None:
    """Before every console request: CSRF on anything but GET/HEAD, then sign-in (within the absolute timeout),
    then the role."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()  # raises CSRFError (400)
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if current_user.is_authenticated and _too_old():
        logout_user()
        session.clear()
        flash("Your session has ended. Sign in again.")
        target = request.full_path if request.method == "GET" else None
        return redirect(url_for("console.login", next=target))  # type: ignore[return-value]
    if not current_user.is_authenticated:
        target = request.full_path if request.method == "GET" else None
        return redirect(url_for("console.login", next=target))  # type: ignore[return-value]
    need = REQUIRED_ROLE.get(request.endpoint or "", "agent")
    if not current_user.can(need):
        abort(403)
    return None


def secure_headers(response: Response) -> Response:
    """Security headers on every response under ``/staff`` (a 404 for an unknown path and a 500 too); pages
    are never cached."""
    if request.path != "/staff" and not request.path.startswith("/staff/"):
        return response
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "console.static":
        response.headers["Cache-Control"] = "no-store"
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def safe_next(target: str | None) -> str | None:
    """A same-site path to return to after sign-in, or None (no open redirects)."""
    if not target or not target.startswith("/staff") or target.startswith("//") or "\\" in target:
        return None
    return target


def _secret_key(settings: Any, database_url: str) -> str:
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings.secret_key.get_secret_value()
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return key_file(Path(url.database).with_name(Path(url.database).name + ".secret"),
                        lambda: secrets.token_urlsafe(48))
    log.warning("HELPLINE_SECRET_KEY is not set: console sessions end when this process restarts")
    return secrets.token_urlsafe(48)


def init_app(app: Flask) -> None:
    """Configure sessions, CSRF and Flask-Login on the app (called once when the blueprint is registered)."""
    rt = app.extensions["helpline"]
    settings = rt.settings
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(settings, rt.engine.url.render_as_string(hide_password=True))
    secure = settings.session_cookie_secure
    if secure is None:
        secure = bool(settings.public_url and settings.public_url.lower().startswith("https://"))
    lifetime = timedelta(minutes=settings.session_minutes)
    for key, value in {
        "SESSION_COOKIE_HTTPONLY": True, "SESSION_COOKIE_SAMESITE": "Lax", "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_NAME": "helpline_staff", "PERMANENT_SESSION_LIFETIME": lifetime,
        "SESSION_REFRESH_EACH_REQUEST": True,  # the idle timeout: each request re-dates the cookie's signature
        "HELPLINE_SESSION_MAX_SECONDS": settings.session_max_hours * 3600,
        "REMEMBER_COOKIE_HTTPONLY": True, "REMEMBER_COOKIE_SAMESITE": "Lax", "REMEMBER_COOKIE_SECURE": secure,
        "WTF_CSRF_CHECK_DEFAULT": False, "WTF_CSRF_TIME_LIMIT": int(lifetime.total_seconds()),
        "WTF_CSRF_SSL_STRICT": True,
    }.items():
        app.config[key] = value
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "console.login"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def _load_user(user_id: str) -> StaffIdentity | None:
    try:
        uid, version = (int(part) for part in user_id.split(":", 1))
    except ValueError:
        return None
    with current_app.extensions["helpline"].sessions() as session:
        user = session.get(StaffUser, uid)
        if user is None or not user.active or user.session_version != version:
            return None
        return StaffIdentity(user.id, user.username, user.role, user.session_version)
