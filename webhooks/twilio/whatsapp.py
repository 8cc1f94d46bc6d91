"""The WhatsApp sender for the outbox: Twilio's Messages API with ``whatsapp:`` addresses, and the 24-hour window.

WhatsApp lets a business write freely only within 24 hours of the worker's last message (the customer service
window); after that only a template Meta approved goes through, sent by its Content SID (``HX…``) with its
placeholders as ``ContentVariables`` and no ``Body`` (channels.md, "WhatsApp through Twilio";
https://www.twilio.com/docs/api/errors/63016). So, for each outbox row, from how long ago the worker last wrote
(``Outgoing.since_inbound``, kept by the outbox from ``contacts.last_seen_at``):

* inside the window (:func:`helpline.notices.window_open`, with 10 minutes to spare): the message as written, numbered menus, split past 1,600
  characters (:func:`webhooks.twilio.render.render_whatsapp`);
* outside it, a row that *is* a notice (``notice_only``, e.g. the console's "ask the worker to reply"): its
  approved template;
* outside it, any other row: :class:`~helpline.errors.SendHeld`. The outbox holds it until the worker writes,
  which reopens the window. If a notice may stand in for it and its template is configured for the row's
  language (``HELPLINE_WHATSAPP_TEMPLATES``), that template goes out first, as a doorbell: it says what happened
  and asks the worker to reply (:mod:`helpline.notices`, ``locales/whatsapp_templates.toml``). With no template
  nothing is sent free-form: staff see the held message and why in the console.

Twilio's error codes for WhatsApp (https://www.twilio.com/docs/api/errors, and the mapping to Meta's codes at
https://www.twilio.com/docs/whatsapp/api/error-code-mapping), besides the Messages API's own (429, 5xx
retried; other 4xx permanent):

=====================  =====================================================================================
63016                  outside the 24-hour window (Meta 470): the row is held, not failed; from a status
                       callback too (:data:`HOLD_CODES`)
63003, 63024, 63015    the address cannot get WhatsApp messages: not a WhatsApp user (63003, Meta 1006/1013),
                       an invalid recipient, old app or terms not accepted (63024, Meta 1026/1002), or a
                       sandbox number that never joined (63015); the contact is marked unreachable until they
                       write again (:data:`UNREACHABLE_CODES`)
63018, 63038, 63017    rate and daily limits: retried with the outbox's backoff (:data:`RETRYABLE_CODES`)
63032, 63049, 63013,   permanent: Meta's marketing experiment or limits, a policy refusal, a template that does
63027, 63028, 63030    not exist for the language or whose variables do not match. A free-form message fails; a
                       template standing in for a message is not sent, and the message stays held
=====================  =====================================================================================

There is no carrier opt-out on WhatsApp: STOP is the channel's own word (:func:`webhooks.twilio.turn.whatsapp_turn`).
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

from helpline.errors import SendFailed, SendHeld
from helpline.notices import Notice, NoticeRef, SentNotice, window_open
from helpline.notices import load as load_notices
from helpline.outbox import Outgoing
from helpline.settings import Settings
from webhooks.twilio.render import render_whatsapp
from webhooks.twilio.rest import TWILIO_ROOT, create_message, rest_client, status_callback_url

log = logging.getLogger(__name__)

HOLD_CODES = frozenset({"63016"})
UNREACHABLE_CODES = frozenset({"63003", "63024", "63015"})
RETRYABLE_CODES = frozenset({"63018", "63038", "63017"})
PREFIX = "whatsapp:"


def hours(since: timedelta | None) -> str:
    """How long ago the worker wrote, in words for staff."""
    if since is None:
        return "the worker has never written on WhatsApp"
    total = int(since.total_seconds() // 3600)
    return f"the worker last wrote {total // 24} d {total % 24} h ago" if total >= 48 else \
        f"the worker last wrote {total} h ago"


class WhatsAppSender:
    """Delivers outbox rows to ``whatsapp:`` addresses: free text inside the window, templates outside it."""

    channel = "whatsapp"
    opt_out_codes: frozenset[str] = frozenset()  # no carrier opt-out on WhatsApp: STOP is ours
    unreachable_codes = UNREACHABLE_CODES

    def __init__(self, account_sid: str, auth_token: str, sender: str, *, templates: dict[str, dict[str, str]],
                 notices: dict[str, Notice], api_url: str = TWILIO_ROOT, status_callback: str | None = None,
                 timeout: float = 15.0):
        self.client = rest_client(account_sid, auth_token, api_url, timeout)
        self.sender = {"messaging_service_sid": sender} if sender.startswith("MG") else {"from_": sender}
        self.templates, self.notices, self.status_callback = templates, notices, status_callback

    def __repr__(self) -> str:  # never the token or the number
        return "WhatsAppSender()"

    def template(self, notice: NoticeRef | None, lang: str) -> str | None:
        """The Content SID of an approved template for this notice in this language, if one is configured."""
        if notice is None or notice.name not in self.notices:
            return None
        return self.templates.get(notice.name, {}).get(lang)

    def send(self, item: Outgoing) -> str:
        """Send ``item`` as the window allows; the last message's ``SM…`` sid, :class:`SendFailed` or
        :class:`SendHeld`."""
        if not item.address.startswith(PREFIX):
            raise SendFailed("not a WhatsApp address", retryable=False, code="21211")
        if window_open(item.since_inbound):
            try:
                return self._text(item)
            except SendFailed as exc:
                if exc.code not in HOLD_CODES:  # 63016: our idea of the window was wrong; go on as outside it
                    raise
        if item.notice_only:
            sid = self.template(item.notice, item.lang)
            if sid is None:
                raise SendFailed(f"no approved template for {item.notice.name if item.notice else '?'} "
                                 f"[{item.lang}]: set it in HELPLINE_WHATSAPP_TEMPLATES", retryable=False,
                                 code="template")
            return self._template(item, sid)[0]
        raise self._held(item)

    def _held(self, item: Outgoing) -> SendHeld:
        """Outside the window: ring with the notice's template when there is one, then hold (or drop) the row."""
        why = f"outside WhatsApp's 24-hour window ({hours(item.since_inbound)})"
        if not item.may_wait:
            return SendHeld(f"{why}: not sent, and not kept (it would be stale by the worker's next message)")
        sid = self.template(item.notice, item.lang)
        name = item.notice.name if item.notice else ""
        if sid is None:
            return SendHeld(f"{why}; no approved template can stand in, so nothing was sent: it goes out when the "
                            "worker writes again")
        try:
            provider_id, text = self._template(item, sid)
        except SendFailed as exc:
            if exc.retryable or exc.code in UNREACHABLE_CODES:
                raise  # retried later, or the worker cannot get WhatsApp messages at all
            return SendHeld(f"{why}; the {name} template could not be sent (Twilio {exc.code}: {exc.reason}): "
                            "it goes out when the worker writes again")
        return SendHeld(f"{why}: the {name} template was sent in its place, asking the worker to reply; this "
                        "message goes out when they do", notice_sent=SentNotice(name, item.lang, text, provider_id))

    def _text(self, item: Outgoing) -> str:
        bodies = render_whatsapp(list(item.paragraphs), list(item.menu), lang=item.lang)
        if not bodies:
            raise SendFailed("nothing to send", retryable=False, code="empty")
        sid = ""
        for body in bodies:  # a later part failing sends the whole message again on retry, as Telegram does
            sid = create_message(self.client, to=item.address, body=body, status_callback=self.status_callback,
                                 retryable_codes=RETRYABLE_CODES, **self.sender)
        return sid

    def _template(self, item: Outgoing, content_sid: str) -> tuple[str, str]:
        """Send the approved template; its sid and its text as the worker reads it."""
        assert item.notice is not None
        notice = self.notices[item.notice.name]
        try:
            values, text = notice.values(item.notice), notice.render(item.notice, item.lang)
        except (KeyError, ValueError) as exc:
            raise SendFailed(f"cannot fill the {notice.name} template: {exc}", retryable=False,
                             code="template") from None
        sid = create_message(self.client, to=item.address, content_sid=content_sid,
                             content_variables=json.dumps(values, ensure_ascii=False),
                             status_callback=self.status_callback, retryable_codes=RETRYABLE_CODES, **self.sender)
        return sid, text


