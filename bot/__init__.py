"""Telegram channel ring: python-telegram-bot transport (client, parse, render, sender, CLI).

PTB 22 warns on every ``RetryAfter`` unless ``PTB_TIMEDELTA`` opts in to its coming behaviour (``retry_after``
as a ``timedelta``); we opt in, so flood-control answers are not turned into warnings (errors under pytest).
"""

import os

os.environ.setdefault("PTB_TIMEDELTA", "true")
