"""The work an SMS turn costs, counted with SQLAlchemy events: at most 5 statements and 1 commit for a FAQ turn
(the Telegram figure is in tests/telegram/test_turn_cost.py)."""

from __future__ import annotations

import pytest

from tests.harness import Sms
from tests.sql_count import count_sql

QUESTIONS = ["protector kya hota hai", "my company has not paid my salary for 3 months", "پروٹیکٹر کیا ہوتا ہے"]


@pytest.mark.parametrize("question", QUESTIONS)
def test_an_sms_faq_turn_costs_at_most_five_statements_and_one_commit(question, app, engine):
    sms = Sms(app.test_client())
    sms.send("salam")  # a known contact with a conversation, as most turns are
    with count_sql(engine) as sql:
        reply = sms.send(question)
    assert reply
    assert sql.statements <= 5 and sql.commits == 1, str(sql)


def test_a_first_contact_costs_one_statement_more(app, engine):
    sms = Sms(app.test_client())
    with count_sql(engine) as sql:
        sms.send("protector kya hota hai")
    assert sql.statements <= 6 and sql.commits == 1, str(sql)
