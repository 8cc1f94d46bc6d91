"""Less at rest, for less time (issue 16, item 6): identity numbers and drafts encrypted, key rotation, status-lookup
answers never stored as text, the retention purge, and a worker's request to delete their data (the transcript
side; the console side is in tests/console/test_deletion_requests.py)."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import JSON, String, Text, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from helpline import crypto, retention, throttle
from helpline.complaints import policy, references
from helpline.complaints.models import Complaint, ComplaintEvent
from helpline.console.queries import search_clause
from helpline.pipeline import WITHHELD, Core
from helpline.status import config as status_config
from helpline.status.turns import THROTTLE_SCOPE
from helpline.storage.models import Contact, Conversation, DeletionRequest, Message, UnansweredQuestion
from helpline.storage.schema import metadata
from tests.conftest import FIXED_NOW, TEST_DATA_KEY
from tests.harness import ServiceDriver

CNIC, CNIC_DASHED, PASSPORT = "3520298765431", "35202-9876543-1", "AB7654321"
SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # logic tests: one backend is enough


@pytest.fixture
def pcore(core: Core) -> Core:
    """The shared core with a known status pepper and complaint policy."""
    cfg = status_config.StatusConfig(pepper=b"test-pepper", max_failures=5, window=timedelta(hours=1))
    return dataclasses.replace(core, config={**core.config, "status.config": cfg,
                                             "complaints.policy": policy.Policy(pepper=b"test-pepper")})


def _complaint(session: Session, contact: Contact | None = None, **kw: Any) -> Complaint:
    n = session.scalar(select(func.count(Complaint.id))) or 0
    values: dict[str, Any] = dict(
        reference=references.new_reference(), draft_key=f"draft-{n}", contact_id=contact.id if contact else None, channel="sms",
        lang="en", category="wages", country="SA", description="Salary not paid", affected="self",
        worker_name="Aslam", worker_cnic=CNIC, worker_passport=PASSPORT, anonymous=False, status="new",
        responsible_body="CWA", created_at=FIXED_NOW, updated_at=FIXED_NOW)
    values.update(kw)
    complaint = Complaint(**values)
    session.add(complaint)
    session.flush()
    return complaint


def _contact(session: Session, address: str = "tel:+923001112223") -> Contact:
    contact = Contact(address=address, channel="sms", language="en", created_at=FIXED_NOW, last_seen_at=FIXED_NOW)
    session.add(contact)
    session.flush()
    return contact


def _found(session: Session, q: str) -> list[int]:
    """The complaints the console's search box finds for ``q``."""
    query = select(Complaint.id).outerjoin(Contact, Contact.id == Complaint.contact_id).where(search_clause(q))
    return list(session.scalars(query.order_by(Complaint.id)))


def _raw(session: Session, sql: str, **params: Any) -> list[Any]:
    return list(session.execute(text(sql), params).all())


# -- encryption at rest ---------------------------------------------------------------------------------------


def test_identity_numbers_are_ciphertext_in_the_database_and_found_by_their_last_digits(session_factory):
    with session_factory.begin() as s:
        _complaint(s)
    with session_factory() as s:
        [(cnic, passport, index)] = _raw(s, "SELECT worker_cnic, worker_passport, worker_cnic_index FROM complaints")
        assert cnic.startswith(crypto.PREFIX) and passport.startswith(crypto.PREFIX)
        for digits in ("98765431", "7654321", "9876"):
            assert digits not in cnic + passport + index
        c = s.scalars(select(Complaint)).one()
        assert (c.worker_cnic, c.worker_passport) == (CNIC, PASSPORT)  # the ORM reads them in plain
        for q in ("431", "5431", "98765431", CNIC, CNIC_DASHED):  # the console's search: last digits, or all of it
            assert _found(s, q) == [c.id], q
        assert _found(s, "5432") == []


