"""OEP fixtures: a small hand-written FICTIONAL list for dialogs (invented names, "(fictional)" addresses), the
seeded 5,000-agency fictional list (built once per session), and a source over each answering the flow's ask."""

from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy.orm import Session, sessionmaker

from helpline.engine.events import OepLookup
from helpline.oep import fictional
from helpline.oep.importer import OepReport, import_csv
from helpline.oep.names import Query
from helpline.oep.source import Index, IndexSource, lookup
from tests.conftest import FIXED_NOW
from tests.harness import EngineDriver

LIST_DATE = date(2026, 11, 20)
HEADER = "licence_no,name,city,status,valid_until,address,phone,updated_at\n"
SMALL = HEADER + (
    "1201/LHR,Zarvolan Overseas Employment Promoters,Lahore,valid,2027-06-30,\"Office 4, Plaza 1 (fictional), Lahore\",,2026-11-20\n"
    "1202/KHI,Zarvolan Manpower,Karachi,valid,2027-03-31,\"Office 9, Plaza 2 (fictional), Karachi\",,2026-11-18\n"
    "3307/RWP,Kelmora Manpower Services (Pvt) Ltd,Rawalpindi,suspended,2027-01-31,\"Office 2, Plaza 3 (fictional), Rawalpindi\",,2026-11-15\n"
    "4410/ISB,Tavrino International,Islamabad,cancelled,,\"Office 7, Plaza 4 (fictional), Islamabad\",,2026-11-10\n"
    "5127/PSH,Brelmon Overseas,Peshawar,expired,2026-05-31,\"Office 1, Plaza 5 (fictional), Peshawar\",,2026-11-01\n"
    "2290/MLN,Quorava Recruiting Agency,Multan,valid,2028-01-31,\"Office 3, Plaza 6 (fictional), Multan\",,2026-11-19\n"
)


def load(sessions: sessionmaker[Session], text: str | bytes, **kw) -> OepReport:
    """Import CSV text (str is UTF-8 encoded) and return the report."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_csv(sessions, io.BytesIO(data), now=FIXED_NOW, **kw)


def index_of(csv_text: str) -> Index:
    """An in-memory index of a CSV list, as the registry would build it (list date: the newest updated_at)."""
    import csv

    rows = list(csv.DictReader(io.StringIO(csv_text)))
    newest = max(date.fromisoformat(r["updated_at"]) for r in rows)
    from helpline.oep.names import parse_licence

    return Index([SimpleNamespace(
        id=i + 1, licence_no=parse_licence(r["licence_no"]), name=r["name"], city=r["city"], status=r["status"],
        valid_until=date.fromisoformat(r["valid_until"]) if r["valid_until"] else None, list_date=newest,
        address=r["address"] or None, phone=r["phone"] or None) for i, r in enumerate(rows)], FIXED_NOW.date())


def answering(index: Index):
    """The OepLookup answer over ``index``, as :func:`helpline.oep.turns.lookup` gives it."""
    source = IndexSource(index)

    def answer(ask: OepLookup):
        result, views = lookup(source, Query(ask.licence, ask.name, ask.city))
        return result, tuple(v.as_dict() for v in views), source.list_date()
    return answer


@pytest.fixture(scope="session")
def small_index() -> Index:
    return index_of(SMALL)


@pytest.fixture(scope="session")
def big_list() -> list[fictional.Agency]:
    """5,000 fictional agencies (seeded), built once."""
    return fictional.agencies(5000)


@pytest.fixture(scope="session")
def big_index(big_list) -> Index:
    return index_of(fictional.to_csv(big_list))


@pytest.fixture
def worker(core, small_index):
    """A worker talking to the pure engine over the small fictional list (SMS)."""
    def make(channel: str = "sms", lang: str | None = None) -> EngineDriver:
        from helpline.engine import events as ev
        from tests.harness import nothing_on_record

        state = {"turns": 1, **({"lang": lang} if lang else {})}
        return EngineDriver(core, channel=channel, state=state,
                            answers={**nothing_on_record(), ev.OepLookup: answering(small_index)})
    return make
