"""POST /webhooks/twilio/sms: signatures (real RequestValidator), recorded payloads, rejects that store nothing."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import func, select

from helpline.settings import load_settings
from helpline.storage.models import Contact, Message
from tests.fakes.twilio_api import AUTH_TOKEN
from tests.harness import PUBLIC_URL, Sms, new_sid, reply_text, sign

PAYLOADS = Path(__file__).parent / "payloads"


def _count(app, model=Message) -> int:
    with app.extensions["helpline"].sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def _post_raw(client, name: str, *, url: str = PUBLIC_URL + "/webhooks/twilio/sms"):
    raw = (PAYLOADS / name).read_text()
    form = dict(parse_qsl(raw, keep_blank_values=True))
    return client.post("/webhooks/twilio/sms", data=raw, content_type="application/x-www-form-urlencoded",
                       headers={"X-Twilio-Signature": sign(form, url)})


@pytest.mark.parametrize("name", ["sms_roman_urdu.txt", "sms_urdu.txt", "sms_messaging_service.txt"])
def test_recorded_payloads_get_a_twiml_reply(client, app, name):
    response = _post_raw(client, name)
    assert response.status_code == 200 and response.content_type.startswith("text/xml")
    assert reply_text(response.get_data(as_text=True)).strip()
    assert _count(app) == 2  # one in, one out


def test_messaging_service_to_number_is_accepted_and_answered(client, app):
    """Chatwoot #14125: a hand-rolled check refused Messaging Service pool numbers; ours is Twilio's own."""
    response = _post_raw(client, "sms_messaging_service.txt")
    assert response.status_code == 200
    assert "khush aamdeed" in reply_text(response.get_data(as_text=True))


def test_mms_media_are_recorded_as_attachments(client, app):
    assert _post_raw(client, "mms_two_media.txt").status_code == 200
    with app.extensions["helpline"].sessions() as s:
        inbound = s.scalars(select(Message).where(Message.direction == "in")).one()
    assert [a["content_type"] for a in inbound.attachments] == ["image/jpeg", "application/pdf"]
    assert all(a["ref"].startswith("https://api.twilio.com/") and a["kind"] == "media" for a in inbound.attachments)


