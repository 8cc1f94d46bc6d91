"""One SMS or WhatsApp turn, top to bottom, in one transaction: the functions the webhook and ``helpline chat``
both run, so the terminal shows exactly what a phone would get."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from helpline import outbox, pipeline
from helpline.messages import InboundMessage, Reply, Text
from helpline.pipeline import Core, RenderedReply
from webhooks.twilio import keywords, render


@dataclass(frozen=True)
class SmsRules:
    """The deployment's SMS settings: the segment budget per reply, and whether Twilio answers STOP/START/HELP."""

    budget: int = 2
    provider_answers_keywords: bool = True


def sms_turn(sessions: sessionmaker[Session], core: Core, msg: InboundMessage, rules: SmsRules) -> list[str]:
    """Handle one inbound SMS; the SMS bodies to answer with (a redelivery gets the ones stored for it)."""

    def turn(session: Session) -> list[str]:
        scope = pipeline.open_turn(session, msg, core)
        if scope.duplicate:
            return [r.plain() for r in pipeline.stored_replies(session, scope.duplicate_of or 0)]
        contact, lang, word = scope.contact, scope.state["lang"], keywords.keyword(msg.text)
        if word == "stop":
            if not contact.opted_out:
                contact.set(opted_out=True, opted_out_at=scope.now)
            sent = _keyword_reply(core, rules, "sms.stopped", lang)
        elif word == "start" or (word == "yes" and contact.opted_out):
            contact.set(opted_out=False, opted_out_at=None)
            sent = _keyword_reply(core, rules, "sms.started", lang)
        elif contact.opted_out:
            sent = []  # logged (staff can see it), never answered: Twilio would refuse with 21610 anyway
        elif word == "help":
            sent = _keyword_reply(core, rules, "sms.help", lang)
        elif keywords.is_more(msg.text):  # never the engine's: MORE is not a question to answer or log
            if scope.pager:
                sent, scope.pager = render.next_page(scope.pager, lang)
            else:
                sent = [render.keyword_reply(core.i18n, "sms.no_more", lang)]
        else:
            sent, scope.pager = render.first_page(pipeline.step(scope), rules.budget, core.i18n)
        pipeline.close_turn(scope, sent)
        return [r.plain() for r in sent]

    return pipeline.transact(sessions, turn)


def _keyword_reply(core: Core, rules: SmsRules, key: str, lang: str) -> list[RenderedReply]:
    return [] if rules.provider_answers_keywords else [render.keyword_reply(core.i18n, key, lang)]


def whatsapp_turn(sessions: sessionmaker[Session], core: Core, msg: InboundMessage) -> list[str]:
    """Handle one inbound WhatsApp message; the message bodies to answer with (a redelivery gets the stored ones).

    The worker wrote, so WhatsApp's 24-hour window is open again (from ``contacts.last_seen_at``, which opening
    the turn set): whatever the outbox held for them goes out now. STOP (and its Urdu and Roman Urdu forms) is
    ours to honour, as no carrier does it on WhatsApp: the contact is opted out, proactive messages stop, and a
    reply says how to undo it. A contact who stopped and writes again is answered (they wrote), with a line
    saying they still get nothing else until START.
    """

    def turn(session: Session) -> list[str]:
        scope = pipeline.open_turn(session, msg, core)
        if scope.duplicate:
            return [r.plain() for r in pipeline.stored_replies(session, scope.duplicate_of or 0)]
        contact, lang, word = scope.contact, scope.state["lang"], keywords.whatsapp_keyword(msg.text)
        if word == "stop":
            if not contact.opted_out:
                contact.set(opted_out=True, opted_out_at=scope.now)
            sent = render.whatsapp_messages([core.render(_said("whatsapp.stopped", lang), msg.channel)])
        elif word == "start" and contact.opted_out:
            contact.set(opted_out=False, opted_out_at=None)
            outbox.release_held(session, contact.id, scope.now)
            sent = render.whatsapp_messages([core.render(_said("whatsapp.started", lang), msg.channel)])
        else:
            outbox.release_held(session, contact.id, scope.now)
            replies = pipeline.step(scope)
            if contact.opted_out and replies:  # never when the bot is quiet (a person holds the conversation)
                replies.insert(0, core.render(_said("whatsapp.opted_out", scope.state["lang"]), msg.channel))
            sent = render.whatsapp_messages(replies)
        pipeline.close_turn(scope, sent)
        return [r.plain() for r in sent]

    return pipeline.transact(sessions, turn)


def _said(key: str, lang: str) -> Reply:
    return Reply(lang, (Text(key),))
