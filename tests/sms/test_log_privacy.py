"""Logs never hold identity numbers: a turn that fails with a database error, a CNIC and a phone number in what
the worker typed, leaves neither in the log (not in the message, the exception's text or its traceback)."""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from helpline.privacy import MaskingFilter
from tests.harness import WORKER, new_sid

CNIC = "35202-1234567-1"
OTHER_PHONE = "+923219876543"


def _break_message_inserts(engine: Engine) -> None:
    """Every INSERT into messages fails inside the database, as a full disk or a bad migration would."""
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(
                "CREATE TRIGGER boom BEFORE INSERT ON messages BEGIN SELECT RAISE(FAIL, 'no space left'); END")
        else:
            connection.exec_driver_sql("CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN "
                                       "RAISE EXCEPTION 'no space left: %%', NEW.text; END $$ LANGUAGE plpgsql")
            connection.exec_driver_sql("CREATE TRIGGER boom BEFORE INSERT ON messages FOR EACH ROW "
                                       "EXECUTE FUNCTION boom()")


def test_a_database_error_leaves_no_identity_number_in_the_log(sms, engine, caplog):
    _break_message_inserts(engine)
    caplog.handler.addFilter(MaskingFilter())  # as `helpline serve` installs it on every handler
    body = f"mera cnic {CNIC} hai, bhai ka number {OTHER_PHONE}"
    with caplog.at_level(logging.INFO):
        response = sms.post(sms.form(body, sid=new_sid()))
    assert response.status_code == 500
    assert "Traceback" in caplog.text and "no space left" in caplog.text  # the error is logged, with its trace
    for secret in ("1234567", OTHER_PHONE[3:], WORKER[3:]):
        assert secret not in caplog.text
        assert all(secret not in record.getMessage() and secret not in (record.exc_text or "")
                   for record in caplog.records)


def test_statement_parameters_are_hidden_from_database_errors(engine):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO no_such_table VALUES (:cnic)"), {"cnic": CNIC})
    except DBAPIError as exc:
        assert CNIC not in str(exc) and "hidden" in str(exc)
    else:
        raise AssertionError("the insert should have failed")
