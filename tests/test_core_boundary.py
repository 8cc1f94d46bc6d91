"""The core ring never imports a channel SDK (design.md: arrows point inward)."""

from __future__ import annotations

import subprocess
import sys

CORE_MODULES = [
    "helpline", "helpline.engine", "helpline.flows", "helpline.service", "helpline.matcher", "helpline.kb",
    "helpline.i18n", "helpline.text", "helpline.lang", "helpline.sms", "helpline.menus", "helpline.settings",
    "helpline.storage.db", "helpline.storage.models", "helpline.evaluation", "helpline.chat",
]


def test_core_imports_no_telegram_or_twilio():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in CORE_MODULES)
        + "from helpline.service import Core\nfrom helpline.settings import REPO_ROOT\n"
        + "Core.load(REPO_ROOT / 'locales')\n"
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('telegram', 'twilio'))\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core pulled in channel SDK modules: {out.stdout}"
