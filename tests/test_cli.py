"""The `helpline` command, run as a worker or an operator would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from webhooks.main import main
from helpline.settings import REPO_ROOT


@pytest.fixture
def runner(clean_env, tmp_path, monkeypatch) -> CliRunner:
    monkeypatch.setenv("HELPLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    return CliRunner()


def test_chat_over_piped_stdin_shows_two_replies_with_segment_counts(tmp_path):
    """The quick-start check: `printf 'salam\\nprotector kya hota hai\\n' | helpline chat --channel sms`."""
    helpline = Path(sys.executable).with_name("helpline")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPLINE_")}
    out = subprocess.run([str(helpline), "chat", "--channel", "sms"], input="salam\nprotector kya hota hai\n",
                         capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120, check=True).stdout
    replies = [line for line in out.splitlines() if line.startswith("bot [")]
    assert len(replies) >= 2, out
    assert all("segment" in line and ("GSM-7" in line or "UCS-2" in line) for line in replies)
    assert "Protector" in out or "protector" in out
    assert (tmp_path / "helpline.db").exists()  # the default run made and upgraded its own SQLite file


def test_chat_telegram_view_shows_buttons(runner):
    result = runner.invoke(main, ["chat", "--channel", "telegram"], input="hello\n")
    assert result.exit_code == 0, result.output
    assert "[1: Ask a question]" in result.output


def test_chat_starts_in_the_requested_language(runner):
    result = runner.invoke(main, ["chat", "--lang", "ur"], input="menu\nمزید\n")  # the menu is on page 1
    assert result.exit_code == 0, result.output
    first, more = result.output.split("you> مزید")
    assert "1 سوال" in first and "UCS-2" in first  # the options with their question, short SMS labels
    assert "«مینو»" in more  # nothing waiting: says so (the keyword in Urdu script)


def test_faq_match_jsonl(runner):
    result = runner.invoke(main, ["faq", "match", "--jsonl"], input="salam\nhundi khatarnak hai kya\n\n")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) == 3
    assert set(rows[0]) >= {"text", "topic", "score", "lang", "action"}
    assert rows[1]["action"] == "answer" and rows[2]["action"] == "decline"
    assert rows[0]["topic"] is None and rows[1]["topic"] == "hundi_hawala_risks"
    assert rows[1]["lang"] == "ur-Latn" and isinstance(rows[1]["score"], float)


def test_faq_eval_prints_accuracy_per_language(runner, tmp_path):
    tsv = tmp_path / "set.tsv"
    tsv.write_text("text\texpected_topic\tlang\nhundi safe hai?\thundi_hawala_risks\tur-Latn\n"
                   "who won the match\tNONE\ten\n", "utf-8")
    result = runner.invoke(main, ["faq", "eval", str(tsv)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("overall") and any(line.startswith("ur-Latn") for line in lines)
    for figure in ("top-1", "answered right", "answered WRONG", "suggested", "out of scope declined"):
        assert figure in result.output


def test_kb_check_passes_on_the_bundled_base(runner):
    result = runner.invoke(main, ["kb", "check"])
    assert result.exit_code == 0, result.output
    assert "0 problem(s)" in result.output


def test_db_upgrade_and_current(runner):
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(main, ["db", "current"])
    assert result.exit_code == 0 and result.output.strip() != "(empty)"


def test_a_bad_setting_is_a_clear_error_naming_the_variable(runner, monkeypatch):
    monkeypatch.setenv("HELPLINE_SMS_SEGMENT_BUDGET", "0")
    result = runner.invoke(main, ["chat"], input="")
    assert result.exit_code != 0
    assert "HELPLINE_SMS_SEGMENT_BUDGET" in result.output
    assert "Traceback" not in result.output


def test_repo_root_has_the_required_layout():
    for name in ("pyproject.toml", "bot", "webhooks", "src", "tests", "locales", "README.md"):
        assert (REPO_ROOT / name).exists(), name
