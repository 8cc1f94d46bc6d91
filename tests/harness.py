"""The one test harness: drivers that talk to the helpline at each of its seams, as a worker would.

* :class:`EngineDriver` — the pure engine (``engine.step``); state kept between lines; asks answered from a
  table the test gives (the engine reads nothing, so the test decides what the database "knows").
* :class:`ServiceDriver` — the turn pipeline over a real database (:func:`helpline.pipeline.run_turn`), with
  every handler and answerer the wiring gives.
* :class:`Sms` / :class:`SmsDriver` — signed Twilio webhooks through the Flask app.
* :class:`WhatsApp` / :class:`WhatsAppDriver` — the same webhook with Twilio's WhatsApp form (``whatsapp:`` From).
* :class:`TelegramDriver` — Telegram updates through the Flask app, replies read from the fake Bot API.

Rows are made with the factories in :mod:`tests.factories`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator

from helpline import engine
from helpline.engine.events import FaqAnswered, FactNeeded, ReplyCreated
from helpline.matcher import Match
from helpline.messages import Attachment, InboundMessage
from helpline.pipeline import Core, run_turn
from helpline.sms import count_segments
from helpline.textsplit import utf16_len
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN

PUBLIC_URL = "https://helpline.example.org"
WORKER = "+923001234567"
OUR_NUMBER = "+15005550006"
SECRET = "contract-secret"  # the Telegram webhook secret the contract tests configure
BUDGET = 2  # SMS segments per page
_sids = itertools.count(1)
_ids = itertools.count(1)


# -- the engine ---------------------------------------------------------------------------------------------


def nothing_on_record() -> dict[Any, Any]:
    """Answers to every ask for a database that knows nothing: no complaint, no failures, no status record."""
    from helpline.engine import events as ev
    from helpline.status.turns import Outcome

    return {ev.NewReference: "K7M4XQY", ev.ComplaintLookup: None, ev.ComplaintVerify: None, ev.LookupFailures: 0,
            ev.StatusThrottled: False, ev.StatusCheck: Outcome("no_match"), ev.OepLookup: ("none", (), None)}


class EngineDriver:
    """One worker talking to the pure engine; state kept between lines, as the pipeline would.

    ``answers`` maps an ask's type (or the ask itself) to its answer, or to a function of the ask: what the
    database would say. An ask the table does not cover fails the test.
    """

    def __init__(self, core: Core, channel: str = "sms", state: dict[str, Any] | None = None,
                 answers: Mapping[Any, Any] | None = None, facts: engine.Facts | None = None):
        self.core = core
        self.channel = channel
        self.state: dict[str, Any] = state or {}
        self.answers = dict(answers or {})
        self.facts = facts  # what the pipeline would have loaded (a person asked for or holding the chat)
        self.events: list[Any] = []

    @property
    def answered(self) -> list[str]:
        """Topics answered by the last message."""
        return [e.topic for e in self.events if isinstance(e, FaqAnswered)]

    @property
    def replies(self) -> list[Any]:
        """The last message's replies (``Reply``: message keys and parameters, not words)."""
        return [e.reply for e in self.events if isinstance(e, ReplyCreated)]

    @property
    def keys(self) -> list[str]:
        """The message keys of the last reply's paragraphs, in order."""
        return [t.key for r in self.replies for t in r.parts]

    @property
    def menu(self) -> list[str]:
        """The ids of the last reply's menu items."""
        return [m.id for r in self.replies for m in r.menu]

    def _answer(self, ask: Any) -> Any:
        for key in (ask, type(ask)):
            if key in self.answers:
                value = self.answers[key]
                return value(ask) if callable(value) and not isinstance(value, type) else value
        raise AssertionError(f"the engine asked {ask!r}; give the driver an answer for it")

    def step(self, text: str = "", choice: str | None = None,
             attachments: tuple[Attachment, ...] = ()) -> list[Any]:
        """Send one message; the events (asks answered from the table)."""
        msg = InboundMessage(channel=self.channel, address="tel:+923001234567", text=text, choice=choice,
                             attachments=attachments)
        known: dict[Any, Any] = {}
        while True:
            ctx = self.core.context(facts=self.facts, answers=known)
            state, events = engine.step(self.state, msg, ctx)
            if len(events) == 1 and isinstance(events[0], FactNeeded):
                known[events[0].ask] = self._answer(events[0].ask)
                continue
            self.state, self.events = state, events
            return events

    def say(self, text: str = "", choice: str | None = None) -> str:
        """Send one message; return the reply as plain text (paragraphs and a numbered menu)."""
        self.step(text, choice)
        return "\n\n".join(self.core.render(r).plain() for r in self.replies)

    @property
    def lang(self) -> str:
        """The language of the last reply."""
        return self.state["lang"]


