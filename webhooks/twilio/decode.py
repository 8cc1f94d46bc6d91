"""Twilio's inbound form → :class:`InboundMessage`. Pure: no I/O; malformed fields are a 400 with the reason.

https://www.twilio.com/docs/messaging/guides/webhook-request
"""

from __future__ import annotations

import re

from helpline.errors import InboundRejected
from helpline.messages import Attachment, InboundMessage

SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")  # SM…, MM… (MMS), 34 characters
MAX_MEDIA = 10  # Twilio forwards at most 10 media items per message
MAX_FROM = 64


def parse_inbound(form: dict[str, str] | object) -> InboundMessage | None:
    """The typed inbound SMS/MMS, or None for another Twilio channel (e.g. ``whatsapp:``); 400 if malformed."""
    get = form.get  # type: ignore[attr-defined]
    sid = get("MessageSid") or get("SmsMessageSid") or ""
    sender = (get("From") or "").strip()
    if not sid:
        raise InboundRejected("MessageSid is missing", 400)
    if not SID.match(sid):
        raise InboundRejected("MessageSid is malformed", 400)
    if not sender:
        raise InboundRejected("From is missing", 400)
    if len(sender) > MAX_FROM:
        raise InboundRejected("From is too long", 400)
    if ":" in sender:  # whatsapp:+92…, messenger:…: valid Twilio traffic, but not this channel's
        return None
    try:
        count = int(get("NumMedia") or 0)
    except ValueError:
        raise InboundRejected("NumMedia is not a number", 400) from None
    if not 0 <= count <= MAX_MEDIA:
        raise InboundRejected("NumMedia is out of range", 400)
    media = []
    for n in range(count):
        url = get(f"MediaUrl{n}")
        if not url:
            raise InboundRejected(f"MediaUrl{n} is missing", 400)
        media.append(Attachment(kind="media", ref=url[:1000], content_type=(get(f"MediaContentType{n}") or None)))
    body = (get("Body") or "").replace("\x00", "")  # PostgreSQL text cannot hold NUL
    return InboundMessage(channel="sms", address=f"tel:{sender}", text=body, provider_id=sid, attachments=tuple(media))


