"""The wiring is the one place that says what runs: every event has a handler, every ask an answerer, the
handoff's gate comes first, and the main menu lists flows that exist."""

from __future__ import annotations

import pytest

from helpline import wiring
from helpline.engine.events import ASK_TYPES, EVENT_TYPES, ReplyCreated
from helpline.errors import UnhandledEvent
from helpline.messages import InboundMessage
from tests.harness import knowing_nothing


def test_every_event_but_the_reply_has_a_handler_and_nothing_else_does():
    assert set(wiring.HANDLERS) == set(EVENT_TYPES) - {ReplyCreated}


def test_every_ask_has_an_answerer_and_nothing_else_does():
    assert set(wiring.ANSWERERS) == set(ASK_TYPES)


def test_the_handoff_gate_comes_first():
    """While a person holds the conversation no other flow may answer (not STATUS <ref>, not a one-shot form)."""
    assert wiring.GATES[0] is wiring.HANDOFF


def test_the_menu_names_wired_flows_only():
    ids = {flow.id for flow in wiring.FLOWS}
    assert set(wiring.MENU) <= ids and len(set(wiring.MENU)) == len(wiring.MENU)
    assert len(ids) == len(wiring.FLOWS)


def test_an_event_without_a_handler_is_an_error_in_strict_mode_and_a_warning_otherwise(core, session_factory,
                                                                                       caplog):
    import dataclasses

    from helpline.engine.events import Unanswered
    from helpline.pipeline import run_turn

    missing = {k: v for k, v in core.handlers.items() if k is not Unanswered}
    strict = dataclasses.replace(knowing_nothing(core), handlers=missing, strict=True)
    question = InboundMessage("sms", "tel:+923001230000", "how is gratuity paid when the company closes")
    with pytest.raises(UnhandledEvent):
        run_turn(session_factory, question, strict)
    lenient = dataclasses.replace(strict, strict=False)
    result = run_turn(session_factory, question, lenient)
    assert result.replies  # the worker still gets the answer
    assert "no handler for event Unanswered" in caplog.text
