"""Fixtures for the status registry: a test pepper, CSV import helpers and a worker talking through the service."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from helpline.messages import InboundMessage
from helpline.service import Core, run_turn
from helpline.status import config
from helpline.status.importer import ImportReport, import_csv
from tests.conftest import FIXED_NOW

PEPPER = b"test-pepper-not-secret"
HEADER = "kind,tracking_number,status,date_of_birth,cnic_last4,office\n"
REGISTRY = HEADER + (
    "passport,1234-5678901,in_process,1990-05-14,0123,Regional Passport Office Lahore\n"
    "protector,AB1234567,ready_for_collection,,4321,Protector of Emigrants Rawalpindi\n"
    "skills_passport,NSP-2026-00077,received,1985-01-31,,\n"
)


@pytest.fixture(autouse=True)
def status_config() -> Iterator[config.StatusConfig]:
    """A known pepper and the default throttle (5 failures an hour) for every test here."""
    previous = config._current
    cfg = config.configure(config.StatusConfig(pepper=PEPPER, max_failures=5, window=timedelta(hours=1)))
    yield cfg
    config._current = previous


def load(sessions: sessionmaker[Session], text: str | bytes, *, core: Core | None = None, dry_run: bool = False,
         now: datetime = FIXED_NOW, batch_size: int = 1000) -> ImportReport:
    """Import CSV text (str is UTF-8 encoded) and return the report."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_csv(sessions, io.BytesIO(data), config=config.current(), now=now,
                      render=core.i18n.render if core else None, dry_run=dry_run, batch_size=batch_size)


class Worker:
    """A worker on one phone, talking through the real service (ports, event handlers, one transaction a turn)."""

    def __init__(self, core: Core, sessions: sessionmaker[Session], address: str = "tel:+923001234567",
                 channel: str = "sms"):
        self.core, self.sessions, self.address, self.channel = core, sessions, address, channel

    def say(self, text: str) -> str:
        """Send one message; the reply as plain text."""
        result = run_turn(self.sessions, InboundMessage(self.channel, self.address, text), self.core)
        return "\n\n".join(r.plain() for r in result.replies)

    def script(self, lines: list[tuple[str, list[str]]]) -> list[str]:
        """Play ``[(said, [expected substrings])]``; return the replies."""
        replies = []
        for said, expected in lines:
            reply = self.say(said)
            for part in expected:
                assert part in reply, f"after {said!r} expected {part!r} in:\n{reply}"
            replies.append(reply)
        return replies


@pytest.fixture
def registry(session_factory: sessionmaker[Session], core: Core) -> sessionmaker[Session]:
    """A database holding the three sample records."""
    report = load(session_factory, REGISTRY, core=core)
    assert report.committed and report.new == 3, report.errors
    return session_factory
