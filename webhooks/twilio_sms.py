"""Twilio SMS channel: ``POST /webhooks/twilio/sms`` (inbound) and ``POST /webhooks/twilio/status`` (delivery).

Order of work for every request: configured? (503 with the reason until ``HELPLINE_TWILIO_AUTH_TOKEN`` is set)
→ signature, with Twilio's own ``RequestValidator`` over every received parameter (403, nothing stored) →
the typed form (400 with the reason) → one turn. Replies go back as TwiML in the response (no REST call, no
extra cost); proactive messages go through the outbox. A redelivered ``MessageSid`` is answered with the very
reply stored for it the first time, so the worker never gets two different answers to one message.

Signature URL: ``HELPLINE_PUBLIC_URL`` + path (+ query) when set, because behind a TLS-terminating proxy Flask
sees ``http://internal-host/...`` while Twilio signed ``https://public-host/...``; otherwise the request URL.
https://www.twilio.com/docs/usage/webhooks/webhooks-security
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Response, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from helpline.errors import InboundRejected
from helpline.messages import Attachment, InboundMessage
from helpline.outbox import record_status
from helpline.service import RenderedReply, run_turn, stored_replies
from webhooks.app import runtime
from webhooks.sms_rules import SmsRules
from webhooks.twilio_rest import OPT_OUT_CODES

log = logging.getLogger(__name__)

bp = Blueprint("twilio", __name__, url_prefix="/webhooks/twilio")

SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")  # SM…, MM… (MMS), 34 characters
MAX_MEDIA = 10  # Twilio forwards at most 10 media items per message
MAX_FROM = 64


def _validator() -> RequestValidator:
    """The validator for our auth token, or 503 while Twilio is not configured."""
    token = runtime().settings.twilio_auth_token
    if token is None or not token.get_secret_value():
        raise InboundRejected("Twilio is not configured: set HELPLINE_TWILIO_AUTH_TOKEN", 503)
    return RequestValidator(token.get_secret_value())


def signed_url() -> str:
    """The URL Twilio signed: the configured public base + this path and query, else the URL Flask sees."""
    public = runtime().settings.public_url
    if not public:
        return request.url
    query = request.query_string.decode("latin-1")
    return public.rstrip("/") + request.path + (f"?{query}" if query else "")


def _check_signature() -> None:
    """403 unless the request carries Twilio's valid signature for this URL and these parameters."""
    validator = _validator()
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        raise InboundRejected("missing X-Twilio-Signature", 403)
    if not validator.validate(signed_url(), request.form, signature):
        raise InboundRejected("invalid Twilio signature", 403)


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


def twiml(replies: list[RenderedReply]) -> Response:
    """TwiML answering with one ``<Message>`` per reply; ``<Response/>`` (no SMS) when there is none."""
    response = MessagingResponse()
    for reply in replies:
        if reply.plain():
            response.message(reply.plain())
    return Response(str(response), status=200, content_type="text/xml; charset=utf-8")


@bp.post("/sms")
def inbound_sms() -> Response:
    """One inbound SMS: verify, parse, one turn, the reply as TwiML."""
    _check_signature()
    msg = parse_inbound(request.form)
    if msg is None:
        log.info("ignored a non-SMS message on the SMS webhook")
        return twiml([])
    rt = runtime()
    rules = SmsRules(rt.core, rt.settings.sms_segment_budget, rt.settings.twilio_handles_opt_out)
    result = run_turn(rt.sessions, msg, rt.core, rules)
    if result.duplicate:
        if result.inbound_id is None:
            return twiml([])
        with rt.sessions() as session:
            return twiml(stored_replies(session, result.inbound_id))
    return twiml(result.replies)


STATUSES = frozenset({"queued", "sending", "sent", "failed", "delivered", "undelivered", "receiving", "received",
                      "accepted", "scheduled", "read", "partially_delivered", "canceled"})


@bp.post("/status")
def delivery_status() -> tuple[str, int]:
    """A delivery status callback for a message we sent: recorded, only ever moving forward."""
    _check_signature()
    sid = request.form.get("MessageSid") or request.form.get("SmsSid") or ""
    status = (request.form.get("MessageStatus") or request.form.get("SmsStatus") or "").lower()
    if not SID.match(sid):
        raise InboundRejected("MessageSid is missing or malformed", 400)
    if status not in STATUSES:
        raise InboundRejected("MessageStatus is missing or unknown", 400)
    code = (request.form.get("ErrorCode") or "").strip() or None
    rt = runtime()
    with rt.sessions.begin() as session:
        found = record_status(session, "sms", sid, status, rt.core.clock(), error_code=code, opt_out_codes=OPT_OUT_CODES)
    if not found:
        log.info("status %s for a message we do not track (a TwiML reply?)", status)
    return "", 204
