"""The Twilio SMS sender for the outbox: the real ``twilio`` REST client, pointed at a configurable API root.

``twilio.rest.Client`` has no base-URL argument (``edge``/``region`` only pick other Twilio hosts), so
:class:`RootedHttpClient` rewrites ``https://api.twilio.com`` in every request to ``HELPLINE_TWILIO_API_URL``
and otherwise keeps twilio-python's own request code (requests session, keep-alive, Basic auth). Messages go to
``{root}/2010-04-01/Accounts/{sid}/Messages.json``.

Error classes (https://www.twilio.com/docs/api/errors): 429 and 5xx, timeouts and connection errors are
retryable; any other 4xx is permanent and recorded with Twilio's code. 21610 means the recipient sent STOP:
the outbox marks the contact opted out (:data:`OPT_OUT_CODES`).
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from helpline.errors import ConfigError, SendFailed
from helpline.outbox import Outgoing
from helpline.settings import Settings
from helpline.sms import MAX_BODY_CHARS
from webhooks.twilio.render import render_sms

TWILIO_ROOT = "https://api.twilio.com"
OPT_OUT_CODES = frozenset({"21610"})  # "Attempt to send to unsubscribed recipient"

log = logging.getLogger(__name__)
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)  # its INFO lines print request URLs


class RootedHttpClient(TwilioHttpClient):
    """twilio-python's HTTP client with its API root replaced (tests and sandboxes use a local server)."""

    def __init__(self, root: str, timeout: float):
        super().__init__(pool_connections=True, timeout=timeout)
        self.root = root.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        """Send the request to our root instead of Twilio's."""
        if url.startswith(TWILIO_ROOT):
            url = self.root + url[len(TWILIO_ROOT):]
        return super().request(method, url, *args, **kwargs)


class TwilioSender:
    """Sends one outbox message as one (possibly concatenated) SMS; returns Twilio's ``SM…`` sid."""

    channel = "sms"
    opt_out_codes = OPT_OUT_CODES

    def __init__(self, account_sid: str, auth_token: str, sender: str, *, api_url: str = TWILIO_ROOT,
                 status_callback: str | None = None, timeout: float = 15.0):
        self.client = rest_client(account_sid, auth_token, api_url, timeout)
        # A Messaging Service SID (MG…) picks a number from its pool; anything else is our own number.
        self.sender = {"messaging_service_sid": sender} if sender.startswith("MG") else {"from_": sender}
        self.status_callback = status_callback

    def __repr__(self) -> str:  # never the token or the number
        return "TwilioSender()"

    def send(self, item: Outgoing) -> str:
        """Render and send ``item``; raise :class:`SendFailed` (retryable or not) with Twilio's code."""
        body = render_sms(list(item.paragraphs), list(item.menu), lang=item.lang)
        if len(body) > MAX_BODY_CHARS:
            raise SendFailed(f"body is {len(body)} characters; Twilio takes at most {MAX_BODY_CHARS}",
                             retryable=False, code="21617")
        if not item.address.startswith("tel:"):
            raise SendFailed("not a phone number address", retryable=False, code="21211")
        return create_message(self.client, to=item.address.removeprefix("tel:"), body=body, **self.sender,
                              status_callback=self.status_callback)


def create_message(client: Client, *, retryable_codes: frozenset[str] = frozenset(),
                   status_callback: str | None = None, **params: Any) -> str:
    """POST one message to Twilio's Messages resource; its sid, or :class:`SendFailed` with Twilio's code
    (retryable: 429, 5xx, timeouts, network errors and ``retryable_codes``; any other answer is permanent)."""
    extra = {"status_callback": status_callback} if status_callback else {}
    try:
        message = client.messages.create(**params, **extra)
    except TwilioRestException as exc:
        code = str(exc.code) if exc.code else str(exc.status)
        retryable = exc.status == 429 or exc.status >= 500 or code in retryable_codes
        raise SendFailed(f"Twilio answered {exc.status}", retryable=retryable, code=code) from None
    except requests.Timeout:
        raise SendFailed("Twilio did not answer in time", retryable=True, code="timeout") from None
    except requests.RequestException as exc:
        raise SendFailed(f"cannot reach Twilio ({type(exc).__name__})", retryable=True, code="network") from None
    if not message.sid:
        raise SendFailed("Twilio's answer has no message sid", retryable=True, code="no-sid")
    return str(message.sid)


def rest_client(account_sid: str, auth_token: str, api_url: str, timeout: float) -> Client:
    """twilio-python's client with its API root replaced (:class:`RootedHttpClient`)."""
    return Client(account_sid, auth_token, account_sid, http_client=RootedHttpClient(api_url, timeout), environment={})


def status_callback_url(settings: Settings) -> str | None:
    """Where Twilio reports on the messages we send (both channels): the public URL's status route, if set."""
    return settings.public_url.rstrip("/") + "/webhooks/twilio/status" if settings.public_url else None


def sender_from_settings(settings: Settings) -> TwilioSender | None:
    """The Twilio sender when account, token and sender are all configured, else None (with a warning if partly).

    A token alone is a valid set-up for answering inbound SMS by TwiML; proactive SMS then stay queued.
    """
    names = ("twilio_account_sid", "twilio_auth_token", "twilio_from")
    try:
        settings.require(*names, purpose="sending SMS through Twilio")
    except ConfigError as exc:
        if any(getattr(settings, n) for n in names):
            log.warning("outbound SMS disabled: %s", exc)
        return None
    assert settings.twilio_auth_token is not None  # require() checked it
    callback = status_callback_url(settings)
    return TwilioSender(str(settings.twilio_account_sid), settings.twilio_auth_token.get_secret_value(),
                        str(settings.twilio_from), api_url=settings.twilio_api_url, status_callback=callback,
                        timeout=settings.twilio_timeout_seconds)
