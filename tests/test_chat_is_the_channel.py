"""``helpline chat`` runs the channel's own turn: for a scripted conversation in all three languages the terminal
shows byte for byte what the signed SMS and WhatsApp webhooks answer, and the very sendMessage payloads the
Telegram webhook sends (text and buttons)."""

from __future__ import annotations

import json

import pytest

from helpline.settings import Settings, load_settings
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN
from tests.harness import PUBLIC_URL, Sms, WhatsApp, reply_bodies, reply_text
from webhooks.chat import ChatSession

# MORE after a long answer, a number from a menu, the keywords, a question, paging and the main menu.
SCRIPTS = {
    "en": ["hello", "1", "my company has not paid my salary for 3 months", "2", "MORE", "more", "HELP", "STOP",
           "START", "what is protector", "MENU", "3"],
    "ur-Latn": ["salam", "tankhwah nahi mili 3 mahine se", "2", "aur", "madad", "HELP", "menu", "1",
                "protector kya hota hai"],
    "ur": ["السلام علیکم", "مزید", "پروٹیکٹر کیا ہوتا ہے", "2", "مزید", "مینو", "STOP", "START"],
}


@pytest.fixture
def sms_settings(clean_env: None, db_url: str) -> Settings:
    """Twilio configured, with the helpline answering STOP/START/HELP itself (so they have replies to compare)."""
    return load_settings(database_url=db_url, twilio_auth_token=AUTH_TOKEN, twilio_account_sid=ACCOUNT_SID,
                         public_url=PUBLIC_URL, twilio_handles_opt_out=False)


@pytest.mark.parametrize("lang", sorted(SCRIPTS))
def test_chat_sms_gives_byte_identical_replies_to_the_webhook(lang, sms_settings, core, engine, session_factory):
    from webhooks.app import create_app

    webhook = Sms(create_app(sms_settings, core=core, engine=engine).test_client())
    chat = ChatSession(core, session_factory, sms_settings, channel="sms")
    for line in SCRIPTS[lang]:
        response = webhook.post(webhook.form(line))
        assert response.status_code == 200
        assert "\n\n".join(chat.say(line)) == reply_text(response.get_data(as_text=True)), f"after {line!r}"


@pytest.mark.parametrize("lang", sorted(SCRIPTS))
def test_chat_whatsapp_gives_the_messages_the_webhook_gives(lang, sms_settings, core, engine, session_factory):
    from webhooks.app import create_app

    webhook = WhatsApp(create_app(sms_settings, core=core, engine=engine).test_client())
    chat = ChatSession(core, session_factory, sms_settings, channel="whatsapp")
    for line in SCRIPTS[lang]:
        response = webhook.post(webhook.form(line))
        assert response.status_code == 200
        assert chat.say(line) == reply_bodies(response.get_data(as_text=True)), f"after {line!r}"


@pytest.mark.parametrize("lang", sorted(SCRIPTS))
def test_chat_telegram_sends_the_payloads_the_webhook_sends(lang, clean_env, core, engine, session_factory):
    from bot.client import BotClient
    from bot.ratelimit import Unlimited
    from bot.sender import TelegramSender
    from tests.telegram.conftest import SECRET, post, update
    from webhooks.app import create_app

    with FakeTelegramAPI() as fake:
        client = BotClient(fake.token, fake.url, timeout=10)
        try:
            settings = load_settings(database_url=engine.url.render_as_string(hide_password=False),
                                     telegram_token=fake.token, telegram_secret=SECRET, telegram_api_url=fake.url)
            app = create_app(settings, core=core, engine=engine, config={"TESTING": True},
                             senders={"telegram": TelegramSender(client, limiter=Unlimited(), sleep=lambda _s: None)})
            web = app.test_client()
            chat = ChatSession(core, session_factory, settings, channel="telegram")
            for n, line in enumerate(SCRIPTS[lang]):
                before = len(fake.sent())
                assert post(web, update("message", update_id=50_000 + n, text=line)).status_code == 200
                sent = [{"text": c.params["text"], **_markup(c.params)} for c in fake.sent()[before:]]
                chat.say(line)
                assert chat.sender.payloads == sent, f"after {line!r}"
        finally:
            client.close()


def _markup(params: dict) -> dict:
    markup = params.get("reply_markup")
    if markup is None:
        return {}
    return {"reply_markup": json.loads(markup) if isinstance(markup, str) else markup}
