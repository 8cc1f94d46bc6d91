"""The work a WhatsApp turn costs: an SMS turn's 5 statements and 1 commit for a FAQ turn, plus the one UPDATE that
releases what the outbox held for the worker (their message opened the 24-hour window)."""

from __future__ import annotations

import pytest

from tests.harness import WhatsApp
from tests.sql_count import count_sql

QUESTIONS = ["protector kya hota hai", "my company has not paid my salary for 3 months", "پروٹیکٹر کیا ہوتا ہے"]


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_whatsapp_faq_turn_costs_at_most_six_statements_and_one_commit(question, wa: WhatsApp, engine):
    wa.messages("salam")  # a known contact with a conversation, as most turns are
    with count_sql(engine) as sql:
        assert wa.messages(question)
    assert sql.statements <= 6 and sql.commits == 1, str(sql)
    assert sum("UPDATE outbox" in s for s in sql.sql) == 1, str(sql)
