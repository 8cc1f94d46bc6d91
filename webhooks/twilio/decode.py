"""Twilio's inbound form → :class:`InboundMessage`, for SMS/MMS and WhatsApp. Pure: no I/O; malformed fields are
a 400 with the reason.

One form serves both channels (https://www.twilio.com/docs/messaging/guides/webhook-request): WhatsApp's
addresses carry a prefix (``From=whatsapp:+92…``), which makes the message channel ``whatsapp`` with the address
``whatsapp:+92…`` (a contact of its own, apart from the same number's SMS contact ``tel:+92…``). WhatsApp adds
``ProfileName``, ``WaId`` and ``MessageType`` (text, image, audio, video, document, location, …); voice notes,
photos and documents come as ``NumMedia`` / ``MediaUrlN`` / ``MediaContentTypeN`` exactly as MMS media do, and a
shared location as ``Latitude`` / ``Longitude`` (with ``Address`` and ``Label`` for a named place), which
becomes an attachment of kind ``location`` with a ``geo:`` URI (RFC 5870) and no words of its own.
"""

from __future__ import annotations

import math
import re

from helpline.errors import InboundRejected
from helpline.inbound import MAX_ATTACHMENT_REF, MAX_CONTENT_TYPE, MAX_TEXT, clean_text, token
from helpline.messages import Attachment, InboundMessage

SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")  # SM…, MM… (MMS), 34 characters
MAX_MEDIA = 10  # Twilio forwards at most 10 media items per message
MAX_FROM = 64  # E.164 is 16 characters; short codes and alphanumeric sender ids are shorter still
MAX_BODY = 1600  # Twilio's limit for one (concatenated) SMS
WHATSAPP = "whatsapp:"
WHATSAPP_NUMBER = re.compile(r"^\+[0-9]{7,15}$")
CONTENT_TYPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(;[ -~]*)?$")


def parse_inbound(form: dict[str, str] | object) -> InboundMessage | None:
    """The typed inbound SMS/MMS or WhatsApp message, or None for another Twilio channel (``messenger:``, …);
    400 if malformed.

    Every field used is checked for type, length and characters before anything is stored: ``From`` and ``To``
    (no control characters, NUL included), the media URLs and content types (within their columns, see
    :mod:`helpline.inbound`), a location's coordinates; an SMS ``Body`` at most 1600 characters, a WhatsApp one
    cut at 4096 (WhatsApp lets people send more; the rest is not kept), NUL and control characters dropped."""
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
    if sender.startswith(WHATSAPP):
        channel, address = "whatsapp", sender
        if not WHATSAPP_NUMBER.match(sender.removeprefix(WHATSAPP)):
            raise InboundRejected("From is not a WhatsApp number", 400)
    elif ":" in sender:  # messenger:…, rcs:…: valid Twilio traffic, but no channel of ours
        return None
    else:
        channel, address = "sms", f"tel:{sender}"
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
    if channel == "sms" and len(body) > MAX_BODY:
        raise InboundRejected("Body is too long", 400)
    if channel == "whatsapp":
        body = body[:MAX_TEXT]
        place = location(get("Latitude"), get("Longitude"))
        if place is not None:
            media.append(place)
    return InboundMessage(channel=channel, address=address, text=clean_text(body), provider_id=sid,
                          attachments=tuple(media))


def location(latitude: object, longitude: object) -> Attachment | None:
    """A shared location as an attachment (``geo:lat,lon``, six decimals: about 10 cm), or None without one;
    400 when only one coordinate is given or either is not a number in range."""
    if not latitude and not longitude:
        return None
    try:
        lat, lon = float(str(latitude)), float(str(longitude))
    except ValueError:
        raise InboundRejected("Latitude or Longitude is not a number", 400) from None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise InboundRejected("Latitude or Longitude is out of range", 400)
    return Attachment(kind="location", ref=f"geo:{lat:.6f},{lon:.6f}")
