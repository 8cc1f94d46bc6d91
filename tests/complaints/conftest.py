"""Fixtures for the complaints tests: a worker talking to the real service (database, ports, handlers)."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from helpline.complaints import policy
from helpline.complaints.models import Complaint
from helpline.messages import Attachment, InboundMessage
from helpline.service import Core, run_turn
from tests.conftest import FIXED_NOW

_ids = itertools.count(1)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = FIXED_NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: Any) -> None:
        """Move time forward."""
        self.now += timedelta(**delta)


class Chat:
    """One contact talking to the service: every line is a turn in its own transaction, as a channel does."""

    def __init__(self, sessions: sessionmaker[Session], core: Core, address: str = "tel:+923001234567",
                 channel: str = "sms"):
        self.sessions, self.core, self.address, self.channel = sessions, core, address, channel
        self.last_provider_id = ""

    def say(self, text: str = "", attachments: tuple[Attachment, ...] = (), provider_id: str | None = None,
            choice: str | None = None) -> str:
        """Send one message (or a button press); return the replies as plain text."""
        self.last_provider_id = provider_id or f"m{next(_ids)}"
        msg = InboundMessage(channel=self.channel, address=self.address, text=text, provider_id=self.last_provider_id,
                             attachments=attachments, choice=choice)
        result = run_turn(self.sessions, msg, self.core)
        return "\n\n".join(r.plain() for r in result.replies)

    def script(self, lines: list[tuple[str, list[str]]]) -> str:
        """Play ``[(says, [expected substrings])]``; return the last reply."""
        reply = ""
        for said, expected in lines:
            reply = self.say(said)
            for part in expected:
                assert part in reply, f"after {said!r} expected {part!r} in:\n{reply}"
        return reply

    def state(self) -> dict[str, Any]:
        """The stored conversation state."""
        from helpline.storage.models import Contact, Conversation

        with self.sessions() as s:
            contact = s.scalars(select(Contact).where(Contact.address == self.address)).one()
            conv = s.get(Conversation, contact.id)
            return dict(conv.state) if conv else {}


@pytest.fixture
def clock() -> Clock:
    """The test's clock."""
    return Clock()


@pytest.fixture
def ccore(core: Core, clock: Clock) -> Core:
    """The shared core with this test's clock."""
    return dataclasses.replace(core, clock=clock)


@pytest.fixture(autouse=True)
def complaint_policy() -> Iterator[policy.Policy]:
    """Default promises and a test pepper for every test."""
    pol = policy.Policy(pepper=b"test-pepper")
    policy.configure(pol)
    yield pol
    policy.configure(None)


@pytest.fixture
def chat(session_factory: sessionmaker[Session], ccore: Core) -> Chat:
    """A worker on SMS."""
    return Chat(session_factory, ccore)


@pytest.fixture
def complaints(session_factory: sessionmaker[Session]):
    """A function listing the stored complaints."""

    def fetch() -> list[Complaint]:
        with session_factory() as s:
            return list(s.scalars(select(Complaint).order_by(Complaint.id)))

    return fetch
