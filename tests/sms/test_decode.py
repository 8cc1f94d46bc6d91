"""Twilio's inbound form → :class:`InboundMessage`: one table of recorded payloads and their decoded values.

Each row is a payload recorded in ``payloads/`` (as-is, or with a field dropped or changed to make it
malformed) and what :func:`webhooks.twilio.decode.parse_inbound` makes of it: the full message, ``None`` for
a Twilio channel the helpline does not serve, or the :class:`InboundRejected` the webhook answers 400 with.
WhatsApp's payloads, decoded by the same function, have their own table (``tests/whatsapp/test_decode.py``).
The delivery status callbacks in ``payloads/status_*.txt`` go to ``/webhooks/twilio/status``, not through this
decoder (``tests/sms/test_outbox.py`` posts them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from werkzeug.datastructures import ImmutableMultiDict

from helpline.errors import InboundRejected
from helpline.messages import Attachment, InboundMessage
from webhooks.twilio.decode import parse_inbound

PAYLOADS = Path(__file__).parent / "payloads"
STATUS_CALLBACKS = "status_"  # file-name prefix of the delivery status callbacks
DROP = None  # a change to this value removes the field
ACCOUNT = "AC00000000000000000000000000000000"


def media(sid: str, media_sid: str) -> str:
    """The URL Twilio gives a received media item."""
    return f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages/{sid}/Media/{media_sid}"


@dataclass(frozen=True)
class Recorded:
    """A recorded payload, optionally with some fields changed or dropped (``DROP``)."""

    name: str
    changes: tuple[tuple[str, str | None], ...] = ()
    folder: Path = PAYLOADS

    def form(self) -> ImmutableMultiDict[str, str]:
        """The form as Flask hands it to the webhook."""
        fields = dict(parse_qsl((self.folder / self.name).read_text(encoding="utf-8"), keep_blank_values=True))
        for key, value in self.changes:
            if value is DROP:
                fields.pop(key, None)
            else:
                fields[key] = value
        return ImmutableMultiDict(fields)

    def __str__(self) -> str:
        edits = ",".join(f"-{k}" if v is DROP else f"{k}={v[:12]}" for k, v in self.changes)
        return f"{self.name}[{edits}]" if edits else self.name


def recorded(name: str, **changes: str | None) -> Recorded:
    return Recorded(name, tuple(changes.items()))


NO_SID = {"MessageSid": DROP, "SmsMessageSid": DROP, "SmsSid": DROP}
MMS = "MM3b8c7d6e5f4a3b2c1d0e9f8a7b6c5d32"
MMS_PHOTO = "MM6e9f8a7b6c5d4e3f2a1b0c9d8e7f6a65"

TABLE = [
    # -- recorded payloads, as received ------------------------------------------------------------------
    (recorded("sms_roman_urdu.txt"),
     InboundMessage(channel="sms", address="tel:+923001234567", text="protector kya hota hai?",
                    provider_id="SM1f0e3c8b5a4d4e2f9a7b6c5d4e3f2a10")),
    (recorded("sms_urdu.txt"),
     InboundMessage(channel="sms", address="tel:+923331234567", text="پروٹیکٹر کیا ہے؟",
                    provider_id="SM2a9b8c7d6e5f4a3b2c1d0e9f8a7b6c21")),
    (recorded("sms_messaging_service.txt"),
     InboundMessage(channel="sms", address="tel:+923011234567", text="salam",
                    provider_id="SM4c7d6e5f4a3b2c1d0e9f8a7b6c5d4e43")),
    (recorded("mms_two_media.txt"),
     InboundMessage(channel="sms", address="tel:+923451234567", text="contract ki photo", provider_id=MMS,
                    attachments=(Attachment("media", media(MMS, "ME11111111111111111111111111111111"), "image/jpeg"),
                                 Attachment("media", media(MMS, "ME22222222222222222222222222222222"),
                                            "application/pdf")))),
    (recorded("mms_photo_no_body.txt"),
     InboundMessage(channel="sms", address="tel:+923451234567", text="", provider_id=MMS_PHOTO,
                    attachments=(Attachment("media", media(MMS_PHOTO, "ME33333333333333333333333333333333"),
                                            "image/jpeg"),))),
    (recorded("sms_roman_urdu.txt", From="messenger:1234567890"), None),  # a Twilio channel we do not serve
    # -- recorded payloads, edited into what Twilio would not send but a caller might ----------------------
    (recorded("sms_roman_urdu.txt", MessageSid=DROP),  # the legacy SmsMessageSid is enough
     InboundMessage(channel="sms", address="tel:+923001234567", text="protector kya hota hai?",
                    provider_id="SM1f0e3c8b5a4d4e2f9a7b6c5d4e3f2a10")),
    (recorded("sms_roman_urdu.txt", Body="salam\x00"),  # PostgreSQL text cannot hold NUL
     InboundMessage(channel="sms", address="tel:+923001234567", text="salam",
                    provider_id="SM1f0e3c8b5a4d4e2f9a7b6c5d4e3f2a10")),
    (recorded("sms_roman_urdu.txt", **NO_SID), InboundRejected("MessageSid is missing", 400)),
    (recorded("sms_roman_urdu.txt", MessageSid="", SmsMessageSid=""), InboundRejected("MessageSid is missing", 400)),
    (recorded("sms_roman_urdu.txt", MessageSid="SMSID"), InboundRejected("MessageSid is malformed", 400)),
    (recorded("sms_roman_urdu.txt", MessageSid="SM1f0e3c8b5a4d4e2f9a7b6c5d4e3f2a1"),  # 33 characters
     InboundRejected("MessageSid is malformed", 400)),
    (recorded("sms_roman_urdu.txt", From=DROP), InboundRejected("From is missing", 400)),
    (recorded("sms_roman_urdu.txt", From="  "), InboundRejected("From is missing", 400)),
    (recorded("sms_roman_urdu.txt", From="+92" + "3" * 62), InboundRejected("From is too long", 400)),
    (recorded("sms_roman_urdu.txt", NumMedia="x"), InboundRejected("NumMedia is not a number", 400)),
    (recorded("sms_roman_urdu.txt", NumMedia="1.0"), InboundRejected("NumMedia is not a number", 400)),
    (recorded("sms_roman_urdu.txt", NumMedia="-1"), InboundRejected("NumMedia is out of range", 400)),
    (recorded("mms_two_media.txt", NumMedia="11"), InboundRejected("NumMedia is out of range", 400)),
    (recorded("mms_two_media.txt", MediaUrl1=DROP), InboundRejected("MediaUrl1 is missing", 400)),
    (recorded("mms_two_media.txt", NumMedia="3"), InboundRejected("MediaUrl2 is missing", 400)),
    (recorded("sms_roman_urdu.txt", NumMedia="1"), InboundRejected("MediaUrl0 is missing", 400)),
    # -- hostile but well-signed: control characters, sizes over their columns, things that are not URLs ----
    (recorded("sms_roman_urdu.txt", From="+92300\x001234567"), InboundRejected("From has control characters", 400)),
    (recorded("sms_roman_urdu.txt", From="+923001234567\n"), InboundRejected("From has control characters", 400)),
    (recorded("sms_roman_urdu.txt", From="+92300\u202e1234567"), InboundRejected("From has control characters", 400)),
    (recorded("sms_roman_urdu.txt", To="+1500\x00"), InboundRejected("To has control characters", 400)),
    (recorded("sms_roman_urdu.txt", To="+1" * 40), InboundRejected("To is too long", 400)),
    (recorded("sms_roman_urdu.txt", MessageSid="SM1f0e3c8b5a4d4e2f9a7b6c5d4e3f2a10\x00"),
     InboundRejected("MessageSid is malformed", 400)),
    (recorded("sms_roman_urdu.txt", Body="x" * 1601), InboundRejected("Body is too long", 400)),
    (recorded("sms_roman_urdu.txt", NumMedia="9" * 5000), InboundRejected("NumMedia is not a number", 400)),
    (recorded("mms_two_media.txt", MediaContentType0="image/" + "x" * 100),
     InboundRejected("MediaContentType0 is too long", 400)),
    (recorded("mms_two_media.txt", MediaContentType1="application/pdf\x00"),
     InboundRejected("MediaContentType1 has control characters", 400)),
    (recorded("mms_two_media.txt", MediaContentType0="<script>"),
     InboundRejected("MediaContentType0 is not a content type", 400)),
    (recorded("mms_two_media.txt", MediaUrl0="https://api.twilio.com/" + "x" * 500),
     InboundRejected("MediaUrl0 is too long", 400)),
    (recorded("mms_two_media.txt", MediaUrl0="javascript:alert(1)"), InboundRejected("MediaUrl0 is not a URL", 400)),
    (recorded("mms_two_media.txt", MediaUrl1="https://a\x00b"), InboundRejected("MediaUrl1 has control characters", 400)),
    # -- odd but acceptable: control characters in the body are dropped (tab and line breaks kept) ----------
    (recorded("sms_roman_urdu.txt", Body="sa\x1blam\x07\n\u200fji"),
     InboundMessage(channel="sms", address="tel:+923001234567", text="salam\n\u200fji",
                    provider_id="SM1f0e3c8b5a4d4e2f9a7b6c5d4e3f2a10")),
    (recorded("mms_two_media.txt", MediaContentType0=DROP),  # no content type: kept as unknown
     InboundMessage(channel="sms", address="tel:+923451234567", text="contract ki photo", provider_id=MMS,
                    attachments=(Attachment("media", media(MMS, "ME11111111111111111111111111111111"), None),
                                 Attachment("media", media(MMS, "ME22222222222222222222222222222222"),
                                            "application/pdf")))),
]


def _id(value: Any) -> str:
    if isinstance(value, InboundRejected):
        return f"400 {value.reason}"
    return str(value) if isinstance(value, Recorded) or value is None else type(value).__name__


@pytest.mark.parametrize(("payload", "expected"), TABLE, ids=_id)
def test_decode(payload: Recorded, expected: InboundMessage | InboundRejected | None) -> None:
    if isinstance(expected, InboundRejected):
        with pytest.raises(InboundRejected) as refused:
            parse_inbound(payload.form())
        got = refused.value
        assert (type(got), got.reason, got.status) == (type(expected), expected.reason, expected.status)
    else:
        assert parse_inbound(payload.form()) == expected


def test_the_table_has_every_recorded_inbound_payload_as_received() -> None:
    as_received = {payload.name for payload, _ in TABLE if not payload.changes}
    on_disk = {p.name for p in PAYLOADS.glob("*.txt") if not p.name.startswith(STATUS_CALLBACKS)}
    assert as_received == on_disk
