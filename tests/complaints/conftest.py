"""Fixtures for the complaints tests: a worker talking to the real service (database, ports, handlers)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from helpline.complaints import policy
from helpline.complaints.models import Complaint
from helpline.pipeline import Core
from tests.conftest import FIXED_NOW
from tests.harness import ServiceDriver

class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = FIXED_NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: Any) -> None:
        """Move time forward."""
        self.now += timedelta(**delta)


Chat = ServiceDriver  # a worker talking to the pipeline over the database


@pytest.fixture
def clock() -> Clock:
    """The test's clock."""
    return Clock()


@pytest.fixture
def complaint_policy() -> policy.Policy:
    """Default promises and a test pepper."""
    return policy.Policy(pepper=b"test-pepper")


@pytest.fixture
def ccore(core: Core, clock: Clock, complaint_policy: policy.Policy) -> Core:
    """The shared core with this test's clock and policy."""
    return dataclasses.replace(core, clock=clock, config={**core.config, "complaints.policy": complaint_policy})


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
