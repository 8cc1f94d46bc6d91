"""A worker's request to delete their data (issue 16, item 6): a keyword in any of the three languages, or the
entry under the privacy answer, asks once to confirm; "yes" emits :class:`DataDeletionRequested`, which opens a
task in the staff console (``/staff/privacy``) for an admin to complete. Nothing is deleted by the bot itself: an
admin completes the request (audited), and the worker is told when it is done.
"""

from __future__ import annotations

from helpline.complaints.parse import SKIP_WORDS, YES_WORDS
from helpline.engine.core import MAIN_MENU, Flow, Turn
from helpline.engine.events import DataDeletionRequested
from helpline.messages import MenuItem, Text
from helpline.text import normalize

FLOW = "privacy"
YES = "privacy:delete"
PRIVACY_TOPIC = "privacy_data"  # the FAQ answer on data and privacy offers the request


def _forms(*typed: str) -> frozenset[str]:
    return frozenset(normalize(t) for t in typed)


# The whole message, in normalised form (a longer message that mentions deletion is a question for the FAQ).
KEYWORDS = _forms(
    "delete my data", "please delete my data", "delete my information", "delete my info", "delete my details",
    "erase my data", "remove my data", "delete data", "data delete",
    "mera data delete karo", "mera data delete kar do", "mera data delete kr do", "mera data delete kardo",
    "mera data delete karen", "mera data mita do", "mera data mitao", "mera data khatam karo",
    "meri maloomat delete karo", "data delete karo", "data delete kar do",
    "میرا ڈیٹا مٹا دیں", "میرا ڈیٹا مٹا دو", "میرا ڈیٹا ڈیلیٹ کریں", "میرا ڈیٹا ڈیلیٹ کر دیں", "میرا ڈیٹا ڈیلیٹ کرو",
    "میری معلومات مٹا دیں", "میری معلومات ڈیلیٹ کریں", "ڈیٹا ڈیلیٹ کریں",
)


def _home() -> MenuItem:
    return MenuItem(MAIN_MENU, Text("menu.main"))


class DataDeletionFlow(Flow):
    id = FLOW
    label = None  # reached by the keyword or from the privacy answer, not from the main menu

    def gate(self, turn: Turn) -> bool:
        """The keyword works in any state (inside a form too); a person holding the conversation sees it first."""
        if turn.msg.choice or turn.flow == FLOW or turn.norm not in KEYWORDS:
            return False
        self.start(turn)
        return True

    def offered_after(self, topic: str) -> str | None:
        """Under the answer on data and privacy: the request itself."""
        return "privacy.delete.menu" if topic == PRIVACY_TOPIC else None

    def start(self, turn: Turn) -> None:
        """Say what deleting means and ask to confirm."""
        turn.leave()
        turn.enter(FLOW, "confirm")
        turn.say("privacy.delete.confirm")
        turn.menu([MenuItem(YES, Text("privacy.delete.yes")), _home()])

    def handle(self, turn: Turn) -> None:
        """Yes: the request goes to the team. No (or the menu): nothing changes. Anything else: ask again."""
        if turn.choice == YES or (turn.choice is None and turn.norm in YES_WORDS):
            turn.emit(DataDeletionRequested(turn.lang))
            turn.leave()
            turn.say("privacy.delete.requested")
            turn.main_menu(None)
        elif turn.choice is None and turn.norm in SKIP_WORDS:
            turn.leave()
            turn.say("privacy.delete.kept")
            turn.main_menu(None)
        else:
            self.start(turn)
