"""Settings come from HELPLINE_* variables or .env, fail with the variable's name, and never show secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpline.errors import ConfigError
from helpline.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.usefixtures("clean_env")


def test_defaults() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite:///helpline.db"
    assert settings.locales_dir == REPO / "locales"
    assert settings.locales_dir.is_dir()
    assert settings.deployment_file is None
    assert settings.default_language == "en"
    assert settings.sms_segment_budget == 2
    assert settings.log_level == "INFO"
    assert settings.public_url is None
    assert settings.twilio_auth_token is None and settings.telegram_token is None
    assert settings.telegram_api_url == "https://api.telegram.org"


def test_settings_fixture_uses_a_temporary_sqlite_file(settings: Settings, tmp_path: Path) -> None:
    assert settings.database_url == f"sqlite:///{tmp_path / 'helpline.db'}"


def test_environment_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HELPLINE_DEFAULT_LANGUAGE", "ur-Latn")
    monkeypatch.setenv("HELPLINE_SMS_SEGMENT_BUDGET", "3")
    monkeypatch.setenv("HELPLINE_DEPLOYMENT_FILE", str(tmp_path / "deployment.toml"))
    monkeypatch.setenv("HELPLINE_LOG_LEVEL", "debug")
    monkeypatch.setenv("HELPLINE_TWILIO_AUTH_TOKEN", "tw-token")
    monkeypatch.setenv("HELPLINE_SOMETHING_ELSE", "ignored")
    settings = load_settings()
    assert settings.default_language == "ur-Latn"
    assert settings.sms_segment_budget == 3
    assert settings.deployment_file == tmp_path / "deployment.toml"
    assert settings.log_level == "DEBUG"
    assert settings.twilio_auth_token.get_secret_value() == "tw-token"


def test_dotenv_file_in_working_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "HELPLINE_DEFAULT_LANGUAGE=ur\nHELPLINE_TELEGRAM_TOKEN=123:abc\nHELPLINE_SMS_SEGMENT_BUDGET=4\nOTHER=1\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("HELPLINE_SMS_SEGMENT_BUDGET", "5")  # the real environment wins over .env
    settings = load_settings()
    assert settings.default_language == "ur"
    assert settings.telegram_token.get_secret_value() == "123:abc"
    assert settings.sms_segment_budget == 5


def test_keyword_overrides_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPLINE_SMS_SEGMENT_BUDGET", "5")
    assert load_settings(sms_segment_budget=1).sms_segment_budget == 1


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:pw@db:5432/helpline", "postgresql+psycopg://u:pw@db:5432/helpline"),
        ("postgresql://u@db/helpline", "postgresql+psycopg://u@db/helpline"),
        ("postgresql+psycopg://u@db/helpline", "postgresql+psycopg://u@db/helpline"),
        ("sqlite:////var/lib/helpline.db", "sqlite:////var/lib/helpline.db"),
    ],
)
def test_postgres_urls_use_psycopg(given: str, expected: str) -> None:
    assert load_settings(database_url=given).database_url == expected


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("HELPLINE_SMS_SEGMENT_BUDGET", "11", "HELPLINE_SMS_SEGMENT_BUDGET: Input should be less than or equal to 10"),
        ("HELPLINE_SMS_SEGMENT_BUDGET", "0", "HELPLINE_SMS_SEGMENT_BUDGET: Input should be greater than or equal to 1"),
        ("HELPLINE_SMS_SEGMENT_BUDGET", "two", "HELPLINE_SMS_SEGMENT_BUDGET: Input should be a valid integer"),
        ("HELPLINE_DEFAULT_LANGUAGE", "fr", "HELPLINE_DEFAULT_LANGUAGE: Input should be 'en', 'ur' or 'ur-Latn'"),
        ("HELPLINE_LOG_LEVEL", "LOUD", "HELPLINE_LOG_LEVEL:"),
    ],
)
def test_invalid_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, variable, value, message) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert message in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_secrets_and_database_password_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPLINE_DATABASE_URL", "postgres://helpline:pg-s3cret@db:5432/helpline")
    monkeypatch.setenv("HELPLINE_TWILIO_AUTH_TOKEN", "tw-s3cret")
    monkeypatch.setenv("HELPLINE_TELEGRAM_TOKEN", "tg-s3cret")
    monkeypatch.setenv("HELPLINE_TELEGRAM_SECRET", "hook-s3cret")
    settings = load_settings()
    for text in (repr(settings), str(settings), f"{settings}", settings.database_url_masked):
        assert "s3cret" not in text
    assert "postgresql+psycopg://helpline:***@db:5432/helpline" in repr(settings)
    assert settings.database_url == "postgresql+psycopg://helpline:pg-s3cret@db:5432/helpline"


def test_config_error_does_not_echo_the_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPLINE_SMS_SEGMENT_BUDGET", "s3cret")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "s3cret" not in str(caught.value)


def test_require_names_missing_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPLINE_TWILIO_ACCOUNT_SID", "AC123")
    monkeypatch.setenv("HELPLINE_TWILIO_AUTH_TOKEN", "")  # empty counts as missing
    settings = load_settings()
    settings.require("twilio_account_sid", purpose="Twilio SMS")
    with pytest.raises(ConfigError, match=r"^HELPLINE_TWILIO_AUTH_TOKEN is required for Twilio SMS$"):
        settings.require("twilio_account_sid", "twilio_auth_token", purpose="Twilio SMS")
    with pytest.raises(ConfigError, match="HELPLINE_TWILIO_AUTH_TOKEN, HELPLINE_TWILIO_FROM are required"):
        settings.require("twilio_auth_token", "twilio_from", purpose="Twilio SMS")


def test_require_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="unknown setting"):
        load_settings().require("twilio_password")
