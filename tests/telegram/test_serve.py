"""Under `helpline serve` (gunicorn, forked workers), a POSTed update yields a sendMessage at the fake Bot API.

This is the deployment shape where PTB bots classically fail (PTB #3711, #4289): the app is built in the
master, workers are forked, and the bot's event loop must start in each worker, not at import. Every wait is
bounded; nothing asserts a wall-clock time.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.error import HTTPError, URLError

from helpline import engine as eng
from helpline.messages import InboundMessage
from tests.telegram.conftest import CHAT, SECRET, update


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
    req = urllib.request.Request(url, data=body, headers=headers or {}, method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, response.read().decode()
    except HTTPError as exc:
        return exc.code, exc.read().decode()


def _wait_healthy(base: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "helpline serve exited early"
        try:
            if _request(f"{base}/healthz")[0] == 200:
                return
        except (URLError, ConnectionError, OSError):
            pass
        time.sleep(0.2)
    raise AssertionError("helpline serve did not become healthy")


def _main_menu_ids(core) -> list[str]:
    """The buttons /start shows, computed in-process from the same engine."""
    _state, events = eng.step({}, InboundMessage("telegram", f"telegram:{CHAT}", "/start"), core.context())
    return [item.id for event in events if hasattr(event, "reply") for item in event.reply.menu]


def test_an_update_posted_to_helpline_serve_is_answered_with_the_right_keyboard(db_url, engine, fake_api, tmp_path,
                                                                                core):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPLINE_")}
    env.update(HELPLINE_DATABASE_URL=db_url, HELPLINE_LOG_LEVEL="WARNING", HELPLINE_TELEGRAM_TOKEN=fake_api.token,
               HELPLINE_TELEGRAM_SECRET=SECRET, HELPLINE_TELEGRAM_API_URL=fake_api.url)
    proc = subprocess.Popen([sys.executable, "-m", "helpline.cli", "serve", "--port", str(port), "--workers", "2"],
                            env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc)
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
        assert _request(f"{base}/webhooks/telegram", json.dumps(update("message")).encode(), {
            "Content-Type": "application/json"})[0] == 403  # forged: no secret
        for n in range(6):  # several, so both workers (and their own loops) are likely to answer some
            status, body = _request(f"{base}/webhooks/telegram",
                                    json.dumps(update("start", update_id=5000 + n, chat=CHAT + n)).encode(), headers)
            assert status == 200, body
        calls = fake_api.wait_for("sendMessage", 6, timeout=30)
        assert {int(c.params["chat_id"]) for c in calls} == {CHAT + n for n in range(6)}
        for call in calls:
            keyboard = call.params["reply_markup"]["inline_keyboard"]
            assert [b["callback_data"] for row in keyboard for b in row] == _main_menu_ids(core)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            _out, err = proc.communicate()
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