@SQLITE
def test_the_same_number_encrypts_differently_and_a_wrong_key_is_no_crash(session_factory):
    with session_factory.begin() as s:
        _complaint(s)
        _complaint(s)
    with session_factory() as s:
        first, second = (r[0] for r in _raw(s, "SELECT worker_cnic FROM complaints ORDER BY id"))
        assert first != second  # Fernet tokens are randomised: equal numbers are not visible as equal
    crypto.pin(crypto.Keyring([crypto.generate_key()], b"x" * 32, "other"))
    try:
        with session_factory() as s:
            assert {c.worker_cnic for c in s.scalars(select(Complaint))} == {crypto.UNREADABLE}
    finally:
        crypto.pin(crypto.Keyring([TEST_DATA_KEY], crypto.index_key_from("test-pepper"), "tests"))


@SQLITE
def test_key_rotation_reencrypts_every_row_with_the_new_key(session_factory, pcore):
    chat = ServiceDriver(session_factory, pcore)
    chat.say("Complaint: my salary is not paid in Dubai for 4 months, my CNIC is 35202-9876543-1")
    with session_factory.begin() as s:
        _complaint(s)
    old = crypto.keyring()
    new_key = crypto.generate_key()
    index_key = crypto.index_key_from("test-pepper")
    try:
        crypto.pin(crypto.Keyring([new_key, TEST_DATA_KEY], index_key, "rotating"))
        with session_factory.begin() as s:
            before = _raw(s, "SELECT worker_cnic, worker_passport FROM complaints")
            assert s.scalars(select(Complaint)).one().worker_cnic == CNIC  # the old key still reads
            counts = crypto.rotate(s)
        assert counts == {"complaints": 1, "conversations": 1}
        crypto.pin(crypto.Keyring([new_key], index_key, "new only"))  # the old key dropped
        with session_factory() as s:
            after = _raw(s, "SELECT worker_cnic, worker_passport FROM complaints")
            assert after != before
            c = s.scalars(select(Complaint)).one()
            assert (c.worker_cnic, c.worker_passport) == (CNIC, PASSPORT)
            assert _found(s, "5431")  # the index survives
        assert chat.state()["complaint_draft"]["cnic"] == CNIC
    finally:
        crypto.pin(old)


@SQLITE
def test_the_migration_and_encrypt_existing_turn_plain_rows_into_tokens(session_factory, pcore):
    with session_factory.begin() as s:
        _complaint(s)
        contact = _contact(s)
        s.add(Conversation(contact_id=contact.id, state={"lang": "en"}, updated_at=FIXED_NOW))
    with session_factory.begin() as s:  # rows as they were before 0012: plain numbers, a plain draft
        s.execute(text("UPDATE complaints SET worker_cnic = :c, worker_passport = :p, worker_cnic_index = NULL"),
                  {"c": CNIC, "p": PASSPORT})
        plain = json.dumps({"lang": "en", "complaint_draft": {"cnic": CNIC, "name": "Aslam"}})
        s.execute(text("UPDATE conversations SET state = :s"), {"s": plain})
    with session_factory() as s:  # still readable before it is encrypted
        assert s.scalars(select(Complaint)).one().worker_cnic == CNIC
    with session_factory.begin() as s:
        assert crypto.rotate(s, only_plain=True) == {"complaints": 1, "conversations": 1}
        assert crypto.rotate(s, only_plain=True) == {"complaints": 0, "conversations": 0}  # idempotent
    with session_factory() as s:
        raw = " ".join(str(v) for row in _raw(s, "SELECT worker_cnic, worker_passport FROM complaints") for v in row)
        raw += " ".join(str(r[0]) for r in _raw(s, "SELECT state FROM conversations"))
        assert "9876543" not in raw and "7654321" not in raw and "Aslam" not in raw
        assert s.get(Conversation, contact.id).state["complaint_draft"]["cnic"] == CNIC
        assert _found(s, "5431")


@hsettings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_encrypted_text_round_trips_any_string(value):
    column = crypto.EncryptedText()
    stored = column.process_bind_param(value, None)
    assert stored.startswith(crypto.PREFIX) and stored != value
    assert column.process_result_value(stored, None) == value


