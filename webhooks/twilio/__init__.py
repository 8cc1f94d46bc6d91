"""Everything about Twilio SMS, in one package (as nyaruka/courier keeps one handler per provider):

* :mod:`.decode`   — the signed webhook's form → ``InboundMessage`` (typed, 400 with the reason);
* :mod:`.keywords` — STOP/START/YES/HELP as Twilio matches them, and MORE;
* :mod:`.render`   — replies as SMS bodies within the segment budget, the rest as pages for MORE;
* :mod:`.turn`     — :func:`~webhooks.twilio.turn.sms_turn`, the one function that runs an SMS turn;
* :mod:`.webhook`  — the Flask routes: signature first, then decode, then the turn; delivery status callbacks;
* :mod:`.rest`     — the outbox's sender through Twilio's REST client, and its error codes.
"""
