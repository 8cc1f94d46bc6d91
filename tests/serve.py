"""A real `helpline serve` (gunicorn, forked workers) as a subprocess, for end-to-end tests over HTTP.

Every wait is bounded; nothing asserts a wall-clock time. On leaving the ``with`` block the server gets SIGTERM
and must exit 0 without a traceback.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError

import pytest


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(url: str, body: bytes | None = None, headers: dict[str, str] | None = None,
            timeout: float = 30) -> tuple[int, str]:
    """GET (or POST with ``body``) and return ``(status, text)``, for error statuses too."""
    req = urllib.request.Request(url, data=body, headers=headers or {}, method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.read().decode()
    except HTTPError as exc:
        return exc.code, exc.read().decode()


def helpline_env(db_url: str, **settings: str) -> dict[str, str]:
    """This process's environment without any HELPLINE_* of the developer's, plus the given settings (and the
    tests' data key, so what a server encrypts the test reads)."""
    from tests.conftest import TEST_DATA_KEY

    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPLINE_")}
    env.update(HELPLINE_DATABASE_URL=db_url, HELPLINE_LOG_LEVEL="WARNING", HELPLINE_DATA_KEYS=TEST_DATA_KEY,
               **settings)
    return env


@dataclass
class Server:
    """A running `helpline serve`: its base URL and process."""

    base: str
    proc: subprocess.Popen[str]

    def get(self, path: str) -> tuple[int, str]:
        """GET a path of the server."""
        return request(self.base + path)

    def post_form(self, path: str, form: dict[str, str], headers: dict[str, str]) -> tuple[int, str]:
        """POST a urlencoded form to a path of the server."""
        return request(self.base + path, urllib.parse.urlencode(form).encode(), headers)


@contextmanager
def helpline_serve(cwd: Path, db_url: str, *, workers: int = 2, **settings: str) -> Iterator[Server]:
    """Start `helpline serve` on a free port with these settings, wait for /healthz, then SIGTERM it on exit."""
    port = free_port()
    cmd = [sys.executable, "-m", "webhooks.main", "serve", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=helpline_env(db_url, **settings), cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    server = Server(f"http://127.0.0.1:{port}", proc)
    try:
        _wait_healthy(server, time.monotonic() + 90)
        yield server
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            output, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate(timeout=10)
            pytest.fail(f"the server did not stop on SIGTERM:\n{output[-3000:]}")
    assert proc.returncode == 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]


def _wait_healthy(server: Server, deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            output = server.proc.stdout.read() if server.proc.stdout else ""
            pytest.fail(f"helpline serve exited early:\n{output[-3000:]}")
        try:
            if server.get("/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail("helpline serve did not become healthy in time")
