"""The shared failure counter (helpline.throttle) on SQLite and PostgreSQL: record, count, prune."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from helpline import throttle
from helpline.throttle import Failure

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)


def rows(session: Session) -> list[tuple[str, str, datetime]]:
    return [tuple(r) for r in session.execute(select(Failure.scope, Failure.key, Failure.at).order_by(Failure.id))]


def test_record_adds_one_row_per_key_and_recent_counts_them(session: Session) -> None:
    throttle.record(session, "login", ["user:asma", "ip:10.0.0.1"], NOW)
    throttle.record(session, "login", ["user:asma", "ip:10.0.0.2"], NOW + timedelta(minutes=1))
    session.commit()
    assert rows(session) == [("login", "user:asma", NOW), ("login", "ip:10.0.0.1", NOW),
                             ("login", "user:asma", NOW + timedelta(minutes=1)),
                             ("login", "ip:10.0.0.2", NOW + timedelta(minutes=1))]
    since = NOW - HOUR
    assert throttle.recent(session, "login", "user:asma", since) == 2
    assert throttle.recent(session, "login", "ip:10.0.0.1", since) == 1
    assert throttle.recent(session, "login", "ip:10.0.0.3", since) == 0
    assert throttle.recent(session, "login", "user:ASMA", since) == 0  # keys are exact


def test_a_key_is_counted_only_in_its_own_scope(session: Session) -> None:
    throttle.record(session, "status_lookup", ["contact:7"], NOW)
    throttle.record(session, "complaint_lookup", ["contact:7"], NOW)
    throttle.record(session, "complaint_lookup", ["contact:7"], NOW)
    session.flush()
    assert throttle.recent(session, "status_lookup", "contact:7", NOW - HOUR) == 1
    assert throttle.recent(session, "complaint_lookup", "contact:7", NOW - HOUR) == 2
    assert throttle.recent(session, "login", "contact:7", NOW - HOUR) == 0


def test_recent_counts_only_failures_after_since(session: Session) -> None:
    for minutes in (0, 30, 59, 60, 61, 120):
        throttle.record(session, "complaint_lookup", ["contact:1"], NOW - timedelta(minutes=minutes))
    session.flush()
    assert throttle.recent(session, "complaint_lookup", "contact:1", NOW - HOUR) == 3  # exactly `since` is out
    assert throttle.recent(session, "complaint_lookup", "contact:1", NOW - 3 * HOUR) == 6
    assert throttle.recent(session, "complaint_lookup", "contact:1", NOW) == 0


def test_recent_counts_gives_every_key_in_one_answer(session: Session) -> None:
    throttle.record(session, "status_lookup", ["contact:1", "number:aa"], NOW)
    throttle.record(session, "status_lookup", ["contact:2", "number:aa"], NOW)
    throttle.record(session, "status_lookup", ["contact:1", "number:bb"], NOW - 2 * HOUR)  # too old
    session.flush()
    counts = throttle.recent_counts(session, "status_lookup", ["contact:1", "number:aa", "number:cc"], NOW - HOUR)
    assert counts == {"contact:1": 1, "number:aa": 2, "number:cc": 0}
    assert throttle.recent_counts(session, "status_lookup", [], NOW - HOUR) == {}
    assert throttle.recent_counts(session, "login", ["contact:1"], NOW - HOUR) == {"contact:1": 0}


def test_a_repeated_key_is_recorded_once_per_call(session: Session) -> None:
    throttle.record(session, "login", ["ip:1", "ip:1"], NOW)
    session.flush()
    assert throttle.recent(session, "login", "ip:1", NOW - HOUR) == 1


def test_long_keys_are_cut_the_same_way_when_stored_and_counted(session: Session) -> None:
    long = "user:" + "x" * 200
    throttle.record(session, "login", [long], NOW)
    session.commit()
    assert len(session.scalar(select(Failure.key))) == throttle.KEY_LEN
    assert throttle.recent(session, "login", long, NOW - HOUR) == 1
    assert throttle.recent_counts(session, "login", [long], NOW - HOUR) == {long: 1}


def test_prune_deletes_only_older_rows_of_the_scope_asked(session: Session) -> None:
    throttle.record(session, "login", ["user:a"], NOW - 3 * HOUR)
    throttle.record(session, "login", ["user:a"], NOW - HOUR)
    throttle.record(session, "login", ["user:a"], NOW)
    throttle.record(session, "status_lookup", ["contact:1"], NOW - 3 * HOUR)
    session.commit()
    assert throttle.prune(session, NOW - 2 * HOUR, scope="login") == 1
    session.commit()
    assert throttle.recent(session, "login", "user:a", NOW - 4 * HOUR) == 2
    assert throttle.recent(session, "status_lookup", "contact:1", NOW - 4 * HOUR) == 1  # other scopes untouched
    assert throttle.prune(session, NOW - HOUR) == 1  # no scope: every scope; exactly `before` is kept
    session.commit()
    assert sorted(r[2] for r in rows(session)) == [NOW - HOUR, NOW]
    assert throttle.prune(session, NOW - 10 * HOUR) == 0


def test_rows_are_in_the_callers_transaction(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        throttle.record(session, "login", ["user:a"], NOW)
        session.rollback()
        assert session.scalar(select(func.count()).select_from(Failure)) == 0
        throttle.record(session, "login", ["user:a"], NOW)
        session.commit()
    with session_factory() as other:
        assert throttle.recent(other, "login", "user:a", NOW - HOUR) == 1
        assert other.scalars(select(Failure)).one().at == NOW  # an aware UTC time on both databases


def test_repr_never_shows_the_key() -> None:
    assert "10.0.0.9" not in repr(Failure(id=1, scope="login", key="ip:10.0.0.9", at=NOW))
