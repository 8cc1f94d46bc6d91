"""Twilio media for :mod:`helpline.media`: ``MediaUrlN`` fetched with the account's credentials (HTTP Basic auth,
account SID and auth token), the same for MMS and WhatsApp.

A media URL is ``https://api.twilio.com/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{MediaSid}``;
Twilio answers with a redirect to its media CDN (a signed, short-lived URL), which ``requests`` follows and, the
host being another, without our ``Authorization`` header. The credentials are only ever sent to the Twilio API
root and only for this account's media; any other URL is refused (a forged or mistyped URL must not receive the
auth token). Like the REST sender, ``https://api.twilio.com`` is replaced by ``HELPLINE_TWILIO_API_URL`` (tests
use the local fake). The body is read in chunks and given up past the size limit; a declared length over it is
refused before reading. URLs are never logged.
"""

from __future__ import annotations

import re

import requests

from helpline.media.store import Fetched, FetchFailed
from helpline.media.types import MediaRefused, size_in_words
from helpline.settings import Settings
from webhooks.twilio.rest import TWILIO_ROOT

CHUNK = 64 * 1024
MEDIA_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-fA-F]{32})/Messages/[A-Z]{2}[0-9a-fA-F]{32}"
                        r"/Media/[A-Z]{2}[0-9a-fA-F]{32}$")


class TwilioMediaFetcher:
    """Fetches Twilio media URLs for the SMS (MMS) and WhatsApp channels."""

    channels = ("sms", "whatsapp")

    def __init__(self, account_sid: str, auth_token: str, *, api_url: str = TWILIO_ROOT, timeout: float = 15.0):
        self.account_sid = account_sid
        self._auth = (account_sid, auth_token)
        self.root = api_url.rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()  # keep-alive to the API and the CDN

    def __repr__(self) -> str:  # never the token
        return "TwilioMediaFetcher()"

    def _target(self, url: str) -> str:
        """The URL to request: this account's media under the Twilio API root (or its configured stand-in)."""
        for root in (TWILIO_ROOT, self.root):
            if url.startswith(root + "/"):
                path = url[len(root):].split("?", 1)[0]
                found = MEDIA_PATH.match(path)
                if found and found["sid"] == self.account_sid:
                    return self.root + path
        raise MediaRefused("the media URL is not this Twilio account's media; not fetched")

    def fetch(self, url: str, max_bytes: int) -> Fetched:
        """GET the media with Basic auth, following Twilio's redirect to its CDN; at most ``max_bytes``."""
        target = self._target(url)
        try:
            with self.http.get(target, auth=self._auth, stream=True, timeout=self.timeout,
                               allow_redirects=True) as response:
                if response.status_code != 200:
                    status = response.status_code
                    retryable = status == 429 or status >= 500
                    raise FetchFailed(f"Twilio answered {status}" + ("" if retryable else " (not retried)"),
                                      retryable=retryable)
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise MediaRefused(f"too large: {size_in_words(int(declared))}, the limit is "
                                       f"{size_in_words(max_bytes)}")
                data = bytearray()
                for chunk in response.iter_content(CHUNK):
                    data += chunk
                    if len(data) > max_bytes:
                        raise MediaRefused(f"too large: more than {size_in_words(max_bytes)}, the limit")
                return Fetched(bytes(data), response.headers.get("Content-Type"))
        except requests.Timeout:
            raise FetchFailed("Twilio did not answer in time", retryable=True) from None
        except requests.RequestException as exc:
            raise FetchFailed(f"cannot reach Twilio ({type(exc).__name__})", retryable=True) from None


def fetcher_from_settings(settings: Settings) -> TwilioMediaFetcher | None:
    """The fetcher when the account SID and auth token are set, else None (media then stay pending)."""
    if not settings.twilio_account_sid or settings.twilio_auth_token is None \
            or not settings.twilio_auth_token.get_secret_value():
        return None
    return TwilioMediaFetcher(settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value(),
                              api_url=settings.twilio_api_url, timeout=settings.twilio_timeout_seconds)
