"""Checking an agent through the turn pipeline over a real database (SQLite and PostgreSQL), and complaints
linked to the registered OEP the worker names, in the same transaction as the complaint. Fictional agencies."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from helpline.complaints.models import Complaint
from helpline.oep.models import Oep
from helpline.oep.source import IndexCache
from tests.harness import ServiceDriver
from tests.oep.conftest import SMALL, load


@pytest.fixture
def oep_core(core):
    """The shared core with its own index cache (each test's database is a new registry)."""
    return dataclasses.replace(core, config={**core.config, "oep.index": IndexCache()})


@pytest.fixture
def registry(session_factory):
    assert load(session_factory, SMALL).committed
    return session_factory


def test_from_the_menu_valid_then_suspended_then_a_linked_complaint(registry, oep_core):
    worker = ServiceDriver(registry, oep_core)
    assert "4 Check agent" in worker.say("menu")  # SMS: the short label
    assert "licence number" in worker.say("4")
    reply = worker.say("Quorava agency Multan")
    assert "2290/MLN" in reply and "VALID" in reply and "20 Nov 2026" in reply and "(fictional)" in reply
    reply = worker.say("1")  # check another
    reply = worker.say("OEP 3307/RWP")
    assert "SUSPENDED" in reply and "Do not pay" in reply
    worker.say("1")  # file a complaint: the story is asked, the agent already named
    worker.say("I paid 3 lakh rupees to this agency in Rawalpindi for a job in Dubai and got no visa")
    assert worker.state()["flow"] == "complaint"
    for answer in ("skip", "yes", "yes", "yes"):
        if worker.state().get("flow") != "complaint":
            break
        worker.say(answer)
    with registry() as s:
        complaint = s.scalars(select(Complaint)).one()
        oep = s.scalars(select(Oep).where(Oep.licence_no == "3307/RWP")).one()
    assert complaint.category == "fake_agent" and complaint.agent == "Kelmora Manpower Services (Pvt) Ltd"
    assert complaint.oep_id == oep.id


def test_not_found_files_a_complaint_with_the_name_and_no_link(registry, oep_core):
    worker = ServiceDriver(registry, oep_core)
    worker.say("menu")
    worker.say("4")
    reply = worker.say("Blorvaxi Overseas")
    assert "not on the Bureau's list of 20 Nov 2026" in reply
    worker.say("1")
    worker.say("The Blorvaxi agent took my passport and 2 lakh and now does not answer the phone")
    for answer in ("skip", "yes", "yes", "yes"):
        if worker.state().get("flow") != "complaint":
            break
        worker.say(answer)
    with registry() as s:
        complaint = s.scalars(select(Complaint)).one()
    assert complaint.category == "fake_agent" and complaint.agent == "Blorvaxi Overseas" and complaint.oep_id is None


def test_without_any_list_the_worker_is_told_where_the_bureau_publishes_it(session_factory, oep_core):
    worker = ServiceDriver(session_factory, oep_core, channel="telegram", address="tg:42")
    worker.say("menu")
    worker.say(choice="oep")
    assert "www.beoe.gov.pk/list-of-oeps" in worker.say("Quorava")


def test_a_new_import_is_seen_by_the_next_lookup(registry, oep_core):
    worker = ServiceDriver(registry, oep_core)
    worker.say("menu")
    worker.say("4")
    assert "not on the Bureau's list" in worker.say("Nuvexa Overseas")
    load(registry, "licence_no,name,city,status,updated_at\n9999/FSD,Nuvexa Overseas,Faisalabad,valid,2026-11-24\n")
    worker.say("2")  # check another
    assert "9999/FSD" in worker.say("Nuvexa Overseas")


@pytest.mark.parametrize("agent, story, linked", [
    ("Kelmora Manpower Services", "", "3307/RWP"),
    ("kelmora manpower pvt ltd", "", "3307/RWP"),
    ("the Tavrino agent", "", "4410/ISB"),
    ("someone", "his licence was 5127/PSH on the card", "5127/PSH"),
    ("Zarvolan", "", None),  # two agencies by that name: not linked to either
    ("Blorvaxi", "", None),
])
def test_a_complaint_is_linked_only_to_one_clearly_named_oep(registry, oep_core, agent, story, linked):
    from datetime import date

    from helpline.oep.turns import oep_for_complaint

    with registry() as s:
        found = oep_for_complaint(s, oep_core, date(2026, 11, 25), agent, story)
        want = s.scalar(select(Oep.id).where(Oep.licence_no == linked)) if linked else None
    assert found == want
