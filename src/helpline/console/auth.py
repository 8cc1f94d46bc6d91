"""Signing in and out. Failed attempts are stored and throttled per username and per address."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from helpline.console import security
from helpline.console.models import StaffUser
from helpline.console.views import bp
from helpline.console.web import clean, now, transaction


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    """The sign-in form; on success, back to the page asked for (same site only) or the queue."""
    if request.method == "GET":
        return render_template("console/login.html", next=security.safe_next(request.args.get("next")))
    username = clean(request.form.get("username"), limit=64).lower()
    password = request.form.get("password", "")[:1024]
    ip = request.remote_addr or "?"
    at = now()
    with transaction() as db:
        if security.throttled(db, username, ip, at):
            security.record_attempt(db, username, ip, False, at)
            return render_template("console/login.html", error="Too many failed sign-ins. Wait 15 minutes and try "
                                   "again, or ask an administrator.", next=None), 429
        user = db.scalars(select(StaffUser).where(StaffUser.username == username)).one_or_none() if username else None
        ok = security.verify_password(user, password) and user is not None and user.active
        security.record_attempt(db, username, ip, ok, at)
        if not ok or user is None:
            return render_template("console/login.html", error="Wrong username or password.", next=None), 401
        user.last_login_at = at
        identity = security.StaffIdentity(user.id, user.username, user.role, user.session_version)
        security.audit(db, "auth.login", "staff_user", user.id, actor=user.username, now=at)
    session.clear()  # a fresh session on sign-in (no fixation)
    security.start_session()
    login_user(identity)
    return redirect(security.safe_next(request.form.get("next")) or url_for("console.queue"))


@bp.route("/logout", methods=["POST"])
def logout():  # type: ignore[no-untyped-def]
    """Sign out (a POST with the CSRF token, so no other site can sign staff out). Server side: the user's
    session version moves on, so this session, and any copy of its cookie, no longer opens a page."""
    if current_user.is_authenticated:
        with transaction() as db:
            security.end_sessions(db, current_user.id)
            security.audit(db, "auth.logout", "staff_user", current_user.id, now=now())
    logout_user()
    session.clear()
    flash("Signed out.")
    return redirect(url_for("console.login"))
