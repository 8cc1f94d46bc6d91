"""The core ring never imports a channel SDK, nor the channel packages (design.md: arrows point inward)."""

from __future__ import annotations

import subprocess
import sys

CORE_MODULES = [
    "helpline", "helpline.engine", "helpline.flows", "helpline.pipeline", "helpline.wiring", "helpline.matcher", "helpline.kb",
    "helpline.i18n", "helpline.text", "helpline.lang", "helpline.sms", "helpline.menus", "helpline.settings",
    "helpline.storage.db", "helpline.storage.models", "helpline.evaluation", "helpline.cli", "helpline.outbox",
    "helpline.handoff.service", "helpline.console.views", "helpline.complaints.turns", "helpline.status.turns",
]


def test_core_imports_no_telegram_or_twilio():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in CORE_MODULES)
        + "from helpline.wiring import build_core\n"
        + "build_core()\n"
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('telegram', 'twilio', 'bot', 'webhooks'))\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core pulled in channel modules: {out.stdout}"
