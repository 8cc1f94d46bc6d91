"""Twilio's webhooks: ``POST /webhooks/twilio/sms`` (inbound SMS and WhatsApp; ``/webhooks/twilio/whatsapp`` is
the same route under a name for the WhatsApp sender's settings) and ``POST /webhooks/twilio/status`` (delivery).

One route serves both channels, as one Messaging Service may hold an SMS number and a WhatsApp sender with one
inbound URL: the ``whatsapp:`` prefix of ``From`` picks :func:`~webhooks.twilio.turn.whatsapp_turn`.

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

from flask import Blueprint, Response, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from helpline.errors import InboundRejected
from helpline.outbox import record_status
from webhooks.app import runtime
from webhooks.twilio.decode import SID, parse_inbound
from webhooks.twilio.rest import OPT_OUT_CODES
from webhooks.twilio.turn import SmsRules, sms_turn, whatsapp_turn
from webhooks.twilio.whatsapp import HOLD_CODES, PREFIX, UNREACHABLE_CODES

log = logging.getLogger(__name__)

bp = Blueprint("twilio", __name__, url_prefix="/webhooks/twilio")

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
    form = request.form
    if any(not isinstance(name, str) or not name for name in form.keys()):  # a multipart part without a name
        raise InboundRejected("a form field has no name", 400)
    try:
        valid = validator.validate(signed_url(), form, signature)
    except Exception as exc:  # noqa: BLE001 - an odd body (or URL) the validator cannot even read is not Twilio's
        log.info("the Twilio signature check could not read the request (%s)", type(exc).__name__)
        valid = False
    if not valid:
        raise InboundRejected("invalid Twilio signature", 403)


def twiml(bodies: list[str]) -> Response:
    """TwiML answering with one ``<Message>`` per body; ``<Response/>`` (no SMS) when there is none."""
    response = MessagingResponse()
    for body in bodies:
        if body:
            response.message(body)
    return Response(str(response), status=200, content_type="text/xml; charset=utf-8")


def rules() -> SmsRules:
    """This deployment's SMS rules, from the settings."""
    settings = runtime().settings
    return SmsRules(settings.sms_segment_budget, settings.twilio_handles_opt_out)


@bp.post("/sms")
@bp.post("/whatsapp")
def inbound_sms() -> Response:
    """One inbound SMS or WhatsApp message: verify, parse, one turn, the reply as TwiML."""
    _check_signature()
    msg = parse_inbound(request.form)
    if msg is None:
        log.info("ignored a message of a Twilio channel the helpline does not serve")
        return twiml([])
    rt = runtime()
    if msg.channel == "whatsapp":
        return twiml(whatsapp_turn(rt.sessions, rt.core, msg))
    return twiml(sms_turn(rt.sessions, rt.core, msg, rules()))


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
    if code is not None and not (code.isascii() and code.isdigit() and len(code) <= 10):
        raise InboundRejected("ErrorCode is not a number", 400)
    rt = runtime()
    whatsapp = any((request.form.get(side) or "").startswith(PREFIX) for side in ("To", "From"))
    codes = ({"unreachable_codes": UNREACHABLE_CODES, "hold_codes": HOLD_CODES} if whatsapp
             else {"opt_out_codes": OPT_OUT_CODES})
    with rt.sessions.begin() as session:
        found = record_status(session, "whatsapp" if whatsapp else "sms", sid, status, rt.core.clock(),
                              error_code=code, **codes)
    if not found:
        log.info("status %s for a message we do not track (a TwiML reply?)", status)
    return "", 204
