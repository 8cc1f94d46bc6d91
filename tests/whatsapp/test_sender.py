"""The WhatsApp sender's set-up and rendering: settings, long messages in parts, addresses of other channels."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from helpline.errors import ConfigError, SendFailed, SendHeld
from helpline.outbox import Outgoing
from helpline.settings import load_settings
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN
from tests.harness import WA_NUMBER
from tests.whatsapp.conftest import TEMPLATES, whatsapp_sender
from webhooks.twilio.render import render_whatsapp
from webhooks.twilio.whatsapp import WhatsAppSender, sender_from_settings


def item(**kw) -> Outgoing:
    values = dict(id=1, channel="whatsapp", address="whatsapp:+923001234567", lang="en", kind="staff_reply",
                  paragraphs=("Hello",), since_inbound=timedelta(hours=1))
    values.update(kw)
    return Outgoing(**values)


def test_settings_make_a_sender_only_with_a_whatsapp_sender_and_the_account(clean_env, caplog) -> None:
    assert sender_from_settings(load_settings(twilio_auth_token=AUTH_TOKEN, twilio_account_sid=ACCOUNT_SID)) is None
    with caplog.at_level(logging.WARNING):
        assert sender_from_settings(load_settings(whatsapp_from=WA_NUMBER)) is None
    assert "HELPLINE_TWILIO_ACCOUNT_SID and HELPLINE_TWILIO_AUTH_TOKEN are required" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        sender = sender_from_settings(load_settings(
            whatsapp_from="MG" + "0" * 32, twilio_auth_token=AUTH_TOKEN, twilio_account_sid=ACCOUNT_SID,
            whatsapp_templates={"case_update": TEMPLATES["case_update"], "typo": {"en": "HX" + "1" * 32}}))
    assert isinstance(sender, WhatsAppSender) and sender.sender == {"messaging_service_sid": "MG" + "0" * 32}
    assert "'typo', which is no notice" in caplog.text
    assert "not configured: reply_waiting [en], reply_waiting [ur]" in caplog.text
    assert AUTH_TOKEN not in repr(sender)


@pytest.mark.parametrize("value, error", [
    ({"case_update": {"fr": "HX" + "0" * 32}}, "unknown language 'fr'"),
    ({"case_update": {"en": "SM" + "0" * 32}}, "not a Content SID"),
])
def test_bad_templates_settings_are_refused_by_name(clean_env, value, error) -> None:
    with pytest.raises(ConfigError, match=f"HELPLINE_WHATSAPP_TEMPLATES: .*{error}"):
        load_settings(whatsapp_templates=value)
    with pytest.raises(ConfigError, match="HELPLINE_WHATSAPP_FROM"):
        load_settings(whatsapp_from="+923001234567")  # without the whatsapp: prefix


def test_the_templates_come_from_the_environment_as_json(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("HELPLINE_WHATSAPP_TEMPLATES", '{"case_update": {"ur": "HX' + "a" * 32 + '"}}')
    assert load_settings().whatsapp_templates == {"case_update": {"ur": "HX" + "a" * 32}}


def test_a_long_message_goes_in_parts_of_at_most_1600_characters_with_the_menu_last(fake_twilio) -> None:
    text = "\n\n".join(f"Office {n}: Community Welfare Attache, street {n}." for n in range(120))
    bodies = render_whatsapp([text], [("a", "More"), ("b", "Menu")], lang="en")
    assert len(bodies) >= 3 and all(len(b) <= 1600 for b in bodies)
    assert bodies[-1].endswith("1 More\n2 Menu")
    sender = whatsapp_sender(fake_twilio)
    sender.send(item(paragraphs=(text,), menu=(("a", "More"), ("b", "Menu"))))
    assert [r.form["Body"] for r in fake_twilio.delivered] == bodies


def test_addresses_of_other_channels_and_empty_messages_are_refused(fake_twilio) -> None:
    sender = whatsapp_sender(fake_twilio)
    with pytest.raises(SendFailed, match="not a WhatsApp address"):
        sender.send(item(address="tel:+923001234567"))
    with pytest.raises(SendFailed, match="nothing to send"):
        sender.send(item(paragraphs=()))
    with pytest.raises(SendHeld):
        sender.send(item(since_inbound=None))  # never wrote (or unknown): never free-form
    assert fake_twilio.requests == []
