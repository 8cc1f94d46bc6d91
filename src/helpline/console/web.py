"""Small helpers the console views share: the runtime, the clock, a transaction, template filters, errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import Session

from helpline.privacy import mask

PAGE_SIZE = 50
MAX_FIELD = 4000  # longest note or reply accepted (an SMS body is at most 1600 characters)


def rt() -> Any:
    """The app's :class:`webhooks.app.Runtime` (settings, core, sessions, senders)."""
    return current_app.extensions["helpline"]


def now() -> datetime:
    """The core's clock (tests fix it)."""
    return rt().core.clock()


@contextmanager
def transaction() -> Iterator[Session]:
    """One database transaction for a request's work."""
    with rt().sessions.begin() as session:
        yield session


def clean(value: object, *, keep_lines: bool = False, limit: int | None = None) -> str:
    """Text without control characters (PostgreSQL refuses NUL), stripped and optionally cut to ``limit``."""
    text = "".join(ch for ch in str(value or "") if ch >= " " or (keep_lines and ch in "\n\t")).strip()
    return text[:limit] if limit is not None else text


def form_text(name: str, *, required: bool = False, limit: int = MAX_FIELD) -> str:
    """A form field as clean text (control characters dropped); 400 when required and missing or too long."""
    value = clean(request.form.get(name, ""), keep_lines=True)
    if (required and not value) or len(value) > limit:
        abort(400, description=f"{name}: {'required' if not value else 'too long'}")
    return value


def arg_int(name: str, default: int, low: int = 1, high: int = 10**6) -> int:
    """A query-string integer within bounds, or the default (never an error)."""
    try:
        return max(low, min(high, int(request.args.get(name, default))))
    except (TypeError, ValueError):
        return default


def when(value: datetime | None) -> str:
    """A UTC time for people: ``2026-11-25 12:00``."""
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def age(value: datetime | None) -> str:
    """How long ago, roughly: ``3d``, ``5h``, ``12m``."""
    if value is None:
        return "—"
    delta: timedelta = now() - value
    seconds = max(0, int(delta.total_seconds()))
    if seconds >= 86400:
        return f"{seconds // 86400}d"
    if seconds >= 3600:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}m"


def shown(value: object) -> str:
    """Text as staff may see it: personal numbers masked, unless this response is an audited reveal."""
    text = "" if value is None else str(value)
    return text if g.get("pii_revealed") else mask(text)


def _error_page(exc: Any) -> tuple[str, int]:
    code = getattr(exc, "code", 500) or 500
    reason = exc.description if isinstance(exc, CSRFError) else getattr(exc, "description", "")
    return render_template("console/error.html", code=code, reason=reason), code


def register_filters(bp: Blueprint) -> None:
    """Template filters (``mask``, ``when``, ``age``) and friendly error pages for the console."""
    bp.add_app_template_filter(shown, "mask_pii")
    bp.add_app_template_filter(when, "when")
    bp.add_app_template_filter(age, "age")
    for code in (400, 403, 404, 405, 413, 429):
        bp.register_error_handler(code, _error_page)
