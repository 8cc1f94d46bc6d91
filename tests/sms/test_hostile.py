"""Hostile but correctly signed Twilio requests: each is a 400 with the reason and stores nothing, never a 500;
an odd body (a multipart part without a name) never makes the signature check raise."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpline.storage.models import Contact, Message
from tests.harness import PUBLIC_URL, new_sid, sign

MMS = {"NumMedia": "1", "MediaUrl0": "https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM0/Media/ME0",
       "MediaContentType0": "image/jpeg"}
HOSTILE = [
    ({"From": "+92300\x001234567"}, "From has control characters"),
    ({"From": "+923001234567\r\nX: y"}, "From has control characters"),
    ({"To": "+15005550006\x00"}, "To has control characters"),
    ({"From": "+9" * 40}, "From is too long"),
    ({"Body": "b" * 1601}, "Body is too long"),
    ({**MMS, "MediaContentType0": "image/" + "j" * 120}, "MediaContentType0 is too long"),
    ({**MMS, "MediaUrl0": "https://x/" + "u" * 600}, "MediaUrl0 is too long"),
    ({**MMS, "MediaUrl0": "file:///etc/passwd"}, "MediaUrl0 is not a URL"),
    ({"NumMedia": "1" * 5000}, "NumMedia is not a number"),
]


def _stored(app) -> tuple[int, int]:
    with app.extensions["helpline"].sessions() as s:
        return (s.scalar(select(func.count()).select_from(Contact)),
                s.scalar(select(func.count()).select_from(Message)))


@pytest.mark.parametrize(("changes", "reason"), HOSTILE, ids=[r for _, r in HOSTILE])
def test_a_hostile_signed_sms_is_400_with_the_reason_and_stores_nothing(sms, app, changes, reason):
    response = sms.post(sms.form("salam", sid=new_sid(), **changes))
    assert (response.status_code, response.get_data(as_text=True)) == (400, reason + "\n")
    assert _stored(app) == (0, 0)


def test_control_characters_in_the_body_are_dropped_and_answered(sms, app):
    assert sms.send("sa\x00lam\x1b\x07 ji")
    with app.extensions["helpline"].sessions() as s:
        assert s.scalars(select(Message.text).where(Message.direction == "in")).one() == "salam ji"


def test_a_status_callback_with_a_hostile_error_code_is_400(sms, app):
    form = {"MessageSid": new_sid(), "MessageStatus": "failed", "ErrorCode": "3" * 30}
    response = sms.post(form, path="/webhooks/twilio/status")
    assert (response.status_code, response.get_data(as_text=True)) == (400, "ErrorCode is not a number\n")


MULTIPART = (b"--b\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n"
             b"--b\r\nContent-Disposition: form-data; name=\"Body\"\r\n\r\nhi\r\n--b--\r\n")


@pytest.mark.parametrize(("body", "content_type", "status"), [
    (MULTIPART, "multipart/form-data; boundary=b", 400),  # a part without a name: not a form Twilio sends
    (b"--b\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nv\r\n--b--\r\n", "multipart/form-data; boundary=b", 400),
    (b"\xff\xfe\x00", "multipart/form-data", 403),  # no boundary: no form at all
    (b"a=%ff%fe&b&=c&&", "application/x-www-form-urlencoded", 400),  # "=c": a field without a name
    (b"a=%ff%fe&b", "application/x-www-form-urlencoded", 403),
    (b"\x00" * 100, "application/octet-stream", 403),
])
def test_odd_bodies_never_make_the_signature_check_raise(client, app, body, content_type, status):
    for path in ("/webhooks/twilio/sms", "/webhooks/twilio/status"):
        response = client.post(path, data=body, headers={"X-Twilio-Signature": sign({"a": "b"}, PUBLIC_URL + path),
                                                         "Content-Type": content_type})
        assert response.status_code == status, response.get_data(as_text=True)
    assert _stored(app) == (0, 0)
