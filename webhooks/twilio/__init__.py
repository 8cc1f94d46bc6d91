"""Everything about Twilio, SMS and WhatsApp, in one package (as nyaruka/courier keeps one handler per provider):

* :mod:`.decode`   — the signed webhook's form → ``InboundMessage`` (typed, 400 with the reason), both channels;
* :mod:`.keywords` — STOP/START/YES/HELP as Twilio matches them, and MORE; WhatsApp's own STOP/START words;
* :mod:`.render`   — replies as SMS bodies within the segment budget, the rest as pages for MORE; as WhatsApp
  messages (whole, numbered menus, at most 1,600 characters each);
* :mod:`.turn`     — :func:`~webhooks.twilio.turn.sms_turn` and :func:`~webhooks.twilio.turn.whatsapp_turn`;
* :mod:`.webhook`  — the Flask routes: signature first, then decode, then the turn; delivery status callbacks;
* :mod:`.rest`     — the outbox's SMS sender through Twilio's REST client, and its error codes;
* :mod:`.whatsapp` — the outbox's WhatsApp sender: the 24-hour window, approved templates, WhatsApp's error codes.
"""