Dialog = EngineDriver  # the transcript tests' name for it


class KnowsNothing:
    """A matcher for an in-scope question the knowledge base has no answer to (so it is kept for staff)."""

    def match(self, text: str) -> Match:
        """Decline, without calling it out of scope or small talk."""
        return Match("none", "unpaid_wages", 0.12, (), "en")

    def intent(self, text: str) -> tuple[str, float] | None:
        """No intent."""
        return None


def knowing_nothing(core: Core) -> Core:
    """The core with :class:`KnowsNothing` as its matcher."""
    import dataclasses

    return dataclasses.replace(core, matcher=KnowsNothing())


def transcript(core: Core, lines: list[tuple[str, list[str]]], **kw: Any) -> EngineDriver:
    """Play ``[(worker says, [expected])]`` through the engine and return the driver for more checks.

    Each expected item is ``@topic`` (the FAQ topic it must answer), ``key:<message key>`` (a paragraph the
    reply must have) or ``menu:<item id>`` (an option it must offer); anything else is a substring of the
    rendered reply (use sparingly: wording changes, keys do not).
    """
    dialog = EngineDriver(core, **kw)
    for said, expected in lines:
        reply = dialog.say(said)
        for part in expected:
            if part.startswith("@"):
                assert dialog.answered == [part[1:]], f"after {said!r} expected {part} but answered {dialog.answered}"
            elif part.startswith("key:"):
                assert part[4:] in dialog.keys, f"after {said!r} expected key {part[4:]} in {dialog.keys}"
            elif part.startswith("menu:"):
                assert part[5:] in dialog.menu, f"after {said!r} expected option {part[5:]} in {dialog.menu}"
            else:
                assert part in reply, f"after {said!r} expected {part!r} in:\n{reply}"
    return dialog


# -- the pipeline over a database ---------------------------------------------------------------------------


class ServiceDriver:
    """One contact talking to the turn pipeline: every line is a turn in its own transaction, as a channel does."""

    def __init__(self, sessions: sessionmaker[Session], core: Core, address: str = "tel:+923001234567",
                 channel: str = "sms"):
        self.sessions, self.core, self.address, self.channel = sessions, core, address, channel
        self.last_provider_id = ""

    def say(self, text: str = "", attachments: tuple[Attachment, ...] = (), provider_id: str | None = None,
            choice: str | None = None) -> str:
        """Send one message (or a button press); return the replies as plain text."""
        self.last_provider_id = provider_id or f"m{next(_ids)}"
        msg = InboundMessage(channel=self.channel, address=self.address, text=text, provider_id=self.last_provider_id,
                             attachments=attachments, choice=choice)
        result = run_turn(self.sessions, msg, self.core)
        return "\n\n".join(r.plain() for r in result.replies)

    def script(self, lines: list[tuple[str, list[str]]]) -> list[str]:
        """Play ``[(says, [expected substrings])]``; return the replies."""
        replies = []
        for said, expected in lines:
            reply = self.say(said)
            for part in expected:
                assert part in reply, f"after {said!r} expected {part!r} in:\n{reply}"
            replies.append(reply)
        return replies

    def state(self) -> dict[str, Any]:
        """The stored conversation state."""
        from helpline.storage.models import Contact, Conversation

        with self.sessions() as s:
            contact = s.scalars(select(Contact).where(Contact.address == self.address)).one()
            conv = s.get(Conversation, contact.id)
            return dict(conv.state) if conv else {}


# -- SMS: signed Twilio webhooks ----------------------------------------------------------------------------


def new_sid(prefix: str = "SM") -> str:
    """A fresh, well-formed 34-character message sid."""
    return f"{prefix}{next(_sids):032x}"


def sign(form: dict[str, str], url: str, token: str = AUTH_TOKEN) -> str:
    """Twilio's signature of ``form`` posted to ``url``, computed by Twilio's own validator."""
    return RequestValidator(token).compute_signature(url, form)


def reply_text(xml: str) -> str:
    """The text of every <Message> in a TwiML answer, joined by a blank line."""
    import xml.etree.ElementTree as ET

    return "\n\n".join(m.text or "" for m in ET.fromstring(xml).iter("Message"))


