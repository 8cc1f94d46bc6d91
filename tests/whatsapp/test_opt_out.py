"""STOP on WhatsApp: no carrier handles it there, so the helpline does, in the three languages.

STOP (or "band karo", «بند کریں», …) opts the contact out: the reply says how to come back, and every proactive
message after that is skipped without a request to Twilio. START (or "shuru", «شروع») brings them back, and what
was held for them goes out. A contact who stopped and writes is answered, with a line saying they get nothing
else. START from someone who never stopped is an ordinary message, and CANCEL is no opt-out.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from helpline.i18n import load_catalogs
from helpline.messages import Text
from helpline.outbox import OutboxMessage, deliver_due
from helpline.settings import REPO_ROOT
from helpline.storage.models import Contact
from helpline.text import normalize
from tests.conftest import FIXED_NOW
from tests.whatsapp.conftest import whatsapp_sender
from tests.whatsapp.test_outbox import case_update
from webhooks.twilio.keywords import WHATSAPP_START, WHATSAPP_STOP

WORKER = "whatsapp:+923001234567"


def contact(session_factory) -> Contact:
    with session_factory() as s:
        return s.scalars(select(Contact).where(Contact.address == WORKER)).one()


@pytest.mark.parametrize("lang, greeting, stop, start", [
    ("en", "hello", "STOP", "START"),
    ("ur-Latn", "salam", "band karo", "shuru"),
    ("ur", "السلام علیکم", "بند کریں", "شروع"),
])
def test_stop_and_start_on_whatsapp(lang, greeting, stop, start, wa, core, session_factory, fake_twilio):
    words = lambda key: core.i18n.render(Text(key), lang)  # noqa: E731
    sender = {"whatsapp": whatsapp_sender(fake_twilio)}
    wa.messages(greeting, sender=WORKER)
    assert wa.messages(stop, sender=WORKER) == [words("whatsapp.stopped")]
    assert contact(session_factory).opted_out and contact(session_factory).opted_out_at == FIXED_NOW

    case_update(session_factory, core, contact(session_factory).id)  # proactive: not sent, not even asked
    assert deliver_due(session_factory, sender, FIXED_NOW, worker="w").skipped == 1
    assert fake_twilio.requests == []

    answered = wa.messages(greeting, sender=WORKER)  # they wrote: answered, and told they get nothing else
    assert answered[0].startswith(words("whatsapp.opted_out")) and len(answered[0]) > len(words("whatsapp.opted_out"))

    assert wa.messages(start, sender=WORKER) == [words("whatsapp.started")]
    assert not contact(session_factory).opted_out
    case_update(session_factory, core, contact(session_factory).id, to_status="in_progress")
    assert deliver_due(session_factory, sender, FIXED_NOW, worker="w").sent == 1
    assert fake_twilio.delivered[-1].form["To"] == WORKER


def test_start_and_cancel_are_ordinary_messages_for_a_subscribed_worker(wa, core, session_factory):
    started = "\n\n".join(wa.messages("start", sender=WORKER))
    assert core.i18n.render(Text("whatsapp.started"), "en") not in started and started
    assert "\n\n".join(wa.messages("cancel", sender=WORKER))
    assert not contact(session_factory).opted_out


def test_start_releases_what_was_held(wa, core, session_factory, fake_twilio, monkeypatch):
    wa.messages("hello", sender=WORKER)
    wa.messages("STOP", sender=WORKER)
    with session_factory.begin() as s:
        s.get(Contact, contact(session_factory).id).opted_out = False  # as if held before they stopped
    monkeypatch.setattr(core, "clock", lambda: FIXED_NOW + timedelta(days=2))
    case_update(session_factory, core, contact(session_factory).id)
    sender = {"whatsapp": whatsapp_sender(fake_twilio, templates={})}
    assert deliver_due(session_factory, sender, FIXED_NOW + timedelta(days=2), worker="w").held == 1
    with session_factory.begin() as s:
        s.get(Contact, contact(session_factory).id).opted_out = True
    wa.messages("START", sender=WORKER)
    with session_factory() as s:
        assert [r.status for r in s.scalars(select(OutboxMessage))] == ["queued"]
    assert deliver_due(session_factory, sender, FIXED_NOW + timedelta(days=2), worker="w").sent == 1


def test_no_catalog_text_a_worker_might_type_back_is_a_consent_word() -> None:
    """A menu label typed back (WhatsApp has no buttons) must never opt a worker out or in."""
    stated = {"complaint.status.closed"}  # "band" / «بند»: a status we tell, never a choice to type
    for lang, catalog in load_catalogs(REPO_ROOT / "locales").items():
        for key, text in catalog.items():
            if key not in stated and not key.startswith("whatsapp."):
                assert normalize(text) not in WHATSAPP_STOP | WHATSAPP_START, (lang, key, text)
