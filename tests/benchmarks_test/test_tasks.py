"""The task benchmark's scripted workers (``benchmarks/tasks.py``) finish every task in every language.

In-process: the same scripts, signed the same way, through the Flask test client of ``create_app`` on a SQLite
file, with the status registry imported into it. Only completion is asserted; how many SMS a task takes against
issue 13's targets is the benchmark's printed verdict, not a test.
"""

from __future__ import annotations

import dataclasses
import io
import time
from datetime import timedelta
from typing import Any

import pytest

from benchmarks.serving import AUTH_TOKEN, PUBLIC_URL
from benchmarks.tasks import LANGS, TASKS, FlaskTransport, Texts, registry_csv, run_language
from helpline.settings import load_settings
from helpline.status.config import StatusConfig
from helpline.status.importer import import_csv
from helpline.storage.db import make_engine, make_session_factory, upgrade
from tests.conftest import FIXED_NOW

STATUS = StatusConfig(pepper=b"tasks-bench-pepper", max_failures=5, window=timedelta(hours=1))


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts()


@pytest.fixture
def client(clean_env: None, tmp_path: Any, core: Any) -> Any:
    from webhooks.app import create_app

    url = f"sqlite:///{tmp_path / 'helpline.db'}"
    engine = make_engine(url)
    upgrade(engine)
    core = dataclasses.replace(core, config={**core.config, "status.config": STATUS})
    report = import_csv(make_session_factory(engine), io.BytesIO(registry_csv().encode()), config=STATUS,
                        now=FIXED_NOW)
    assert report.rejected == 0, report
    settings = load_settings(database_url=url, twilio_auth_token=AUTH_TOKEN, public_url=PUBLIC_URL,
                             twilio_handles_opt_out=False)
    try:
        yield create_app(settings, core=core, engine=engine).test_client()
    finally:
        engine.dispose()


@pytest.mark.parametrize("lang", LANGS)
def test_every_task_completes(lang: str, client: Any, texts: Texts) -> None:
    results = run_language(lambda: FlaskTransport(client), texts, lang, time.monotonic() + 60)
    assert [r.task for r in results] == list(TASKS)
    failed = [r for r in results if not r.ok]
    assert not failed, "\n\n".join(
        f"{lang} {r.task}: {r.note}\n" + "\n".join(f"  worker> {t.said}\n  bot> {t.reply}" for t in r.transcript)
        for r in failed)
