"""Choosing the reply language: English, Urdu script or Roman Urdu."""

from __future__ import annotations

from helpline.engine.core import Flow, Turn
from helpline.messages import LANGUAGES, MenuItem, Text


class LanguageFlow(Flow):
    id = "language"
    label = "menu.language"

    def start(self, turn: Turn) -> None:
        """Offer the three languages, each named in its own script."""
        turn.enter(self.id, "choose")
        turn.say("lang.choose")
        turn.menu([MenuItem(f"lang:{lang}", Text(f"lang.name.{lang}")) for lang in LANGUAGES])

    def handle(self, turn: Turn) -> None:
        """Switch to the chosen language, or ask again."""
        chosen = (turn.choice or "").removeprefix("lang:")
        if chosen not in LANGUAGES:
            turn.say("choice.invalid")
            self.start(turn)
            return
        turn.set_language(chosen)
        turn.say("lang.set")
        turn.main_menu(None)

