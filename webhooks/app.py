"""The Flask app factory: one blueprint per concern, one :class:`Runtime` shared by every request.

``create_app()`` reads settings (never at import), loads the core once, opens the database and registers:

* ``GET /healthz``           — the database answers and its schema is current;
* ``GET /readyz``            — JSON: the database (SELECT 1, schema) and Redis (PING, when configured), 200 or 503;
* ``/webhooks/twilio/...``   — SMS and WhatsApp in, delivery status in (:mod:`webhooks.twilio.webhook`);
* ``/webhooks/telegram``     — Telegram updates (:mod:`bot.webhook`);
* ``/staff/...``             — the staff console (:mod:`helpline.console.views`).

Error rule: a channel raises :class:`~helpline.errors.InboundRejected` for requests that must not reach the
engine, and the handler here turns it into a 4xx/503 with the reason as plain text. Anything else that escapes
is a bug: it is logged (masked) and answered with a plain 500, never a traceback.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter
from werkzeug.middleware.proxy_fix import ProxyFix

from helpline import crypto
from helpline.errors import InboundRejected
from helpline.outbox import Sender
from helpline.pipeline import Core
from helpline.wiring import build_core
from helpline.settings import Settings, load_settings
from helpline.storage import db

log = logging.getLogger(__name__)

MAX_CONTENT_LENGTH = 64 * 1024  # no provider webhook or console form is larger; bigger bodies get 413
MAX_ROW_ID = 2**31 - 1  # ids are INTEGER columns: a larger number in a URL names no row


class RowIdConverter(IntegerConverter):
    """``<int:…>`` in every route: 1 … 2³¹−1, so ``/staff/complaints/9223372036854775808`` is a 404, not a
    PostgreSQL "integer out of range" (a 500)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


@dataclass
class Runtime:
    """What the views share: settings, the loaded core, the database and the outbound senders by channel."""

    settings: Settings
    core: Core
    engine: Engine
    sessions: sessionmaker[Session]
    senders: dict[str, Sender] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)  # per-concern objects (e.g. the Telegram bot loop)


def runtime() -> Runtime:
    """The runtime of the app handling the current request."""
    return current_app.extensions["helpline"]


def create_app(settings: Settings | None = None, *, core: Core | None = None, engine: Engine | None = None,
               senders: dict[str, Sender] | None = None, config: dict[str, Any] | None = None) -> Flask:
    """Build the web app. Tests pass their own settings, core, engine or senders; production passes nothing."""
    settings = settings or load_settings()
    crypto.configure(settings)  # the data keys (helpline.crypto), before any row is read or migrated
    core = core or build_core(settings)
    if engine is None:
        engine = db.make_engine(settings.database_url)
        if engine.dialect.name == "sqlite":
            db.upgrade(engine)  # the embedded default sets itself up; PostgreSQL is upgraded by `helpline db upgrade`
    app = Flask(__name__)
    app.url_map.converters["int"] = RowIdConverter  # before any blueprint registers its rules
    app.config.update(MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH, **(config or {}))
    if settings.proxy_hops:
        # Behind N trusted proxies the client's address and scheme are in X-Forwarded-*: sign-in throttling and
        # the audit log then see the worker's address, not the proxy's. Untrusted headers are never read.
        # https://werkzeug.palletsprojects.com/en/stable/middleware/proxy_fix/
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]
    sessions = db.make_session_factory(engine)
    app.extensions["helpline"] = Runtime(settings=settings, core=core, engine=engine, sessions=sessions,
                                         senders=dict(senders or {}))
    _learn_taught_examples(core, sessions)

    from helpline.console.views import bp as console_bp
    from bot.webhook import bp as telegram_bp
    from webhooks.twilio.webhook import bp as twilio_bp

    app.register_blueprint(twilio_bp)
    app.register_blueprint(telegram_bp)
    app.register_blueprint(console_bp)
    app.add_url_rule("/healthz", "healthz", healthz)
    app.add_url_rule("/readyz", "readyz", readyz)
    app.register_error_handler(InboundRejected, _rejected)
    app.register_error_handler(Exception, _unexpected)
    return app


def _learn_taught_examples(core: Core, sessions: sessionmaker[Session]) -> None:
    """Train on what staff taught before this start (a database that is not set up yet has nothing to teach)."""
    try:
        core.retrain(sessions)
    except Exception as exc:  # noqa: BLE001 - e.g. PostgreSQL not upgraded yet: /healthz says so, turns still work
        log.warning("could not read the taught examples at start-up (%s); the matcher uses locales/ only",
                    type(exc).__name__)


def healthz() -> tuple[str, int, dict[str, str]]:
    """200 when the database answers and its schema is current, else 503 with the reason."""
    rt = runtime()
    try:
        with rt.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        if not db.is_up_to_date(rt.engine):
            return "database schema is not current: run `helpline db upgrade`\n", 503, _plain()
    except Exception as exc:  # noqa: BLE001 - any database failure is "unhealthy", with its class named
        log.warning("healthz: database check failed: %s", type(exc).__name__)
        return f"database unavailable ({type(exc).__name__})\n", 503, _plain()
    return "ok\n", 200, _plain()


def readyz() -> tuple[dict[str, Any], int, dict[str, str]]:
    """Whether this instance can serve: ``{"ready": bool, "checks": {"database": {...}, "redis": {...}}}``.

    The database must answer ``SELECT 1`` with its schema current; Redis, when ``HELPLINE_REDIS_URL`` is set, must
    answer PING (unset: ``{"ok": true, "configured": false}``). 200 when every check passes, else 503. A failure
    names only the exception's class: never a URL, host, password or message that could carry them.
    """
    rt = runtime()
    checks = {"database": _check_database(rt), "redis": _check_redis(rt)}
    ready = all(check["ok"] for check in checks.values())
    return {"ready": ready, "checks": checks}, 200 if ready else 503, {"Cache-Control": "no-store"}


def _check_database(rt: Runtime) -> dict[str, Any]:
    try:
        with rt.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        if not db.is_up_to_date(rt.engine):
            return {"ok": False, "error": "schema not current: run `helpline db upgrade`"}
    except Exception as exc:  # noqa: BLE001 - any failure is "not ready", with its class named
        log.warning("readyz: database check failed: %s", type(exc).__name__)
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def _check_redis(rt: Runtime) -> dict[str, Any]:
    url = rt.settings.redis_url
    if url is None or not url.get_secret_value():
        return {"ok": True, "configured": False}
    client = rt.extras.get("readyz_redis")
    try:
        if client is None:
            import redis

            client = rt.extras["readyz_redis"] = redis.Redis.from_url(
                url.get_secret_value(), socket_timeout=1.0, socket_connect_timeout=1.0)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - a bad URL or an unreachable server alike: not ready
        log.warning("readyz: redis check failed: %s", type(exc).__name__)
        return {"ok": False, "configured": True, "error": type(exc).__name__}
    return {"ok": True, "configured": True}


def _plain() -> dict[str, str]:
    return {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


def _rejected(exc: InboundRejected) -> tuple[str, int, dict[str, str]]:
    log.info("rejected request: %s (%s)", exc.reason, exc.status)
    return exc.reason + "\n", exc.status, _plain()


def _unexpected(exc: Exception) -> Any:
    if isinstance(exc, HTTPException):
        return exc
    log.exception("unhandled error in a request")
    return "internal error; the request was not processed\n", 500, _plain()
