"""Administration: staff users (create, change role, deactivate, reset password) and the audit log."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from helpline.console import security
from helpline.console.models import ROLES, AuditEntry, StaffUser
from helpline.console.users import create_user
from helpline.console.views import bp
from helpline.console.web import PAGE_SIZE, arg_int, clean, form_text, now, transaction


@bp.route("/users")
@security.requires("admin")
def users():  # type: ignore[no-untyped-def]
    """Every staff user with role, state and last sign-in."""
    with transaction() as db:
        rows = db.scalars(select(StaffUser).order_by(StaffUser.username)).all()
        listing = [{"id": u.id, "username": u.username, "role": u.role, "active": u.active,
                    "last_login_at": u.last_login_at, "created_at": u.created_at} for u in rows]
    return render_template("console/users.html", users=listing, roles=ROLES, active="admin")


@bp.route("/users", methods=["POST"])
@security.requires("admin")
def user_create():  # type: ignore[no-untyped-def]
    """Create a user with an initial password the admin hands over."""
    username = form_text("username", required=True, limit=64).lower()
    role = form_text("role", required=True, limit=20)
    password = request.form.get("password", "")[:1024]
    try:
        with transaction() as db:
            user = create_user(db, username, password, role, now())
            security.audit(db, "user.create", "staff_user", user.id, now=now(), username=username, role=role)
    except ValueError as exc:
        flash(f"Not created: {exc}.", "error")
    else:
        flash(f"Created {role} {username}.")
    return redirect(url_for("console.users"))


@bp.route("/users/<int:user_id>", methods=["POST"])
@security.requires("admin")
def user_update(user_id: int):  # type: ignore[no-untyped-def]
    """Change a user's role, (de)activate them, or set a new password; each signs them out everywhere."""
    role = form_text("role", limit=20)
    state = form_text("active", limit=5)
    password = request.form.get("password", "")[:1024]
    with transaction() as db:
        user = db.get(StaffUser, user_id)
        if user is None:
            abort(404)
        changes: dict[str, object] = {}
        if role and role != user.role:
            if role not in ROLES:
                abort(400, description="unknown role")
            changes["role"] = [user.role, role]
            user.role = role
        if state in ("yes", "no") and (state == "yes") != user.active:
            if user.id == current_user.id:
                abort(400, description="you cannot deactivate yourself")
            changes["active"] = state == "yes"
            user.active = state == "yes"
        if password:
            problem = security.check_password_strength(password)
            if problem:
                flash(f"Not changed: {problem}.", "error")
                return redirect(url_for("console.users"))
            user.password_hash = security.hash_password(password)
            changes["password"] = "reset"
        if changes:
            user.session_version += 1
            security.audit(db, "user.update", "staff_user", user.id, now=now(), **changes)
            flash(f"Updated {user.username}.")
    return redirect(url_for("console.users"))


@bp.route("/audit")
@security.requires("admin")
def audit_log():  # type: ignore[no-untyped-def]
    """The audit log, newest first, filterable by actor and action."""
    page = arg_int("page", 1)
    actor = clean(request.args.get("actor"), limit=64)
    action = clean(request.args.get("action"), limit=40)
    query = select(AuditEntry)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    with transaction() as db:
        total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = db.scalars(query.order_by(AuditEntry.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
        entries = [{"at": e.at, "actor": e.actor, "action": e.action, "target": f"{e.target_type or ''} {e.target_id or ''}",
                    "detail": e.detail, "ip": e.ip} for e in rows]
    return render_template("console/audit.html", entries=entries, page=page, total=total, size=PAGE_SIZE,
                           actor=actor, action=action, active="audit")


from helpline.console import privacy as _privacy  # noqa: E402,F401  (deletion requests, issue 16: admin only too)
