"""A local fake of Twilio's Messages API: a real HTTP/1.1 keep-alive server that twilio-python talks to.

Point the sender at ``fake.url`` (``HELPLINE_TWILIO_API_URL``); it serves
``POST /2010-04-01/Accounts/{sid}/Messages.json`` with Basic auth, records every request, and by default answers
201 with a new ``SM…`` sid. :meth:`FakeTwilio.script` queues the next answers, in order::

    fake = FakeTwilio().start()
    fake.script(500, 429, (400, 21211), (400, 21610), "hang", 201)
    ...
    fake.stop()

``"hang"`` holds the request without answering until :meth:`release` (or ``stop``), so a client times out or
a worker can be killed mid-request. ``requests`` lists :class:`Request` records (form fields decoded);
``delivered`` lists only those answered 201. A message needs a ``Body`` or, for a WhatsApp template, a
``ContentSid`` (with ``ContentVariables``) and no ``Body``, as Twilio requires.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl

from tests.fakes import LocalServer

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-fA-F]{32})/Messages\.json$")
MEDIA_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-fA-F]{32})/Messages/[A-Z]{2}[0-9a-fA-F]{32}/Media/"
                        r"(?P<media>ME[0-9a-fA-F]{32})$")
ERRORS = {
    21211: "The 'To' number is not a valid phone number.",
    21610: "Attempt to send to unsubscribed recipient",
    21617: "The concatenated message body exceeds the 1600 character limit.",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
}

Answer = int | str | tuple[int, int]  # 201 | "hang" | (400, 21211)


@dataclass
class Request:
    """One recorded request to the Messages API."""

    path: str
    form: dict[str, str]
    authorized: bool
    status: int | None = None  # what the fake answered; None while hanging or if the client went away
    sid: str | None = None


@dataclass
class MediaRequest:
    """One GET of a media URL (``cdn``: the redirect's target) and whether it carried the account's Basic auth."""

    path: str
    authorized: bool
    status: int
    cdn: bool = False


@dataclass
class FakeTwilio:
    """The fake server; ``with FakeTwilio() as fake`` or ``FakeTwilio().start()`` / ``.stop()``."""

    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    requests: list[Request] = field(default_factory=list)
    connections: int = 0
    media_requests: list[MediaRequest] = field(default_factory=list)  # GETs of media URLs and of the CDN

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._script: deque[Answer] = deque()
        self._release = threading.Event()
        self._hanging = threading.Condition(self._lock)
        self.hanging = 0
        self._sids = itertools.count(1)
        self._server: LocalServer | None = None
        self._media: dict[str, tuple[bytes, str | None]] = {}  # media sid → (bytes, Content-Type)
        self._media_script: deque[int] = deque()

    # -- life cycle ----------------------------------------------------------------------------------

    def start(self) -> FakeTwilio:
        """Listen on a free port of 127.0.0.1 in a background thread."""
        self._server = LocalServer(("127.0.0.1", 0), _handler(self))
        # A short poll: stop() (shutdown) waits for the loop to notice, 0.5 s by default, at the end of every test.
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-twilio",
                         daemon=True).start()
        return self

    def stop(self) -> None:
        """Release hanging requests and close the server."""
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The API root to configure (``http://127.0.0.1:PORT``)."""
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- scripting -----------------------------------------------------------------------------------

    def script(self, *answers: Answer) -> None:
        """Queue answers for the next requests: 201, 500, 429, (400, code) or "hang"; then 201 again."""
        with self._lock:
            self._script.extend(answers)

    def release(self) -> None:
        """Let every hanging request go (they then get a 500), and stop hanging new ones."""
        self._release.set()

    def wait_hanging(self, count: int = 1, timeout: float = 10.0) -> bool:
        """Block until ``count`` requests are being held."""
        with self._hanging:
            return self._hanging.wait_for(lambda: self.hanging >= count, timeout)

    @property
    def delivered(self) -> list[Request]:
        """The requests answered 201, in order."""
        with self._lock:
            return [r for r in self.requests if r.status == 201]

    # -- serving -------------------------------------------------------------------------------------

    def add_media(self, data: bytes, content_type: str | None, message_sid: str = "MM" + "1" * 32) -> str:
        """Serve ``data`` as a message's media; its URL as Twilio puts it in ``MediaUrlN`` (on this fake's root).

        A GET with the account's Basic auth is redirected (307) to ``/cdn/{media sid}``, which serves the bytes
        without auth, as Twilio's media CDN does with a signed URL; without auth the media URL answers 401."""
        with self._lock:
            media_sid = f"ME{len(self._media) + 1:032x}"
            self._media[media_sid] = (data, content_type)
        return f"{self.url}/2010-04-01/Accounts/{self.account_sid}/Messages/{message_sid}/Media/{media_sid}"

    def script_media(self, *statuses: int) -> None:
        """Answer the next media GETs with these statuses (e.g. 500, 404), then serve the media again."""
        with self._lock:
            self._media_script.extend(statuses)

    def _next(self) -> Answer:
        with self._lock:
            return self._script.popleft() if self._script else 201

    def answer(self, record: Request) -> tuple[int, dict[str, Any]]:
        """The status and JSON body for one request (called by the handler thread)."""
        if not record.authorized:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        content = record.form.get("Body") or record.form.get("ContentSid")  # a WhatsApp template has no Body
        if not PATH.match(record.path) or not record.form.get("To") or not content:
            return 400, {"code": 21604, "message": "A 'To' phone number and a 'Body' are required.", "status": 400}
        if record.form.get("ContentSid") and record.form.get("Body"):
            return 400, {"code": 21619, "message": "A template (ContentSid) is sent without a Body.", "status": 400}
        answer = self._next()
        if answer == "hang":
            with self._hanging:
                self.hanging += 1
                self._hanging.notify_all()
            self._release.wait()
            return 500, {"code": 20500, "message": ERRORS[20500], "status": 500}
        if isinstance(answer, tuple):
            status, code = answer
        elif answer == 429:
            status, code = 429, 20429
        elif isinstance(answer, int) and answer >= 500:
            status, code = answer, 20500
        else:
            sid = f"SM{next(self._sids):032x}"
            record.sid = sid
            return 201, {"sid": sid, "account_sid": self.account_sid, "to": record.form["To"],
                         "from": record.form.get("From"), "messaging_service_sid": record.form.get("MessagingServiceSid"),
                         "body": record.form.get("Body", ""), "status": "queued", "num_segments": "1", "direction": "outbound-api",
                         "api_version": "2010-04-01", "error_code": None, "error_message": None,
                         "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json"}
        return status, {"code": code, "message": ERRORS.get(code, "error"), "status": status,
                        "more_info": f"https://www.twilio.com/docs/errors/{code}"}


def _handler(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    expected = "Basic " + base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as Twilio's API does
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

        def setup(self) -> None:
            super().setup()
            with fake._lock:
                fake.connections += 1

        def do_POST(self) -> None:  # noqa: N802 - the http.server naming
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8") if length else ""
            record = Request(path=self.path, form=dict(parse_qsl(raw, keep_blank_values=True)),
                             authorized=self.headers.get("Authorization") == expected)
            with fake._lock:
                fake.requests.append(record)
            status, body = fake.answer(record)
            record.status = status
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (timeout) or was killed: nothing to answer
                record.status = None

        def do_GET(self) -> None:  # noqa: N802 - media URLs and the CDN behind them
            authorized = self.headers.get("Authorization") == expected
            found = MEDIA_PATH.match(self.path)
            cdn = self.path.startswith("/cdn/")
            sid = found["media"] if found else self.path.removeprefix("/cdn/") if cdn else ""
            with fake._lock:
                item = fake._media.get(sid)
                scripted = fake._media_script.popleft() if fake._media_script and not cdn else None
            headers: dict[str, str] = {}
            if scripted is not None:
                status, body = scripted, json.dumps({"code": 20000 + scripted, "status": scripted}).encode()
            elif item is None or (found and found["sid"] != fake.account_sid):
                status, body = 404, json.dumps({"code": 20404, "message": "not found", "status": 404}).encode()
            elif found and not authorized:
                status, body = 401, json.dumps({"code": 20003, "message": "Authenticate", "status": 401}).encode()
            elif found:
                status, body, headers = 307, b"", {"Location": f"{fake.url}/cdn/{sid}"}
            else:
                status, body = 200, item[0]
                headers = {"Content-Type": item[1]} if item[1] else {}
            with fake._lock:
                fake.media_requests.append(MediaRequest(self.path, authorized, status, cdn))
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if status != 200:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    return Handler
