"""Fixtures for the status registry: a test pepper, CSV import helpers and a worker talking through the service."""

from __future__ import annotations

import dataclasses
import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from helpline.pipeline import Core
from helpline.status import config
from helpline.status.importer import ImportReport, import_csv
from tests.conftest import FIXED_NOW
from tests.harness import ServiceDriver

PEPPER = b"test-pepper-not-secret"
HEADER = "kind,tracking_number,status,date_of_birth,cnic_last4,office\n"
REGISTRY = HEADER + (
    "passport,1234-5678901,in_process,1990-05-14,0123,Regional Passport Office Lahore\n"
    "protector,AB1234567,ready_for_collection,,4321,Protector of Emigrants Rawalpindi\n"
    "skills_passport,NSP-2026-00077,received,1985-01-31,,\n"
)


CONFIG = config.StatusConfig(pepper=PEPPER, max_failures=5, window=timedelta(hours=1))


@pytest.fixture
def status_config() -> config.StatusConfig:
    """A known pepper and the default throttle (5 failures an hour)."""
    return CONFIG


@pytest.fixture
def core(core: Core) -> Core:
    """The shared core with the test pepper."""
    return dataclasses.replace(core, config={**core.config, "status.config": CONFIG})


def load(sessions: sessionmaker[Session], text: str | bytes, *, core: Core | None = None, dry_run: bool = False,
         now: datetime = FIXED_NOW, batch_size: int = 1000) -> ImportReport:
    """Import CSV text (str is UTF-8 encoded) and return the report."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_csv(sessions, io.BytesIO(data), config=CONFIG, now=now,
                      render=core.i18n.render if core else None, dry_run=dry_run, batch_size=batch_size)


class Worker(ServiceDriver):
    """A worker on one phone, talking through the pipeline (answerers, handlers, one transaction a turn)."""

    def __init__(self, core: Core, sessions: sessionmaker[Session], address: str = "tel:+923001234567",
                 channel: str = "sms"):
        super().__init__(sessions, core, address, channel)


@pytest.fixture
def registry(session_factory: sessionmaker[Session], core: Core) -> sessionmaker[Session]:
    """A database holding the three sample records."""
    report = load(session_factory, REGISTRY, core=core)
    assert report.committed and report.new == 3, report.errors
    return session_factory
