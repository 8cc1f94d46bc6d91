"""Identity numbers planted in every text field a worker can fill (complaint, history, attachments, messages,
handoff, unanswered questions) never show unmasked on any console page or in the CSV export; a reveal needs a
reason; CSV cells cannot start a formula whatever the separator; every response under /staff/ has the security
headers, errors included."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import String, Text, select

from helpline.complaints.models import Complaint, ComplaintAttachment, ComplaintEvent
from helpline.console.export import _cell
from helpline.console.models import AuditEntry
from helpline.console.security import HEADERS
from helpline.handoff.models import Handoff
from helpline.storage.models import Message, UnansweredQuestion
from tests.conftest import FIXED_NOW
from tests.console.conftest import make_complaint, make_contact, post

CNIC, PASSPORT, PHONE = "35202-7654321-9", "AB7654321", "+923219876543"
PLANT = f"{CNIC} {PASSPORT} {PHONE}"
SECRETS = ("7654321", "3219876543")  # what must never show: the CNIC's and passport's middle, the phone's digits
# Columns that are codes the helpline chose, never a worker's words.
STRUCTURAL = {"reference", "draft_key", "channel", "lang", "category", "country", "affected", "status",
              "responsible_body", "assignee", "verify_hash", "kind", "actor", "from_status", "to_status",
              "held_by", "ended_by", "direction", "provider_id", "normalized", "best_topic", "resolution",
              "resolved_by", "label"}


def _plant(row: object, *, skip: set[str] = frozenset()) -> None:
    """Put identity numbers in every free-text column of ``row`` (cut to the column's size)."""
    for column in type(row).__table__.columns:  # type: ignore[attr-defined]
        if column.name in STRUCTURAL or column.name in skip or not isinstance(column.type, (String, Text)):
            continue
        size = getattr(column.type, "length", None)
        setattr(row, column.key, PLANT[:size] if size else f"{column.name}: {PLANT}")


@pytest.fixture
def planted(session_factory):
    with session_factory.begin() as s:
        contact = make_contact(s, address=f"tel:{PHONE}")
        complaint = make_complaint(s, contact=contact, urgent=True)
        _plant(complaint, skip={"worker_cnic", "worker_passport"})
        complaint.worker_cnic, complaint.worker_passport = CNIC.replace("-", ""), PASSPORT
        s.add(ComplaintEvent(complaint_id=complaint.id, at=FIXED_NOW, actor="worker", kind="note",
                             text=f"note {PLANT}", public=False))
        s.add(ComplaintAttachment(complaint_id=complaint.id, kind="media", ref=f"https://x/{PLANT}",
                                  content_type="image/jpeg"))
        s.add(Message(contact_id=contact.id, direction="in", channel="sms", text=f"said {PLANT}",
                      attachments=[{"kind": "media", "ref": f"https://x/{PASSPORT}", "content_type": "image/png"}],
                      created_at=FIXED_NOW - timedelta(minutes=5)))
        handoff = Handoff(contact_id=contact.id, status="waiting", lang="ur-Latn",
                          requested_at=FIXED_NOW - timedelta(hours=1))
        _plant(handoff)
        handoff.urgent = True
        s.add(handoff)
        s.add(UnansweredQuestion(contact_id=contact.id, text=f"question {PLANT}", normalized="question",
                                 lang="en", created_at=FIXED_NOW))
        s.flush()
        return {"complaint": complaint.id, "contact": contact.id}


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def test_no_page_and_no_export_shows_a_planted_identity_number(app, as_role, planted):
    client = as_role("admin")
    pages = ["/staff/", "/staff/?status=all", f"/staff/?q={planted['complaint']}", "/staff/handoff",
             f"/staff/complaints/{planted['complaint']}", f"/staff/contacts/{planted['contact']}",
             "/staff/overview", "/staff/knowledge/unanswered", "/staff/audit", "/staff/users", "/staff/export.csv"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        assert not _leaks(body), (path, _leaks(body))
    case = client.get(f"/staff/complaints/{planted['complaint']}").get_data(as_text=True)
    assert "35202-*******-9" in case and "AB*****21" in case  # masked, not dropped


def test_a_reveal_needs_a_reason_and_is_audited(app, as_role, planted, session_factory):
    client = as_role("supervisor")
    path = f"/staff/complaints/{planted['complaint']}/reveal"
    for empty in ("", "   ", "\x00\x01"):
        response = post(client, path, {"reason": empty})
        assert response.status_code == 400 and not _leaks(response.get_data(as_text=True))
    with session_factory() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "pii.reveal")).all() == []
    response = post(client, path, {"reason": "worker asked on the phone"})
    assert response.status_code == 200 and CNIC in response.get_data(as_text=True)
    with session_factory() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "pii.reveal")).one()
        assert entry.detail["reason"] == "worker asked on the phone"


@pytest.mark.parametrize("value", ["=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "ok;=HYPERLINK(\"x\")",
                                   "ok,=1", "ok\t=1", "a;+b", "x\n=1", " =1", "；=1"])
def test_csv_cells_never_start_a_formula_under_any_separator(value):
    cell = _cell(value)
    for separator in (",", ";", "\t"):
        for part in cell.replace("\n", separator).replace("\r", separator).split(separator):
            assert part.lstrip()[:1] not in ("=", "+", "-", "@", "＝", "＋", "－", "＠"), (value, cell, separator)


def test_the_export_escapes_a_formula_typed_by_a_worker(app, as_role, session_factory):
    with session_factory.begin() as s:
        make_complaint(s, description='pay me;=HYPERLINK("http://evil","x");-2+3')
    body = as_role("admin").get("/staff/export.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    description = rows[1][rows[0].index("description")]
    assert ";=" not in description and ";-" not in description


@pytest.mark.parametrize("signed_in", [False, True])
def test_security_headers_on_every_response_errors_included(app, as_role, signed_in, monkeypatch):
    from helpline.console import overview

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(overview, "figures", broken)
    client = as_role("admin") if signed_in else app.test_client()
    statuses = set()
    for path in ("/staff/no-such-page", "/staff/complaints/999999", "/staff/static/nothing.css", "/staff/login",
                 "/staff/", "/staff/overview", "/staff"):
        response = client.get(path)
        statuses.add(response.status_code)
        for name, value in HEADERS.items():
            assert response.headers.get(name) == value, (path, response.status_code, name)
    assert {404, 200} <= statuses and (500 in statuses) == signed_in
    assert "Content-Security-Policy" not in app.test_client().get("/healthz").headers  # the console's only