@hsettings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(["lang", "flow", "complaint_draft", "data", "history", "turns"]),
                       st.recursive(st.none() | st.text(max_size=20) | st.integers(),
                                    lambda inner: st.lists(inner, max_size=3)
                                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8)))
def test_sealed_state_round_trips(state):
    stored = crypto.seal_state(dict(state))
    assert not set(crypto.SEALED_PARTS) & set(stored or {})
    assert crypto.open_state(stored) == state


def test_keys_never_show_in_reprs_or_settings(clean_env):
    from helpline.settings import load_settings

    ring = crypto.Keyring([TEST_DATA_KEY], b"k" * 32)
    assert TEST_DATA_KEY not in repr(ring) and TEST_DATA_KEY not in str(ring)
    loaded = load_settings(data_keys=TEST_DATA_KEY)
    assert TEST_DATA_KEY not in repr(loaded)
    with pytest.raises(Exception, match="HELPLINE_DATA_KEYS") as caught:
        crypto.Keyring(["not-a-key"], b"k" * 32)
    assert "not-a-key" not in str(caught.value)


def test_the_embedded_default_keeps_its_key_in_a_private_file_beside_the_database(clean_env, tmp_path, caplog):
    from helpline.settings import load_settings

    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'helpline.db'}")
    ring = crypto.keyring_from(settings)
    path = tmp_path / "helpline.db.datakey"
    assert ring.source == "file" and path.exists() and (path.stat().st_mode & 0o777) == 0o600
    assert crypto.keyring_from(settings).decrypt(ring.encrypt("x")) == "x"  # the same key the next time
    assert "production must set HELPLINE_DATA_KEYS" in caplog.text and path.read_text() not in caplog.text
    configured = crypto.keyring_from(load_settings(data_keys=f"{crypto.generate_key()}, {TEST_DATA_KEY}"))
    assert configured.source == "settings" and configured.size == 2


# -- drafts in the conversation state ------------------------------------------------------------------------


def test_a_draft_holds_no_plain_identity_in_the_database_and_messages_keep_them_masked(session_factory, pcore):
    chat = ServiceDriver(session_factory, pcore)
    chat.say("Complaint: my salary is not paid in Dubai for 4 months")
    chat.say("Muhammad Aslam 35202-9876543-1 AB7654321")
    draft = chat.state()["complaint_draft"]
    assert draft["cnic"] == CNIC and draft["passport"] == PASSPORT and draft["name"] == "Muhammad Aslam"
    with session_factory() as s:
        raw_states = " ".join(str(r[0]) for r in _raw(s, "SELECT state FROM conversations"))
        raw_messages = " ".join(r[0] for r in _raw(s, "SELECT text FROM messages"))
    assert crypto.SEALED in raw_states and "complaint_draft" not in raw_states
    for secret in ("9876543", "7654321", "Aslam", "salary"):
        assert secret not in raw_states
    assert "9876543" not in raw_messages and "7654321" not in raw_messages  # masked in the message log too
    assert "35202-*******-1" in raw_messages and "Muhammad Aslam" in raw_messages


# -- status-lookup answers ----------------------------------------------------------------------------------

DOB_FORMS = ("21-03-1987", "21/03/1987", "1987-03-21", "21 March 1987")  # not the prompts' example date


def _every_text(session: Session) -> str:
    """Every string and JSON column of every table, as one text."""
    parts = []
    for table in metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))
                   or isinstance(getattr(c.type, "impl", None), (String, Text, JSON))]
        if columns:
            for row in session.execute(select(*[text(f'"{c.name}"') for c in columns]).select_from(table)):
                parts.extend(str(v) for v in row if v is not None)
    return "\n".join(parts)


