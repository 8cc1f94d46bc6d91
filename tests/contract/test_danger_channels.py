"""Danger in every state and the handoff list, through both channels' real webhooks (signed Twilio SMS, Telegram
updates with the fake Bot API) and the staff console: danger while waiting and while held (the emergency route,
the handoff urgent with its reason), danger inside the complaint intake (filed urgent, the words kept), a plain
message and "is anyone there?" while waiting (acknowledged, unread), and the list: urgent first, reason, new."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from helpline.complaints.models import Complaint
from helpline.console.users import create_user
from helpline.handoff import service as holds
from helpline.handoff.models import Handoff
from helpline.privacy import mask
from helpline.settings import load_settings
from helpline.storage.models import Contact
from tests.conftest import FIXED_NOW
from tests.console.conftest import PASSWORD, login
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN
from tests.harness import BUDGET, PUBLIC_URL, SECRET, SmsDriver, TelegramDriver

WITH_TEAM = {"en": "Your message is with the team", "ur-Latn": "Aap ka paigham staff tak",
             "ur": "آپ کا پیغام عملے تک"}
CASES = [  # language, danger, a plain message, "is anyone there?"
    ("en", "my kafeel beats me, I am locked in a room", "my sponsor said something strange about the camp rules",
     "is anyone there?"),
    ("ur-Latn", "kafeel ne mara hai, mujhe band kamre mein rakha hai", "camp ke boss ne ajeeb baat ki hai aaj",
     "koi hai?? jawab do"),
    ("ur", "کفیل مجھے مارتا ہے، کمرے میں بند ہوں", "کیمپ کے باس نے آج عجیب بات کی ہے", "کوئی ہے؟"),
]
ASK_PERSON = {"en": "talk to a person", "ur-Latn": "insaan se baat karni hai", "ur": "انسان سے بات"}


@pytest.fixture
def fake_api() -> Iterator[FakeTelegramAPI]:
    with FakeTelegramAPI() as fake:
        yield fake


@pytest.fixture
def web(clean_env, engine, core, fake_api) -> Iterator[FlaskClient]:
    """One app: both channels and the console, on the test database."""
    from bot.client import BotClient
    from bot.ratelimit import Unlimited
    from bot.sender import TelegramSender
    from webhooks.app import create_app

    settings = load_settings(database_url=engine.url.render_as_string(hide_password=False),
                             twilio_auth_token=AUTH_TOKEN, twilio_account_sid=ACCOUNT_SID, public_url=PUBLIC_URL,
                             twilio_handles_opt_out=False, sms_segment_budget=BUDGET, telegram_token=fake_api.token,
                             telegram_secret=SECRET, telegram_api_url=fake_api.url,
                             secret_key="test-secret-key-for-console-tests")
    client = BotClient(fake_api.token, fake_api.url)
    app = create_app(settings, core=core, engine=engine, senders={"telegram": TelegramSender(client, limiter=Unlimited())},
                     config={"TESTING": True})
    yield app.test_client()
    client.close()


@pytest.fixture(params=["sms", "telegram"])
def worker(request, web, fake_api):
    return SmsDriver(web) if request.param == "sms" else TelegramDriver(web, fake_api)


def route(core, lang: str, worker) -> str:
    """The emergency route as this channel words it (SMS has a shorter wording of its own)."""
    from helpline.messages import Reply, Text

    said = Reply(lang, (Text("faq.urgent", {"contacts": core.kb.fill("{mission_contacts}", lang)}),))
    return core.render(said, worker.name).paragraphs[0]


def text(screens) -> str:
    return "\n\n".join(s.text for s in screens)


def handoff_of(session_factory, address: str) -> Handoff | None:
    with session_factory() as s:
        contact = s.scalars(select(Contact).where(Contact.address == address)).one()
        return holds.active_handoff(s, contact.id)


def hold(session_factory, core, address: str) -> None:
    with session_factory.begin() as s:
        contact = s.scalars(select(Contact).where(Contact.address == address)).one()
        holds.take(s, contact, "asma", now=FIXED_NOW, core=core, timeout=timedelta(minutes=30))


@pytest.mark.parametrize(("lang", "danger", "_plain", "_anyone"), CASES)
def test_danger_while_waiting(worker, session_factory, core, lang, danger, _plain, _anyone):
    worker.say(ASK_PERSON[lang])
    assert not handoff_of(session_factory, worker.address).urgent
    reply = text(worker.say(danger))
    assert reply.startswith(route(core, lang, worker))  # at once, in their language
    row = handoff_of(session_factory, worker.address)
    assert row.status == "waiting" and row.urgent and row.urgent_reason and row.unread


@pytest.mark.parametrize(("lang", "danger", "_plain", "_anyone"), CASES)
def test_danger_while_held(worker, session_factory, core, lang, danger, _plain, _anyone):
    worker.say(ASK_PERSON[lang])
    hold(session_factory, core, worker.address)
    assert worker.say("hello") == []  # a person holds it: the bot is quiet
    reply = text(worker.say(danger))
    assert reply.startswith(route(core, lang, worker))  # ... but for the emergency route
    row = handoff_of(session_factory, worker.address)
    assert row.status == "held" and row.urgent and row.unread
    assert "said" in row.urgent_reason


@pytest.mark.parametrize(("lang", "_danger", "plain", "anyone"), CASES)
def test_plain_messages_while_waiting_are_acknowledged_and_unread(worker, session_factory, core, monkeypatch, lang,
                                                                  _danger, plain, anyone):
    worker.say(ASK_PERSON[lang])
    with session_factory.begin() as s:  # a staff member looked at it: read
        row = s.get(Handoff, handoff_of(session_factory, worker.address).id)
        holds.mark_seen(s, row, FIXED_NOW + timedelta(seconds=1))
    assert not handoff_of(session_factory, worker.address).unread
    monkeypatch.setattr(core, "clock", lambda: FIXED_NOW + timedelta(minutes=1))
    for said in (plain, anyone):
        assert WITH_TEAM[lang] in text(worker.say(said)), said
    row = handoff_of(session_factory, worker.address)
    assert row.unread and not row.urgent


STORIES = [("en", "I want to file a complaint", "my kafeel beats me and locked me in a room", "Saudi Arabia"),
           ("ur-Latn", "shikayat karni hai", "kafeel ne mara, band kamre mein hun", "Riyadh"),
           ("ur", "مجھے شکایت درج کرنی ہے", "کفیل مجھے مارتا ہے، کمرے میں بند ہوں", "سعودی عرب")]


def _step(session_factory, address: str) -> str | None:
    from helpline.storage.models import Conversation

    with session_factory() as s:
        contact = s.scalars(select(Contact).where(Contact.address == address)).one()
        return (s.get(Conversation, contact.id).state or {}).get("step")


@pytest.mark.parametrize(("lang", "opening", "story", "country"), STORIES)
def test_danger_during_the_complaint_intake(worker, session_factory, core, lang, opening, story, country):
    worker.say(opening)
    reply = text(worker.say(story))
    assert reply.startswith(route(core, lang, worker))  # the route first, then the intake's next question
    assert _step(session_factory, worker.address) not in (None, "story")
    for _ in range(12):
        with session_factory() as s:
            filed = s.scalars(select(Complaint)).first()
        if filed is not None:
            break
        step = _step(session_factory, worker.address)
        if step == "country":
            worker.say(country)
        elif step in ("identity", "against"):
            worker.say("SKIP")
        elif worker.last and (worker.name == "sms" or worker.last[-1].buttons):
            worker.choose(1)
        else:
            raise AssertionError(f"step {step}: nothing to choose in {text(worker.last)!r}")
    assert filed is not None, "the intake did not finish"
    assert story in filed.description and filed.urgent
    assert handoff_of(session_factory, worker.address).urgent  # staff see the danger in the handoff list too


def test_the_handoff_list_shows_urgent_first_with_the_reason_and_new_messages(web, fake_api, session_factory, core,
                                                                               monkeypatch):
    with session_factory.begin() as s:
        create_user(s, "asma", PASSWORD, "agent", FIXED_NOW)
    first, second = SmsDriver(web, sender="+923001110001"), TelegramDriver(web, fake_api, chat=777001)
    first.say("talk to a person")  # waiting longest, not urgent
    second.say("talk to a person")
    second.say("they beat me, call 0300-1234567, I am locked in a room")  # urgent, with a number to mask
    staff = web.application.test_client()
    assert login(staff, "asma").status_code == 302
    page = staff.get("/staff/handoff").get_data(as_text=True)
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr")
    assert 'class="pill rag-red urgent"' in rows[1] and "locked in: said" in rows[1]  # the reason in words
    assert 'class="pill rag-amber unread"' in rows[1]  # new for staff
    assert "they beat me" in rows[1]  # the latest message, not the first ("talk to a person") ...
    assert "0300-1234567" not in page and mask("0300-1234567") in rows[1]  # ... masked like the rest
    assert "+92********01" in rows[2]  # the one without danger comes after
    with session_factory() as s:
        contact_id = s.scalars(select(Contact.id).where(Contact.address == second.address)).one()
    staff.get(f"/staff/contacts/{contact_id}")  # opening the conversation reads it
    assert not handoff_of(session_factory, second.address).unread
    monkeypatch.setattr(core, "clock", lambda: datetime.now(timezone.utc) + timedelta(minutes=1))
    second.say("please help fast")
    assert handoff_of(session_factory, second.address).unread  # a new message: unread again
