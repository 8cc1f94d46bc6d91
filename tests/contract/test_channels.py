"""One dialog script and the rules every channel keeps, run through each channel's real webhook.

Each channel is a small driver (zulip's ``DefaultTests`` idea, design.md): ``say`` a text, ``choose`` the n-th
offered option (a button on Telegram, a typed number on SMS), and read back the screens the worker would see.
SMS goes through ``/webhooks/twilio/sms`` signed with Twilio's own ``RequestValidator``, WhatsApp through the same
route with Twilio's WhatsApp form (``From=whatsapp:+92…``); Telegram through ``/webhooks/telegram`` with the secret
header, a real PTB ``Bot`` and the local fake Bot API.

Rules: empty text gets a polite prompt; Urdu and Roman Urdu round-trip (stored as sent, answered in kind);
an over-long reply is split within the channel's limit (SMS: pages within the segment budget; WhatsApp: ≤ 1600
characters per message, Twilio's body limit; Telegram: ≤ 4096 UTF-16 units per message); buttons degrade to
numbered text on SMS and WhatsApp; an unrelated payload is ignored (2xx,
nothing stored, no exception).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from helpline.settings import REPO_ROOT, load_settings
from helpline.sms import count_segments
from helpline.storage.models import Message
from helpline.textsplit import utf16_len
from tests.conftest import FIXED_NOW
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN
from tests.harness import BUDGET, PUBLIC_URL, SECRET, Screen, SmsDriver, TelegramDriver, WhatsAppDriver, options

URDU = re.compile(r"[\u0600-\u06FF]")
LONG_PLACEHOLDER = "\n".join(f"Office {n}: Community Welfare Attache, street {n}, open Monday to Friday."
                             for n in range(80))  # makes the embassy answer about 6000 characters long


# -- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def core_long(tmp_path_factory: pytest.TempPathFactory):
    """The real core, with one deployment value long enough to overflow any channel's limit."""
    from helpline.wiring import build_core

    deployment = Path(tmp_path_factory.mktemp("deploy")) / "deployment.toml"
    deployment.write_text(f'[values]\nmission_contacts = """{LONG_PLACEHOLDER}"""\n', encoding="utf-8")
    core = build_core(load_settings(_env_file=None), deployment_file=deployment, strict=True)
    core.clock = lambda: FIXED_NOW
    return core


@pytest.fixture
def fake_api() -> Iterator[FakeTelegramAPI]:
    with FakeTelegramAPI() as fake:
        yield fake


@pytest.fixture
def web(clean_env, engine, core_long, fake_api) -> Iterator[FlaskClient]:
    """One app with both channels configured (Twilio signing, Telegram secret, the fake Bot API)."""
    from bot.client import BotClient
    from bot.ratelimit import Unlimited
    from bot.sender import TelegramSender
    from webhooks.app import create_app

    settings = load_settings(database_url=engine.url.render_as_string(hide_password=False),
                             twilio_auth_token=AUTH_TOKEN, twilio_account_sid=ACCOUNT_SID, public_url=PUBLIC_URL,
                             twilio_handles_opt_out=False, sms_segment_budget=BUDGET, telegram_token=fake_api.token,
                             telegram_secret=SECRET, telegram_api_url=fake_api.url)
    client = BotClient(fake_api.token, fake_api.url)
    sender = TelegramSender(client, limiter=Unlimited())
    yield create_app(settings, core=core_long, engine=engine, senders={"telegram": sender}).test_client()
    client.close()


@pytest.fixture(params=["sms", "whatsapp", "telegram"])
def channel(request: pytest.FixtureRequest, web: FlaskClient, fake_api: FakeTelegramAPI):
    """Each channel's driver, on the same app and database."""
    if request.param == "whatsapp":
        return WhatsAppDriver(web)
    return SmsDriver(web) if request.param == "sms" else TelegramDriver(web, fake_api)


def stored_inbound(session_factory) -> list[str]:
    with session_factory() as s:
        return list(s.scalars(select(Message.text).where(Message.direction == "in").order_by(Message.id)))


def count_messages(session_factory) -> int:
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(Message))