@pytest.mark.parametrize("case", ["unsigned", "forged", "wrong token", "wrong url", "tampered body"])
def test_bad_signatures_are_403_and_store_nothing(client, app, case):
    sms = Sms(client)
    form = sms.form("salam", sid=new_sid())
    signature = {
        "unsigned": "",
        "forged": "dGhpcyBpcyBub3QgYSBzaWduYXR1cmU=",
        "wrong token": sign(form, PUBLIC_URL + "/webhooks/twilio/sms", token="another-token"),
        "wrong url": sign(form, "https://evil.example.org/webhooks/twilio/sms"),
        "tampered body": sign({**form, "Body": "something else"}, PUBLIC_URL + "/webhooks/twilio/sms"),
    }[case]
    response = client.post("/webhooks/twilio/sms", data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
    assert "signature" in response.get_data(as_text=True).lower()
    assert _count(app) == 0 and _count(app, Contact) == 0


def test_http_vs_https_behind_a_proxy(sms_settings, core, engine):
    """Behind a TLS-terminating proxy Flask sees http://; only HELPLINE_PUBLIC_URL makes the signature match."""
    from webhooks.app import create_app

    form = Sms(None).form("salam", sid=new_sid())  # type: ignore[arg-type]
    form["MessageSid"] = form["SmsMessageSid"]
    signature = sign(form, "https://helpline.example.org/webhooks/twilio/sms")  # what Twilio signed
    headers = {"X-Twilio-Signature": signature}
    no_public = create_app(sms_settings.model_copy(update={"public_url": None}), core=core, engine=engine)
    response = no_public.test_client().post("/webhooks/twilio/sms", data=form, headers=headers,
                                            base_url="http://helpline.example.org")
    assert response.status_code == 403  # http:// seen, https:// signed
    with_public = create_app(sms_settings, core=core, engine=engine)
    response = with_public.test_client().post("/webhooks/twilio/sms", data=form, headers=headers,
                                              base_url="http://10.0.0.5:8000")
    assert response.status_code == 200


def test_without_public_url_the_request_url_is_used_including_query(sms_settings, core, engine):
    from webhooks.app import create_app

    app = create_app(sms_settings.model_copy(update={"public_url": None}), core=core, engine=engine)
    form = Sms(None).form("salam", sid=new_sid())  # type: ignore[arg-type]
    form["MessageSid"] = form["SmsMessageSid"]
    url = "https://sms.example.net/webhooks/twilio/sms?tenant=1"
    response = app.test_client().post(url, data=form, headers={"X-Twilio-Signature": sign(form, url)})
    assert response.status_code == 200


@pytest.mark.parametrize(("drop", "reason"), [("From", "From is missing"), ("MessageSid", "MessageSid is missing")])
def test_malformed_forms_are_400_with_the_reason(client, app, drop, reason):
    sms = Sms(client)
    form = sms.form("salam", sid=new_sid())
    form["MessageSid"] = form["SmsMessageSid"]
    form = {k: v for k, v in form.items() if k != drop and not (drop == "MessageSid" and k in ("SmsMessageSid", "SmsSid"))}
    response = client.post("/webhooks/twilio/sms", data=form,
                           headers={"X-Twilio-Signature": sign(form, PUBLIC_URL + "/webhooks/twilio/sms")})
    assert response.status_code == 400 and reason in response.get_data(as_text=True)
    assert _count(app) == 0


@pytest.mark.parametrize("extra", [{"NumMedia": "x"}, {"NumMedia": "3"}, {"NumMedia": "99"}])
def test_bad_media_fields_are_400(sms, app, extra):
    response = sms.post(sms.form("photo", sid=new_sid(), **extra))
    assert response.status_code == 400 and _count(app) == 0


def test_oversized_body_is_413(sms, app):
    response = sms.post(sms.form("x" * 70_000, sid=new_sid()), signature="irrelevant")
    assert response.status_code == 413 and _count(app) == 0


def test_503_with_the_reason_until_a_token_is_configured(clean_env, db_url, core, engine):
    from webhooks.app import create_app

    app = create_app(load_settings(database_url=db_url), core=core, engine=engine)
    for path in ("/webhooks/twilio/sms", "/webhooks/twilio/status"):
        response = app.test_client().post(path, data={"From": "+923001234567"})
        assert response.status_code == 503
        assert "HELPLINE_TWILIO_AUTH_TOKEN" in response.get_data(as_text=True)
    assert _count(app) == 0


def test_get_is_not_allowed(client):
    assert client.get("/webhooks/twilio/sms").status_code == 405


def test_a_redelivery_gets_the_same_stored_reply(sms, app):
    form = sms.form("protector kya hota hai", sid=new_sid())
    first = sms.post(form).get_data(as_text=True)
    again = sms.post(form).get_data(as_text=True)
    assert first == again and reply_text(first)
    assert _count(app) == 2  # one turn: one in, one out


def test_signature_token_is_never_in_the_answer(sms):
    response = sms.post(sms.form("salam", sid=new_sid()), signature="bad")
    assert AUTH_TOKEN not in response.get_data(as_text=True)


def test_a_message_of_a_twilio_channel_we_do_not_serve_is_ignored_politely(sms, app):
    response = sms.post(sms.form("salam", sid=new_sid(), sender="messenger:1234567890"))
    assert response.status_code == 200 and reply_text(response.get_data(as_text=True)) == ""
    assert _count(app) == 0  # (WhatsApp on this route is answered: tests/whatsapp/)


def test_hostile_body_characters_never_make_a_500(sms, app):
    reply = sms.send("salam\x00 <Response/> & ]]> \u202e\U0001F600")
    assert reply  # answered, and the TwiML is well-formed (parsed by reply_text)
    with app.extensions["helpline"].sessions() as s:
        assert "\x00" not in s.scalars(select(Message.text).where(Message.direction == "in")).one()
