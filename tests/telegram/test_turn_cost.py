"""The work a Telegram turn costs, counted with SQLAlchemy events: at most 8 statements and 2 commits for a FAQ
turn (the reply is queued with the turn, then delivered and marked sent)."""

from __future__ import annotations

import pytest

from tests.sql_count import count_sql
from tests.telegram.conftest import post, update

QUESTIONS = ["protector kya hota hai", "my company has not paid my salary for 3 months", "پروٹیکٹر کیا ہوتا ہے"]


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_telegram_faq_turn_costs_at_most_eight_statements_and_two_commits(question, tg, engine, fake_api):
    assert post(tg, update("message", update_id=1, text="salam")).status_code == 200
    before = len(fake_api.sent())
    with count_sql(engine) as sql:
        assert post(tg, update("message", update_id=2, text=question)).status_code == 200
    assert len(fake_api.sent()) > before
    assert sql.statements <= 8 and sql.commits == 2, str(sql)
