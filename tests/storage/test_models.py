"""The models' constraints, JSON state and delete rules hold on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from helpline.storage.db import SQLITE_PRAGMAS, make_engine, upgrade
from helpline.storage.models import Contact, Conversation, Message, UnansweredQuestion
from tests.factories import T0, make_contact, make_message


def test_duplicate_inbound_provider_id_is_rejected(session: Session) -> None:
    contact = make_contact(session)
    make_message(session, contact, provider_id="SM123")
    with pytest.raises(IntegrityError):
        make_message(session, contact, provider_id="SM123")


def test_same_provider_id_may_differ_by_direction_or_channel(session: Session) -> None:
    contact = make_contact(session)
    make_message(session, contact, provider_id="42")
    make_message(session, contact, direction="out", provider_id="42")
    make_message(session, contact, channel="telegram", provider_id="42")
    session.commit()
    assert len(session.scalars(select(Message).where(Message.provider_id == "42")).all()) == 3


def test_null_provider_ids_may_repeat(session: Session) -> None:
    contact = make_contact(session)
    make_message(session, contact, "one")
    make_message(session, contact, "two")
    session.commit()
    assert len(session.scalars(select(Message).where(Message.provider_id.is_(None))).all()) == 2


def test_conversation_state_round_trips_urdu_json(session_factory: sessionmaker[Session]) -> None:
    state = {"flow": "complaint", "step": 2, "answers": {"name": "محمد علی", "agency": "مرکز، لاہور"}, "lang": "ur"}
    with session_factory() as session:
        contact = make_contact(session)
        session.add(Conversation(contact_id=contact.id, state=state, updated_at=T0))
        session.commit()
        contact_id = contact.id
    with session_factory() as session:
        assert session.get(Conversation, contact_id).state == state


def test_deleting_a_contact_cascades_to_conversation_and_messages(session: Session) -> None:
    contact = make_contact(session)
    session.add(Conversation(contact_id=contact.id, state={}, updated_at=T0))
    make_message(session, contact)
    session.commit()

    session.execute(delete(Contact).where(Contact.id == contact.id))
    session.commit()

    assert session.scalars(select(Conversation)).all() == []
    assert session.scalars(select(Message)).all() == []


def test_orm_delete_of_a_contact_with_a_conversation(session: Session) -> None:
    contact = make_contact(session)
    session.add(Conversation(contact_id=contact.id, state={"flow": "menu"}, updated_at=T0))
    session.commit()

    session.delete(contact)
    session.commit()

    assert session.scalars(select(Conversation)).all() == []


def test_deleting_a_message_or_contact_sets_references_to_null(session: Session) -> None:
    contact = make_contact(session)
    question = make_message(session, contact, "visa kab milega?", provider_id="in-1")
    reply = make_message(session, contact, "...", "out", reply_to_id=question.id)
    unanswered = UnansweredQuestion(
        contact_id=contact.id, text="visa kab milega?", normalized="visa kab milega", created_at=T0
    )
    session.add(unanswered)
    session.commit()

    session.execute(delete(Message).where(Message.id == question.id))
    session.commit()
    session.refresh(reply)
    assert reply.reply_to_id is None

    session.execute(delete(Contact).where(Contact.id == contact.id))
    session.commit()
    session.refresh(unanswered)
    assert unanswered.contact_id is None


def test_foreign_keys_are_enforced(session: Session) -> None:
    session.add(Message(contact_id=999, direction="in", channel="sms", text="x", created_at=T0))
    with pytest.raises(IntegrityError):
        session.flush()


@pytest.mark.parametrize("url", ["file", "sqlite://"])
def test_sqlite_pragmas_are_in_force(url: str, tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}" if url == "file" else url)
    try:
        upgrade(engine)  # migrations switch foreign keys off for a while; they must come back on
        with engine.connect() as connection:
            values = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in SQLITE_PRAGMAS}
    finally:
        engine.dispose()
    journal = "wal" if url == "file" else "memory"  # an in-memory database has no journal file to put in WAL
    assert values == {"journal_mode": journal, "synchronous": 1, "foreign_keys": 1, "busy_timeout": 5000}
