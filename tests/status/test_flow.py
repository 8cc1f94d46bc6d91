"""The lookup flow through the pure engine, with a fake registry answering its asks: which messages it claims,
and how it asks."""

from __future__ import annotations

import dataclasses

import pytest

from helpline.engine.events import StatusCheck, StatusChecked, StatusThrottled
from helpline.status.factors import Factor
from helpline.status.lookup import StatusView
from helpline.status.turns import Outcome
from tests.harness import EngineDriver


class FakeRegistry:
    """A registry of one record (number 12345678901, CNIC digits 0123) and a switchable throttle."""

    def __init__(self, throttled: bool = False):
        self.is_throttled = throttled
        self.checked: list[tuple[str, Factor]] = []

    def throttled(self, number: str | None = None) -> bool:
        return self.is_throttled

    def check(self, number: str, factor: Factor) -> Outcome:
        self.checked.append((number, factor))
        if number == "12345678901" and factor == Factor("cnic4", "0123"):
            return Outcome("found", (StatusView("passport", number, "printed", None, "2026-11-20", None),))
        return Outcome("no_match")


def say(core, text: str, state: dict | None = None, port: FakeRegistry | None = None):
    port = port or FakeRegistry()
    driver = EngineDriver(core, state=state or {"turns": 1},
                          answers={StatusThrottled: lambda ask: port.throttled(ask.number),
                                   StatusCheck: lambda ask: port.check(ask.number, ask.factor)})
    reply = driver.say(text)
    return driver.state, driver.events, reply


@pytest.mark.parametrize("text", [
    "passport status", "Passport Status?", "where is my passport", "mera passport kahan hai",
    "mera pasport kahaan he", "میرا پاسپورٹ کہاں ہے", "پاسپورٹ کا اسٹیٹس", "protector status check",
    "protector ho gaya ya nahi", "skills passport status", "STATUS 1234-5678901", "status AB1234567",
    "tracking number 12345678901", "passport ready hua ya nahi",
])
def test_status_questions_are_claimed(core, text):
    state, _, reply = say(core, text)
    assert state.get("flow") == "status_lookup", reply


@pytest.mark.parametrize("text", [
    "passport renew kaise karein", "employer ne passport rakh liya", "my passport was lost abroad",
    "where is the passport office", "nicop status", "complaint status", "STATUS K7M4XQP", "protector kya hota hai",
    "hello", "status", "what is a skills passport",
])
def test_other_questions_are_left_to_other_flows(core, text):
    state, _, _ = say(core, text)
    assert state.get("flow") != "status_lookup"


def test_a_result_without_an_office_or_watchable_record_offers_no_watch(core):
    state, _, _ = say(core, "passport status 12345678901")
    state, events, reply = say(core, "0123", state)
    assert "Printed" in reply and "Office" not in reply and "Tell me when" not in reply
    assert [e.outcome for e in events if isinstance(e, StatusChecked)] == ["found"]


def test_a_birth_date_sent_instead_of_the_number_is_not_taken_for_one(core):
    state, _, _ = say(core, "passport status")
    state, _, reply = say(core, "14-05-1990", state)
    assert "does not look like a tracking number" in reply and state["step"] == "number"


def test_throttled_before_asking(core):
    _, _, reply = say(core, "passport status", port=FakeRegistry(throttled=True))
    assert "Too many unsuccessful tries" in reply and "60 minutes" in reply


def test_the_how_choice_shows_the_faq_answer_with_its_source(core):
    state, _, _ = say(core, "passport status")
    state, _, reply = say(core, "1", state)
    assert "Source:" in reply and "Send the tracking number" in reply


def test_without_status_lookups_wired_the_worker_is_told_politely(core):
    unwired = dataclasses.replace(core, config={k: v for k, v in core.config.items() if k != "status.config"})
    _, _, reply = say(unwired, "passport status")
    assert "not available right now" in reply


def test_free_text_after_a_result_goes_to_the_faq(core):
    state, _, _ = say(core, "passport status 12345678901")
    state, _, _ = say(core, "0123", state)
    state, events, reply = say(core, "hundi khatarnak hai kya", state)
    assert any(type(e).__name__ == "FaqAnswered" for e in events)


def test_another_number_after_a_result_starts_a_new_lookup(core):
    state, _, _ = say(core, "passport status 12345678901")
    state, _, _ = say(core, "0000", state)  # no match
    state, _, reply = say(core, "9876-5432-100", state)
    assert state["step"] == "factor" and state["data"]["number"] == "98765432100" and "*******2100" in reply