def sender_from_settings(settings: Settings) -> WhatsAppSender | None:
    """The WhatsApp sender when the Twilio account, token and ``HELPLINE_WHATSAPP_FROM`` are set, else None."""
    if not settings.whatsapp_from:
        return None
    if not (settings.twilio_account_sid and settings.twilio_auth_token
            and settings.twilio_auth_token.get_secret_value()):
        log.warning("outbound WhatsApp disabled: HELPLINE_WHATSAPP_FROM is set, but HELPLINE_TWILIO_ACCOUNT_SID "
                    "and HELPLINE_TWILIO_AUTH_TOKEN are required for sending")
        return None
    notices = load_notices(Path(settings.locales_dir))
    for purpose in sorted(set(settings.whatsapp_templates) - set(notices)):
        log.warning("HELPLINE_WHATSAPP_TEMPLATES names %r, which is no notice (%s): ignored", purpose,
                    ", ".join(sorted(notices)))
    missing = [f"{name} [{lang}]" for name in sorted(notices) for lang in ("en", "ur", "ur-Latn")
               if lang not in settings.whatsapp_templates.get(name, {})]
    if missing:
        log.warning("WhatsApp templates not configured: %s; such messages are held past the 24-hour window "
                    "until the worker writes (docs/whatsapp.md)", ", ".join(missing))
    return WhatsAppSender(str(settings.twilio_account_sid), settings.twilio_auth_token.get_secret_value(),
                          settings.whatsapp_from, templates=settings.whatsapp_templates, notices=notices,
                          api_url=settings.twilio_api_url, status_callback=status_callback_url(settings),
                          timeout=settings.twilio_timeout_seconds)