def test_status_lookup_answers_are_never_stored_as_text(session_factory, pcore, caplog):
    caplog.set_level("DEBUG")
    worker = ServiceDriver(session_factory, pcore)
    worker.say("passport status 1234-5678901 21-03-1987")  # the birth date along with the number
    worker.say("21-03-1987")  # the factor: no record, a failure
    worker.say("passport status")
    worker.say("21 March 1987")  # a birth date sent instead of the number
    with session_factory.begin() as s:  # then the lookups are refused ...
        contact_id = s.scalars(select(Contact.id)).one()
        for _ in range(5):
            throttle.record(s, THROTTLE_SCOPE, [f"contact:{contact_id}"], FIXED_NOW)
    assert "Too many" in worker.say("passport status 1234-5678901")
    assert "Too many" in worker.say("21/03/1987")  # ... and a birth date sent anyway is not a question for staff
    worker.say("1987-03-21")  # nor is it the second time
    tracker = ServiceDriver(session_factory, pcore, address="tel:+923004445556")
    with session_factory.begin() as s:
        ref = _complaint(s, worker_cnic="3520212347319").reference
    assert "last 4 digits" in tracker.say(f"STATUS {references.display(ref)}")
    tracker.say("7319")  # the CNIC's last four digits, to prove it is theirs
    with session_factory() as s:
        everything = _every_text(s)
        assert s.scalar(select(func.count(UnansweredQuestion.id))) == 0
        withheld = s.scalar(select(func.count(Message.id)).where(Message.text == WITHHELD))
    for form in DOB_FORMS:
        assert form not in everything and form not in caplog.text  # nor in any log line
    assert "7319" not in everything
    assert withheld == 6  # three birth dates to the lookup, two after the refusal, the CNIC digits


def test_a_birth_date_is_never_kept_as_an_unanswered_question(session_factory, pcore):
    from tests.harness import knowing_nothing

    worker = ServiceDriver(session_factory, knowing_nothing(pcore))
    worker.say("21 March 1987")
    worker.say("what about my visa stamp 35202-9876543-1")
    with session_factory() as s:
        questions = s.scalars(select(UnansweredQuestion.text)).all()
    assert questions == ["what about my visa stamp 35202-*******-1"]


# -- retention -----------------------------------------------------------------------------------------------


def _seed_for_purge(session_factory: sessionmaker[Session]) -> dict[str, int]:
    old, recent = FIXED_NOW - timedelta(days=400), FIXED_NOW - timedelta(days=2)
    with session_factory.begin() as s:
        contact = _contact(s)
        for at, words in ((old, "my CNIC is 35202-9876543-1"), (old, "old question"), (recent, "new words")):
            s.add(Message(contact_id=contact.id, direction="in", channel="sms", text=words, created_at=at))
        s.add(UnansweredQuestion(contact_id=contact.id, text="old unanswered", normalized="old unanswered",
                                 created_at=old))
        closed = _complaint(s, contact, status="closed", closed_at=old, created_at=old, filer_relation="brother")
        s.add(ComplaintEvent(complaint_id=closed.id, at=old, actor="staff:a", kind="note", text="called Aslam"))
        open_ = _complaint(s, contact, status="in_progress", created_at=old)
        s.add(Conversation(contact_id=contact.id, updated_at=old, pager={"pages": ["my CNIC is ..."]}, state={
            "lang": "en", "flow": "complaint", "step": "identity", "turns": 4,
            "complaint_draft": {"cnic": CNIC, "updated": old.isoformat()}}))
        return {"contact": contact.id, "closed": closed.id, "open": open_.id}


