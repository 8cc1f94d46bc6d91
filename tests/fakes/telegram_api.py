"""A local fake of the Telegram Bot API: a real HTTP/1.1 keep-alive server that PTB's ``HTTPXRequest`` talks to.

Requests go to ``{url}/bot{token}/{method}`` (point PTB at it with ``base_url``). Every call is recorded with
its decoded parameters (PTB sends form fields; JSON-valued ones such as ``reply_markup`` are decoded here). By
default every method succeeds with a plausible result; :meth:`FakeTelegramAPI.fail` scripts the next answers of
a method: 400, 403, 429 with ``retry_after``, or 500. It speaks HTTP/1.1 and keeps connections open, so the
"event loop is closed" trap of a per-request ``asyncio.run`` shows up here (channels.md): an HTTP/1.0 fake
would hide it. ``connections`` counts accepted TCP connections, so tests can see that they are reused.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl

from tests.fakes import LocalServer

BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "Helpline", "username": "helpline_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}

ERRORS = {
    400: "Bad Request: chat not found",
    403: "Forbidden: bot was blocked by the user",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
}


@dataclass
class Call:
    """One recorded Bot API call."""

    method: str
    params: dict[str, Any]
    token: str
    status: int = 200


@dataclass
class FakeTelegramAPI:
    """The fake server; use as a context manager or call :meth:`start` / :meth:`stop`."""

    token: str = "123456:TEST-token"
    calls: list[Call] = field(default_factory=list)
    updates: deque[dict[str, Any]] = field(default_factory=deque)  # what getUpdates hands out
    connections: int = 0
    delay: float = 0.0  # seconds each call takes (for timeout tests)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._script: dict[str, deque[tuple[int, dict[str, Any]]]] = defaultdict(deque)
        self._ids = itertools.count(1)
        self._server: LocalServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting -------------------------------------------------------------------------------------

    def fail(self, method: str, status: int, *, times: int = 1, retry_after: int | None = None,
             description: str | None = None) -> None:
        """Answer the next ``times`` calls of ``method`` with ``status`` (400, 403, 429 or 500)."""
        body: dict[str, Any] = {"ok": False, "error_code": status,
                                "description": description or ERRORS.get(status, "error").format(retry_after=retry_after)}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        with self._lock:
            self._script[method].extend([(status, body)] * times)

    def sent(self, method: str = "sendMessage") -> list[Call]:
        """The successful calls of one method, in order."""
        with self._lock:
            return [c for c in self.calls if c.method == method and c.status == 200]

    def attempts(self, method: str = "sendMessage") -> list[Call]:
        """Every call of one method, failed ones included."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int, timeout: float = 10.0) -> list[Call]:
        """Block until ``count`` successful calls of ``method`` arrived (for out-of-process servers)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.sent(method)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"{method}: {len(self.sent(method))} call(s) after {timeout}s, expected {count}")

    # -- serving ---------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The API root, as for ``HELPLINE_TELEGRAM_API_URL``."""
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeTelegramAPI:
        """Listen on a free local port in a background thread."""
        fake = self

        class Handler(_Handler):
            api = fake

        self._server = LocalServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-telegram", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeTelegramAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- answers ---------------------------------------------------------------------------------------

    def answer(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Record a call and produce the status and JSON body to send back."""
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            if token != self.token:
                status, body = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            elif self._script[method]:
                status, body = self._script[method].popleft()
            else:
                status, body = 200, {"ok": True, "result": self._result(method, params)}
            self.calls.append(Call(method, params, token, status))
        return status, body

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            chat_id = int(params["chat_id"])
            result = {"message_id": next(self._ids), "date": int(time.time()), "text": params.get("text", ""),
                      "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group", "first_name": "W"},
                      "from": BOT_USER}
            if "reply_markup" in params:
                result["reply_markup"] = params["reply_markup"]
            return result
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            while self.updates and self.updates[0]["update_id"] < offset:
                self.updates.popleft()
            return list(self.updates)[: int(params.get("limit") or 100)]
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True  # answerCallbackQuery, setWebhook, deleteWebhook, ...


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real Bot API
    # Headers and body leave in one write, without Nagle: else each answer waits ~40 ms for a delayed ACK.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True
    api: FakeTelegramAPI

    def setup(self) -> None:
        super().setup()
        with self.api._lock:
            self.api.connections += 1

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8")
        parts = self.path.strip("/").split("/")
        if len(parts) != 2 or not parts[0].startswith("bot"):
            self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        token, method = parts[0][3:], parts[1]
        if self.headers.get("Content-Type", "").startswith("application/json"):
            params = json.loads(raw or "{}")
        else:
            params = {k: _maybe_json(v) for k, v in parse_qsl(raw, keep_blank_values=True)}
        status, body = self.api.answer(token, method, params)
        self._reply(status, body)

    do_GET = do_POST

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass


def _maybe_json(value: str) -> Any:
    """PTB sends objects (reply_markup, allowed_updates) as JSON strings inside form fields."""
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