class Sms:
    """Sends signed inbound SMS webhooks like Twilio does."""

    def __init__(self, client: FlaskClient, url: str = PUBLIC_URL + "/webhooks/twilio/sms"):
        self.client, self.url = client, url

    def form(self, body: str, *, sid: str | None = None, sender: str = WORKER, **extra: str) -> dict[str, str]:
        """A realistic inbound form."""
        return {"ToCountry": "US", "SmsMessageSid": sid or new_sid(), "NumMedia": "0", "ToCity": "", "FromZip": "",
                "SmsSid": sid or "", "FromState": "", "SmsStatus": "received", "FromCity": "", "Body": body,
                "FromCountry": "PK", "To": OUR_NUMBER, "ToZip": "", "NumSegments": "1", "MessageSid": sid or "",
                "AccountSid": ACCOUNT_SID, "From": sender, "ApiVersion": "2010-04-01", **extra}

    def post(self, form: dict[str, str], *, path: str = "/webhooks/twilio/sms", signature: str | None = None,
             **kwargs: Any):
        """POST ``form`` signed for the public URL of ``path`` (or with the given signature)."""
        if not form.get("MessageSid") and form.get("SmsMessageSid"):
            form = {**form, "MessageSid": form["SmsMessageSid"], "SmsSid": form["SmsMessageSid"]}
        sig = signature if signature is not None else sign(form, PUBLIC_URL + path)
        return self.client.post(path, data=form, headers={"X-Twilio-Signature": sig}, **kwargs)

    def send(self, body: str, **kw: Any) -> str:
        """Send one message and return the reply text (all <Message> bodies joined), asserting 200."""
        response = self.post(self.form(body, **kw))
        assert response.status_code == 200, response.get_data(as_text=True)
        return reply_text(response.get_data(as_text=True))


def reply_text(xml: str) -> str:
    """The text of every <Message> in a TwiML answer, joined by a blank line."""
    import xml.etree.ElementTree as ET

    return "\n\n".join(m.text or "" for m in ET.fromstring(xml).iter("Message"))


def reply_bodies(xml: str) -> list[str]:
    """Each <Message> of a TwiML answer: one WhatsApp message each."""
    import xml.etree.ElementTree as ET

    return [m.text or "" for m in ET.fromstring(xml).iter("Message")]


WA_WORKER = "whatsapp:+923001234567"
WA_NUMBER = "whatsapp:+14155238886"  # Twilio's WhatsApp sandbox number


class WhatsApp(Sms):
    """Sends signed inbound WhatsApp webhooks like Twilio does (the form of tests/whatsapp/payloads)."""

    def form(self, body: str, *, sid: str | None = None, sender: str = WA_WORKER, **extra: str) -> dict[str, str]:
        """A realistic inbound WhatsApp form (text; pass media or location fields in ``extra``)."""
        sid = sid or new_sid()
        return {"SmsMessageSid": sid, "NumMedia": "0", "ProfileName": "Imran", "MessageType": "text",
                "SmsSid": sid, "WaId": sender.removeprefix("whatsapp:+"), "SmsStatus": "received", "Body": body,
                "To": WA_NUMBER, "NumSegments": "1", "ReferralNumMedia": "0", "MessageSid": sid,
                "AccountSid": ACCOUNT_SID, "From": sender, "ApiVersion": "2010-04-01", **extra}

    def messages(self, body: str, **kw: Any) -> list[str]:
        """Send one message; the WhatsApp messages answered (one per <Message>), asserting 200."""
        response = self.post(self.form(body, **kw))
        assert response.status_code == 200, response.get_data(as_text=True)
        return reply_bodies(response.get_data(as_text=True))


# -- what a worker sees, on every channel --------------------------------------------------------------


@dataclass
class Screen:
    """One message as the worker sees it: its text and, on Telegram, its buttons (label, data)."""

    text: str
    buttons: list[tuple[str, str]] = field(default_factory=list)


def options(screens: list[Screen]) -> list[str]:
    """The choices offered on the last screen: button labels, or "n Label" lines at the end of an SMS."""
    if not screens:
        return []
    if screens[-1].buttons:
        return [label for label, _data in screens[-1].buttons]
    found: list[tuple[int, str]] = []
    for line in reversed(screens[-1].text.splitlines()):
        match = re.fullmatch(r"(\d+) (.+)", line)
        if not match:
            break
        found.insert(0, (int(match.group(1)), match.group(2)))
    assert [n for n, _label in found] == list(range(1, len(found) + 1)), "menu lines are numbered 1..n"
    return [label for _n, label in found]