def joined(screens: list[Screen]) -> str:
    return "\n\n".join(s.text for s in screens)


# -- the dialog script --------------------------------------------------------------------------------------


def test_the_same_dialog_on_every_channel(channel, core_long):
    on = "sms" if channel.name == "sms" else None  # SMS shows its short labels (K.sms), same choices
    words = core_long.i18n
    main_menu = [words.render(words.variant(item.label, on, "en"), "en") for item in _main_menu(core_long)]
    welcome = channel.say("hello")
    assert options(welcome) == main_menu  # the same choices, as buttons or as numbered lines
    asked = channel.choose(1)  # "Ask a question"
    assert asked and joined(asked).strip()
    answer = channel.say("what is protector")
    # The same topic on both (SMS may use its shorter wording of the answer): "Register directly or ..."
    assert joined(answer).split()[:3] == _kb(core_long, "protector_registration").split()[:3]
    menu = channel.say("MENU")
    assert options(menu) == main_menu
    language = channel.choose([i.id for i in _main_menu(core_long)].index("language") + 1)
    assert options(language)  # the language menu
    switched = channel.say("urdu")
    assert URDU.search(joined(switched))


def _main_menu(core):
    from helpline import engine as eng
    from helpline.messages import InboundMessage

    _state, events = eng.step({"turns": 1}, InboundMessage("chat", "chat:x", "MENU"), core.context())
    return [item for e in events if hasattr(e, "reply") for item in e.reply.menu]


def _kb(core, topic: str) -> str:
    from helpline.messages import Text

    return core.i18n.render(Text(f"kb:{topic}:short"), "en")


# -- rules every channel keeps -------------------------------------------------------------------------------


def test_empty_text_gets_a_polite_prompt(channel):
    screens = channel.say_nothing()
    assert screens and joined(screens).strip()


@pytest.mark.parametrize("text, urdu_reply", [("پروٹیکٹر کیا ہوتا ہے؟", True), ("protector kya hota hai", False)])
def test_urdu_and_roman_urdu_round_trip(channel, session_factory, text, urdu_reply):
    screens = channel.say(text)
    assert stored_inbound(session_factory)[-1] == text  # stored exactly as sent
    reply = joined(screens)
    assert bool(URDU.search(reply)) is urdu_reply
    if channel.name == "sms" and not urdu_reply:
        assert count_segments(reply).encoding == "GSM-7"  # Roman Urdu stays cheap


def test_an_over_long_reply_is_split_within_the_limit(channel):
    channel.say("embassy ka number kya hai")
    screens = channel.choose(1)  # the full answer, with the ~6000-character list of offices
    assert screens and all(channel.fits(s) for s in screens)
    if channel.name == "telegram":
        assert len(screens) >= 2 and utf16_len(joined(screens)) > 4096  # nothing was dropped: it took 2+ messages
    elif channel.name == "whatsapp":
        assert len(screens) >= 3 and len(joined(screens)) > 4096  # sent whole (no MORE), in parts of ≤ 1600
        assert "Office 79:" in joined(screens)
    else:
        assert re.search(r"\b(MORE|MAZEED)\b", screens[-1].text)  # the rest waits for MORE (MAZEED in Roman Urdu)
        assert all(channel.fits(s) for s in channel.say("MORE"))


def test_buttons_degrade_to_numbered_text(channel):
    screens = channel.say("hello")
    labels = options(screens)
    assert len(labels) >= 2
    numbered = [f"{n} {label}" for n, label in enumerate(labels, 1)]
    if channel.name in ("sms", "whatsapp"):
        assert not screens[-1].buttons and screens[-1].text.splitlines()[-len(labels):] == numbered
    else:
        assert screens[-1].buttons and not any(line in screens[-1].text.splitlines() for line in numbered)
    by_number = joined(channel.say("2"))  # a typed number is the same choice as the second button
    channel.say("MENU")
    by_label = joined(channel.say(labels[1]))
    assert by_number == by_label


def test_an_unrelated_payload_is_ignored(channel, session_factory):
    before = count_messages(session_factory)
    status = channel.unrelated()
    assert 200 <= status < 300
    assert count_messages(session_factory) == before
