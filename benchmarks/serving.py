"""What the benchmarks share to drive a real ``helpline serve``: a free port, a clean environment with Twilio
configured, the server as a subprocess (waited for on /healthz, stopped with SIGTERM), and inbound SMS forms
signed with Twilio's own ``RequestValidator``.

Used by ``serve_bench.py`` (throughput) and ``tasks.py`` (what a task costs a worker). Not a test helper:
nothing here asserts.
"""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
ACCOUNT_SID = "AC" + "0" * 32
PUBLIC_URL = "https://helpline.example.org"
SMS_PATH = "/webhooks/twilio/sms"
TO_NUMBER = "+15005550006"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**settings: str) -> dict[str, str]:
    """This environment without the developer's HELPLINE_* variables, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPLINE_")}
    env.update(settings)
    return env


def helpline_env(db_url: str) -> dict[str, str]:
    # Only the token: answering inbound SMS by TwiML needs no account SID or sender (that is outbound REST).
    return clean_env(HELPLINE_DATABASE_URL=db_url, HELPLINE_TWILIO_AUTH_TOKEN=AUTH_TOKEN, HELPLINE_PUBLIC_URL=PUBLIC_URL,
                     HELPLINE_TWILIO_HANDLES_OPT_OUT="false", HELPLINE_LOG_LEVEL="WARNING",
                     HELPLINE_SECRET_KEY=secrets.token_urlsafe(32), HELPLINE_PEPPER=secrets.token_urlsafe(32))


def sms_form(body: str, sender: str, sid: str | None = None) -> dict[str, str]:
    """An inbound SMS webhook form as Twilio posts it (a fresh ``SM`` + 32 hex MessageSid unless given)."""
    sid = sid or "SM" + secrets.token_hex(16)
    return {"ToCountry": "US", "SmsMessageSid": sid, "NumMedia": "0", "SmsSid": sid, "SmsStatus": "received",
            "Body": body, "To": TO_NUMBER, "NumSegments": "1", "MessageSid": sid, "AccountSid": ACCOUNT_SID,
            "From": sender, "FromCountry": "PK", "ApiVersion": "2010-04-01"}


def sign(form: dict[str, str], path: str = SMS_PATH) -> str:
    """The X-Twilio-Signature of ``form`` posted to ``PUBLIC_URL + path``, by Twilio's own validator."""
    from twilio.request_validator import RequestValidator

    return RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + path, form)


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> str:
        """SIGTERM, wait (bounded); a note if it did not exit 0 or logged a traceback."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
                return f"{self.name}: did not stop on SIGTERM (killed)"
        text = self.log.read_text("utf-8", "replace")
        notes = []
        lines = [line for line in text.splitlines() if line.strip()]
        if lines and "Traceback" not in text:
            notes.append(f"{len(lines)} log line(s), the last: " + " | ".join(lines[-3:])[-600:])
        if self.proc.returncode != 0:
            notes.append(f"exit code {self.proc.returncode}")
        if "Traceback" in text:
            notes.append("traceback in its log:\n" + text[-2500:])
        return f"{self.name}: " + "; ".join(notes) if notes else ""


def start_server(name: str, cmd: list[str], env: dict[str, str], port: int, workdir: Path,
                 timeout: float = 90) -> Server:
    """Start ``cmd`` (a server on ``port``) with its output in ``workdir``; return once /healthz answers 200."""
    log = workdir / f"{name.replace(' ', '_')}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT)
    server = Server(name, port, proc, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited early:\n{log.read_text('utf-8', 'replace')[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return server
            conn.close()
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} did not become healthy in {timeout:.0f} s:\n"
                       f"{log.read_text('utf-8', 'replace')[-3000:]}")
