"""Twilio's WhatsApp form → :class:`InboundMessage`: one table of raw payloads and what they decode to.

Each row is a payload in ``payloads/`` exactly as Twilio posts it for a WhatsApp sender (its fields and order
from Twilio's webhook request and WhatsApp docs; the account and sids zeroed or made up), as-is or with a field
changed, and what :func:`webhooks.twilio.decode.parse_inbound` makes of it: the message (channel ``whatsapp``,
address ``whatsapp:+…``), or the :class:`InboundRejected` the webhook answers 400 with. Text, an Urdu text, a
voice note and a photo with a caption (media as ``MediaUrlN`` / ``MediaContentTypeN``, as for MMS, so the media
fetcher takes them the same way), and a shared location (an attachment ``geo:lat,lon``, no words). The delivery
status callbacks (``payloads/status_*.txt``) go to ``/webhooks/twilio/status``: ``test_outbox.py`` posts them.
"""

from __future__ import annotations

import pytest

from helpline.errors import InboundRejected
from helpline.messages import Attachment, InboundMessage
from tests.sms.test_decode import ACCOUNT, DROP, Recorded, media
from tests.whatsapp.conftest import PAYLOADS, STATUS_CALLBACKS
from webhooks.twilio.decode import parse_inbound


def recorded(name: str, **changes: str | None) -> Recorded:
    return Recorded(name, tuple(changes.items()), PAYLOADS)


TEXT, URDU = "SM5d8e7f6a5b4c3d2e1f0a9b8c7d6e5f54", "SM0d4e5f60718293a4b5c6d7e8f90a1b2c"
VOICE, IMAGE, PLACE = ("MM7a1b2c3d4e5f60718293a4b5c6d7e8f9", "MM8b2c3d4e5f60718293a4b5c6d7e8f90a",
                       "SM9c3d4e5f60718293a4b5c6d7e8f90a1b")

TABLE = [
    # -- as received ----------------------------------------------------------------------------------
    (recorded("whatsapp_text.txt"),
     InboundMessage(channel="whatsapp", address="whatsapp:+923001234567", text="salam", provider_id=TEXT)),
    (recorded("whatsapp_urdu.txt"),
     InboundMessage(channel="whatsapp", address="whatsapp:+923331234567", text="پروٹیکٹر کیا ہوتا ہے؟",
                    provider_id=URDU)),
    (recorded("whatsapp_voice_note.txt"),
     InboundMessage(channel="whatsapp", address="whatsapp:+923001234567", text="", provider_id=VOICE,
                    attachments=(Attachment("media", media(VOICE, "ME0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
                                            "audio/ogg"),))),
    (recorded("whatsapp_image.txt"),
     InboundMessage(channel="whatsapp", address="whatsapp:+966501234567", text="yeh mera contract hai",
                    provider_id=IMAGE,
                    attachments=(Attachment("media", media(IMAGE, "ME1b2c3d4e5f60718293a4b5c6d7e8f90a"),
                                            "image/jpeg"),))),
    (recorded("whatsapp_location.txt"),
     InboundMessage(channel="whatsapp", address="whatsapp:+923001234567", text="", provider_id=PLACE,
                    attachments=(Attachment("location", "geo:24.713600,46.675300"),))),
    # -- edited: what Twilio would not send but a caller might -------------------------------------------
    (recorded("whatsapp_text.txt", Body="salam\x00\x07"),
     InboundMessage(channel="whatsapp", address="whatsapp:+923001234567", text="salam", provider_id=TEXT)),
    (recorded("whatsapp_text.txt", Body="x" * 5000),  # WhatsApp allows long texts: kept up to 4096, never a 400
     InboundMessage(channel="whatsapp", address="whatsapp:+923001234567", text="x" * 4096, provider_id=TEXT)),
    (recorded("whatsapp_location.txt", Latitude="-33.5", Longitude="151"),
     InboundMessage(channel="whatsapp", address="whatsapp:+923001234567", text="", provider_id=PLACE,
                    attachments=(Attachment("location", "geo:-33.500000,151.000000"),))),
    (recorded("whatsapp_text.txt", From="whatsapp:+92" + "3" * 60), InboundRejected("From is too long", 400)),
    (recorded("whatsapp_text.txt", From="whatsapp:"), InboundRejected("From is not a WhatsApp number", 400)),
    (recorded("whatsapp_text.txt", From="whatsapp:+92 300 1234567"),
     InboundRejected("From is not a WhatsApp number", 400)),
    (recorded("whatsapp_text.txt", From="whatsapp:+92300\x001234567"),
     InboundRejected("From has control characters", 400)),
    (recorded("whatsapp_text.txt", MessageSid=DROP, SmsMessageSid=DROP, SmsSid=DROP),
     InboundRejected("MessageSid is missing", 400)),
    (recorded("whatsapp_voice_note.txt", MediaUrl0="file:///etc/passwd"), InboundRejected("MediaUrl0 is not a URL", 400)),
    (recorded("whatsapp_voice_note.txt", NumMedia="2"), InboundRejected("MediaUrl1 is missing", 400)),
    (recorded("whatsapp_location.txt", Latitude="91"), InboundRejected("Latitude or Longitude is out of range", 400)),
    (recorded("whatsapp_location.txt", Longitude="nan"),
     InboundRejected("Latitude or Longitude is out of range", 400)),
    (recorded("whatsapp_location.txt", Latitude="north"),
     InboundRejected("Latitude or Longitude is not a number", 400)),
    (recorded("whatsapp_location.txt", Longitude=DROP),
     InboundRejected("Latitude or Longitude is not a number", 400)),
]


def _id(value: object) -> str:
    if isinstance(value, InboundRejected):
        return f"400 {value.reason}"
    return str(value) if isinstance(value, Recorded) else type(value).__name__


@pytest.mark.parametrize(("payload", "expected"), TABLE, ids=_id)
def test_decode(payload: Recorded, expected: InboundMessage | InboundRejected) -> None:
    if isinstance(expected, InboundRejected):
        with pytest.raises(InboundRejected) as refused:
            parse_inbound(payload.form())
        got = refused.value
        assert (got.reason, got.status) == (expected.reason, expected.status)
    else:
        assert parse_inbound(payload.form()) == expected


def test_the_table_has_every_recorded_inbound_payload_as_received() -> None:
    as_received = {payload.name for payload, _ in TABLE if not payload.changes}
    on_disk = {p.name for p in PAYLOADS.glob("*.txt") if not p.name.startswith(STATUS_CALLBACKS)}
    assert as_received == on_disk


def test_the_payloads_are_this_account_s() -> None:
    assert all(ACCOUNT in p.read_text(encoding="utf-8") for p in PAYLOADS.glob("*.txt"))
