"""Under `helpline serve` (gunicorn, forked workers), a POSTed update yields a sendMessage at the fake Bot API.

This is the deployment shape where PTB bots classically fail (PTB #3711, #4289): the app is built in the
master, workers are forked, and the bot's event loop must start in each worker, not at import. Every wait is
bounded; nothing asserts a wall-clock time.
"""

from __future__ import annotations

import json

from helpline import engine as eng
from helpline.messages import InboundMessage
from tests.serve import helpline_serve, request
from tests.telegram.conftest import CHAT, SECRET, update


def _main_menu_ids(core) -> list[str]:
    """The buttons /start shows, computed in-process from the same engine."""
    _state, events = eng.step({}, InboundMessage("telegram", f"telegram:{CHAT}", "/start"), core.context())
    return [item.id for event in events if hasattr(event, "reply") for item in event.reply.menu]


def test_an_update_posted_to_helpline_serve_is_answered_with_the_right_keyboard(db_url, engine, fake_api, tmp_path,
                                                                                core):
    settings = {"HELPLINE_TELEGRAM_TOKEN": fake_api.token, "HELPLINE_TELEGRAM_SECRET": SECRET,
                "HELPLINE_TELEGRAM_API_URL": fake_api.url}
    with helpline_serve(tmp_path, db_url, **settings) as server:
        url = f"{server.base}/webhooks/telegram"
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
        assert request(url, json.dumps(update("message")).encode(), {
            "Content-Type": "application/json"})[0] == 403  # forged: no secret
        for n in range(6):  # several, so both workers (and their own loops) are likely to answer some
            status, body = request(url, json.dumps(update("start", update_id=5000 + n, chat=CHAT + n)).encode(),
                                   headers)
            assert status == 200, body
        calls = fake_api.wait_for("sendMessage", 6, timeout=30)
        assert {int(c.params["chat_id"]) for c in calls} == {CHAT + n for n in range(6)}
        for call in calls:
            keyboard = call.params["reply_markup"]["inline_keyboard"]
            assert [b["callback_data"] for row in keyboard for b in row] == _main_menu_ids(core)
