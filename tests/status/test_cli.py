"""`helpline status import`, run as an operator would."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from webhooks.main import main
from tests.status.conftest import HEADER, REGISTRY


@pytest.fixture
def runner(clean_env, tmp_path, monkeypatch) -> CliRunner:
    monkeypatch.setenv("HELPLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("HELPLINE_PEPPER", "cli-test-pepper")
    return CliRunner()


def test_import_dry_run_then_for_real(runner, tmp_path):
    path = tmp_path / "registry.csv"
    path.write_text(REGISTRY, encoding="utf-8-sig")
    dry = runner.invoke(main, ["status", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "3 new, 0 changed, 0 unchanged, 0 rejected" in dry.output and "dry run: nothing written" in dry.output
    real = runner.invoke(main, ["status", "import", str(path)])
    assert real.exit_code == 0 and "3 new" in real.output and "committed" in real.output
    again = runner.invoke(main, ["status", "import", str(path)])
    assert "0 new, 0 changed, 3 unchanged" in again.output


def test_rejected_rows_are_listed_by_line_and_exit_with_status_1(runner, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "passport,12345678,received,,,\npassport,1,received,,,\n", encoding="utf-8")
    result = runner.invoke(main, ["status", "import", str(path)])
    assert result.exit_code == 1
    assert "line 3: tracking_number '1'" in result.output and "nothing written" in result.output


def test_the_development_pepper_is_warned_about(runner, tmp_path, monkeypatch):
    monkeypatch.delenv("HELPLINE_PEPPER")
    path = tmp_path / "registry.csv"
    path.write_text(REGISTRY, encoding="utf-8")
    result = runner.invoke(main, ["status", "import", str(path), "--dry-run"])
    assert result.exit_code == 0 and "HELPLINE_PEPPER is not set" in result.output