@SQLITE
def test_purge_dry_run_then_real_then_again(session_factory):
    ids = _seed_for_purge(session_factory)
    periods = retention.Periods(messages=180, closed_cases=365, drafts=7)
    expected = {"messages": 2, "outbox": 0, "unanswered_questions": 1, "handoffs": 0, "complaints": 1, "drafts": 1}
    with session_factory.begin() as s:
        assert retention.purge(s, FIXED_NOW, periods, dry_run=True) == expected
    with session_factory() as s:
        assert s.scalar(select(func.count(Message.id)).where(Message.text == retention.PURGED)) == 0
    with session_factory.begin() as s:
        assert retention.purge(s, FIXED_NOW, periods) == expected
    with session_factory.begin() as s:
        assert set(retention.purge(s, FIXED_NOW, periods).values()) == {0}  # idempotent
    with session_factory() as s:
        assert s.scalar(select(func.count(Message.id))) == 3  # rows and counts stay
        assert s.scalars(select(Message.text).order_by(Message.id)).all() == [retention.PURGED] * 2 + ["new words"]
        assert s.scalar(select(func.count(Complaint.id)).where(Complaint.category == "wages")) == 2
        closed, open_ = s.get(Complaint, ids["closed"]), s.get(Complaint, ids["open"])
        assert (closed.worker_name, closed.worker_cnic, closed.worker_passport, closed.filer_relation) == (None,) * 4
        assert closed.description == retention.PURGED and closed.anonymised_at is not None
        assert (closed.category, closed.country, closed.status) == ("wages", "SA", "closed")
        assert [e.text for e in closed.events] == [retention.PURGED]
        assert open_.worker_cnic == CNIC and open_.anonymised_at is None  # still being worked on
        conversation = s.get(Conversation, ids["contact"])
        state = conversation.state
        assert "complaint_draft" not in state and state["lang"] == "en" and "flow" not in state
        assert conversation.pager is None
        assert s.scalars(select(UnansweredQuestion.text)).one() == retention.PURGED
        assert _found(s, "5431") == [ids["open"]]


@SQLITE
def test_purge_command_prints_counts(session_factory, clean_env, monkeypatch):
    from helpline.cli import main

    _seed_for_purge(session_factory)
    url = session_factory.kw["bind"].url.render_as_string(hide_password=False)
    monkeypatch.setenv("HELPLINE_DATABASE_URL", url)
    monkeypatch.setenv("HELPLINE_RETENTION_MESSAGE_DAYS", "30")
    runner = CliRunner()
    dry = runner.invoke(main, ["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would anonymise: 2 messages" in dry.output and "1 complaints" in dry.output
    assert "messages after 30 days" in dry.output
    real = runner.invoke(main, ["privacy", "purge"])
    assert real.exit_code == 0 and "anonymised: 2 messages" in real.output
    again = runner.invoke(main, ["privacy", "purge"])
    assert "anonymised: 0 messages" in again.output
    assert len(runner.invoke(main, ["privacy", "new-key"]).output.strip()) == 44


# -- a worker's request to delete their data ------------------------------------------------------------------


@pytest.mark.parametrize(("ask", "yes", "confirm_words"), [
    ("DELETE MY DATA", "yes", "delete your data"),
    ("mera data delete kar do", "haan", "data delete"),
    ("میرا ڈیٹا مٹا دیں", "ہاں", "ڈیٹا مٹا"),
])
def test_the_keyword_asks_to_confirm_then_opens_one_request(session_factory, pcore, ask, yes, confirm_words):
    worker = ServiceDriver(session_factory, pcore)
    assert confirm_words in worker.say(ask).lower()
    worker.say(yes)
    worker.say(ask)
    worker.say(yes)  # asking again while one is open changes nothing
    with session_factory() as s:
        [request] = s.scalars(select(DeletionRequest)).all()
        assert request.status == "open" and request.channel == "sms"
        assert request.lang == {"yes": "en", "haan": "ur-Latn", "ہاں": "ur"}[yes]


def test_no_keeps_everything_and_the_keyword_works_inside_a_complaint(session_factory, pcore):
    worker = ServiceDriver(session_factory, pcore)
    worker.say("DELETE MY DATA")
    assert "nothing was deleted" in worker.say("no")
    worker.say("Complaint: my salary is not paid in Dubai for 4 months")
    assert "delete your data" in worker.say("delete my data").lower()
    with session_factory() as s:
        assert s.scalar(select(func.count(DeletionRequest.id))) == 0


def test_the_privacy_answer_leads_to_the_request(session_factory, pcore):
    worker = ServiceDriver(session_factory, pcore, channel="telegram", address="telegram:42")
    reply = worker.say("who can see my messages")
    assert "Delete my data" in reply, reply
    worker.say(choice="privacy")
    worker.say(choice="privacy:delete")
    with session_factory() as s:
        assert s.scalars(select(DeletionRequest.status)).all() == ["open"]
