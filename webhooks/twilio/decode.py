"""Twilio's inbound form → :class:`InboundMessage`. Pure: no I/O; malformed fields are a 400 with the reason.

https://www.twilio.com/docs/messaging/guides/webhook-request
"""

from __future__ import annotations

import re

from helpline.errors import InboundRejected
from helpline.inbound import MAX_ATTACHMENT_REF, MAX_CONTENT_TYPE, clean_text, token
from helpline.messages import Attachment, InboundMessage

SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")  # SM…, MM… (MMS), 34 characters
MAX_MEDIA = 10  # Twilio forwards at most 10 media items per message
MAX_FROM = 64  # E.164 is 16 characters; short codes and alphanumeric sender ids are shorter still
MAX_BODY = 1600  # Twilio's limit for one (concatenated) message
CONTENT_TYPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(;[ -~]*)?$")


def parse_inbound(form: dict[str, str] | object) -> InboundMessage | None:
    """The typed inbound SMS/MMS, or None for another Twilio channel (e.g. ``whatsapp:``); 400 if malformed.

    Every field used is checked for type, length and characters before anything is stored: ``From`` and ``To``
    (no control characters, NUL included), the media URLs and content types (within their columns, see
    :mod:`helpline.inbound`); the ``Body`` at most 1600 characters, its NUL and control characters dropped."""
    get = form.get  # type: ignore[attr-defined]
    sid = get("MessageSid") or get("SmsMessageSid") or ""
    if not sid:
        raise InboundRejected("MessageSid is missing", 400)
    if not isinstance(sid, str) or not SID.match(sid):
        raise InboundRejected("MessageSid is malformed", 400)
    sender = (token(get("From"), "From", MAX_FROM, required=False) or "").strip()
    if not sender:
        raise InboundRejected("From is missing", 400)
    token(get("To"), "To", MAX_FROM, required=False)
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
        url = token(get(f"MediaUrl{n}"), f"MediaUrl{n}", MAX_ATTACHMENT_REF)
        assert url is not None
        if not url.startswith(("https://", "http://")) or " " in url:
            raise InboundRejected(f"MediaUrl{n} is not a URL", 400)
        kind = token(get(f"MediaContentType{n}"), f"MediaContentType{n}", MAX_CONTENT_TYPE, required=False)
        if kind is not None and not CONTENT_TYPE.match(kind):
            raise InboundRejected(f"MediaContentType{n} is not a content type", 400)
        media.append(Attachment(kind="media", ref=url, content_type=kind))
    body = get("Body") or ""
    if len(body) > MAX_BODY:
        raise InboundRejected("Body is too long", 400)
    return InboundMessage(channel="sms", address=f"tel:{sender}", text=clean_text(body), provider_id=sid,
                          attachments=tuple(media))