class TelegramDriver:
    """A worker on Telegram: updates to the webhook, replies read from the fake Bot API."""

    name = "telegram"
    _ids = itertools.count(10_000)

    def __init__(self, client: FlaskClient, fake: FakeTelegramAPI, chat: int = 555000111):
        self.client, self.fake, self.chat = client, fake, chat
        self.address = f"telegram:{chat}"
        self.last: list[Screen] = []

    def _post(self, payload: dict[str, Any]) -> int:
        return self.client.post("/webhooks/telegram", json=payload,
                                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}).status_code

    def _exchange(self, body: dict[str, Any]) -> list[Screen]:
        before = len(self.fake.sent())
        assert self._post({"update_id": next(self._ids), **body}) == 200
        calls = self.fake.sent()[before:]
        self.last = [Screen(c.params["text"], [(b["text"], b["callback_data"])
                                               for row in c.params.get("reply_markup", {}).get("inline_keyboard", [])
                                               for b in row]) for c in calls]
        return self.last

    def _message(self, **content: Any) -> dict[str, Any]:
        return {"message": {"message_id": 1, "date": 1764072000, "from": {"id": self.chat, "is_bot": False,
                "first_name": "W"}, "chat": {"id": self.chat, "type": "private", "first_name": "W"}, **content}}

    def say(self, text: str) -> list[Screen]:
        """Send a text message."""
        return self._exchange(self._message(text=text))

    def say_nothing(self) -> list[Screen]:
        """A message without text (a sticker): Telegram's empty message."""
        return self._exchange(self._message(sticker={"file_id": "CAACAgI", "file_unique_id": "u", "width": 512,
                                                     "height": 512, "is_animated": False, "is_video": False,
                                                     "type": "regular"}))

    def choose(self, n: int) -> list[Screen]:
        """Press the n-th button of the last screen."""
        data = self.last[-1].buttons[n - 1][1]
        return self._exchange({"callback_query": {"id": str(next(self._ids)), "chat_instance": "1", "data": data,
                                                  "from": {"id": self.chat, "is_bot": False, "first_name": "W"},
                                                  "message": self._message(text="menu")["message"]}})

    def unrelated(self) -> int:
        """An edited message: valid, but not for the helpline."""
        return self._post({"update_id": next(self._ids), "edited_message": {**self._message(text="x")["message"],
                                                                           "edit_date": 1764072100}})

    @staticmethod
    def fits(screen: Screen) -> bool:
        """Telegram's limit: 4096 UTF-16 units per message."""
        return utf16_len(screen.text) <= 4096


class SmsDriver:
    """A worker on SMS: signed Twilio webhooks, replies read from the TwiML answer."""

    name = "sms"

    def __init__(self, client: FlaskClient, sender: str = "+923001112233"):
        self.sms = Sms(client)
        self.client, self.sender = client, sender
        self.address = f"tel:{sender}"
        self.last: list[Screen] = []

    def say(self, text: str) -> list[Screen]:
        """Send an SMS."""
        response = self.sms.post(self.sms.form(text, sender=self.sender))
        assert response.status_code == 200, response.get_data(as_text=True)
        body = reply_text(response.get_data(as_text=True))
        self.last = [Screen(body)] if body else []  # the SMS rules send one page per turn
        return self.last

    def say_nothing(self) -> list[Screen]:
        """An SMS with an empty body."""
        return self.say("")

    def choose(self, n: int) -> list[Screen]:
        """Type the number of the n-th option."""
        return self.say(str(n))

    def unrelated(self) -> int:
        """A signed delivery-status callback for a message we never sent."""
        form = {"MessageSid": new_sid(), "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID}
        return self.client.post("/webhooks/twilio/status", data=form,
                                headers={"X-Twilio-Signature": sign(form, PUBLIC_URL + "/webhooks/twilio/status")}
                                ).status_code

    @staticmethod
    def fits(screen: Screen) -> bool:
        """The SMS budget: each page within BUDGET segments."""
        return count_segments(screen.text).segments <= BUDGET


class WhatsAppDriver(SmsDriver):
    """A worker on WhatsApp: the signed Twilio webhook with WhatsApp's form; each <Message> is one screen."""

    name = "whatsapp"

    def __init__(self, client: FlaskClient, sender: str = "whatsapp:+923001112244"):
        self.sms = WhatsApp(client)
        self.client, self.sender = client, sender
        self.address = sender
        self.last = []

    def say(self, text: str) -> list[Screen]:
        """Send a WhatsApp message."""
        self.last = [Screen(body) for body in self.sms.messages(text, sender=self.sender)]
        return self.last

    @staticmethod
    def fits(screen: Screen) -> bool:
        """Twilio's body limit for one WhatsApp message: 1,600 characters."""
        return 0 < len(screen.text) <= 1600
