"""Every setting in one typed object, read from ``HELPLINE_*`` environment variables or a ``.env`` file.

Settings are read when :func:`load_settings` is called (at start-up or in ``create_app``), never at import.
Secrets are :class:`~pydantic.SecretStr` and the database password is masked, so neither ``repr`` nor ``str``
of a :class:`Settings` (and therefore no log line) ever shows them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from helpline.errors import ConfigError

ENV_PREFIX = "HELPLINE_"
REPO_ROOT = Path(__file__).resolve().parents[2]
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

_PG_SCHEMES = re.compile(r"^(postgres|postgresql)://")
_URL_PASSWORD = re.compile(r"^(?P<head>[^:/?#]+://[^:/?#@]*:)(?P<password>[^/?#]*)(?P<tail>@)")
_QUERY_PASSWORD = re.compile(r"(?P<head>[?&]password=)(?P<password>[^&#]*)", re.IGNORECASE)
_CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")  # a Twilio Content API template


def env_name(field: str) -> str:
    """The environment variable that sets ``field``, e.g. ``HELPLINE_SMS_SEGMENT_BUDGET``."""
    return f"{ENV_PREFIX}{field.upper()}"


def mask_url(url: str) -> str:
    """``url`` with any password (in the user part or a ``password=`` query parameter) replaced by ``***``."""
    url = _URL_PASSWORD.sub(r"\g<head>***\g<tail>", url)
    return _QUERY_PASSWORD.sub(r"\g<head>***", url)


DEV_PEPPER = "dev-only-pepper-CHANGE-ME"  # the default of HELPLINE_PEPPER; warned about whenever it is used


class Settings(BaseSettings):
    """The helpline's configuration; build it with :func:`load_settings` to get a :class:`ConfigError` on bad input."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",  # relative to the working directory, read at construction; a missing file is fine
        env_file_encoding="utf-8",
        env_ignore_empty=True,  # HELPLINE_X= counts as unset, so require() treats it as missing
        extra="ignore",
    )

    database_url: str = Field(
        "sqlite:///helpline.db",
        description="SQLAlchemy URL; SQLite file in the working directory by default, or postgresql+psycopg://...",
    )
    locales_dir: Path = Field(REPO_ROOT / "locales", description="Folder holding the knowledge base and messages.")
    deployment_file: Path | None = Field(
        None, description="TOML file whose [values] table fills knowledge-base placeholders (phone numbers, ...)."
    )
    cache_dir: Path | None = Field(
        None, description="Where the trained FAQ model is cached by the content hash of its training data "
                          "(default ~/.cache/helpline); only a speed-up, always rebuilt from locales/ when missing.",
    )
    default_language: Literal["en", "ur", "ur-Latn"] = Field(
        "en", description="Language for contacts who have not chosen one (BCP 47)."
    )
    sms_segment_budget: int = Field(2, ge=1, le=10, description="Most SMS segments one reply may use.")
    log_level: str = Field("INFO", description="Python logging level name.")
    public_url: str | None = Field(None, description="Public base URL of the web app, for webhook signatures.")
    proxy_hops: int = Field(
        0, ge=0, le=5,
        description="Reverse proxies in front of the app whose X-Forwarded-* headers to trust (0: none, e.g. direct).",
    )
    twilio_account_sid: str | None = Field(None, description="Twilio account SID (AC...).")
    twilio_auth_token: SecretStr | None = Field(None, description="Twilio auth token; signs webhooks and REST calls.")
    twilio_from: str | None = Field(None, description="Sender: Twilio phone number (E.164) or messaging service SID.")
    # SMS issue 3: where the REST client sends (tests and sandboxes point it at a local server), and whether
    # Twilio's own opt-out handling (on by default) already answers STOP/START/HELP, so the helpline must not.
    twilio_api_url: str = Field("https://api.twilio.com", description="Twilio REST API root (scheme and host).")
    twilio_handles_opt_out: bool = Field(
        True, description="Twilio answers STOP/START/HELP itself: record consent but send no reply of our own."
    )
    twilio_timeout_seconds: float = Field(15.0, gt=0, le=60, description="Timeout of one Twilio REST request.")
    # WhatsApp through Twilio (issue 18, docs/whatsapp.md): the same account and token; its own sender.
    whatsapp_from: str | None = Field(
        None, pattern=r"^(whatsapp:\+[1-9][0-9]{6,14}|MG[0-9a-fA-F]{32})$",
        description="WhatsApp sender: whatsapp:+<E.164 number> (the sandbox's is whatsapp:+14155238886) or a "
                    "Messaging Service SID (MG…) holding the WhatsApp sender.",
    )
    whatsapp_templates: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description='Approved WhatsApp templates\' Content SIDs as JSON, by purpose and language: {"case_update": '
                    '{"en": "HX…", "ur": "HX…", "ur-Latn": "HX…"}, "status_alert": {…}, "reply_waiting": {…}}.',
    )
    telegram_token: SecretStr | None = Field(None, description="Telegram bot token from @BotFather.")
    telegram_secret: SecretStr | None = Field(
        None, description="Secret Telegram echoes in X-Telegram-Bot-Api-Secret-Token on webhook calls."
    )
    telegram_api_url: str = Field("https://api.telegram.org", description="Telegram Bot API base URL.")
    # Several instances (issue 16, item 7): provider rate limits counted in Redis, shared by every process.
    redis_url: SecretStr | None = Field(
        None, description="redis://[:password@]host:port/db; unset: rate limits are per process. A secret (it may "
                          "hold a password): never logged or shown by /readyz.",
    )
    secret_key: SecretStr | None = Field(
        None, description="Signs staff console sessions and CSRF tokens; unset: a key file beside the database."
    )
    session_minutes: int = Field(
        480, ge=5, le=7 * 24 * 60, description="Staff console idle timeout: a session unused this long ends."
    )
    session_max_hours: int = Field(
        12, ge=1, le=7 * 24, description="Staff console absolute timeout: a session ends this long after sign-in."
    )
    session_cookie_secure: bool | None = Field(
        None, description="Secure flag on console cookies; unset: on when HELPLINE_PUBLIC_URL is https."
    )
    handoff_timeout_minutes: int = Field(
        30, ge=1, le=24 * 60, description="A held conversation goes back to the bot after this long without staff action."
    )
    # Media workers send (issue 18): fetched by the worker loop with the Twilio credentials, then checked.
    media_max_bytes: int = Field(
        16 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024,
        description="Largest voice note, photo or document kept (bytes); larger ones are refused with the reason.",
    )
    media_types: str = Field(
        "audio/ogg,audio/amr,audio/mpeg,audio/mp4,audio/aac,image/jpeg,image/png,image/webp,application/pdf,video/mp4",
        pattern=r"^\s*[a-z]+/[a-z0-9.+-]+\s*(,\s*[a-z]+/[a-z0-9.+-]+\s*)*$",
        description="Content types kept (comma-separated); the file's bytes must match the type.",
    )
    # One secret pepper for every verification hash (status-registry factors, a complaint's CNIC last 4). The
    # default is for development only and is warned about; changing it makes stored hashes stale.
    pepper: SecretStr = Field(
        SecretStr(DEV_PEPPER),
        description="Secret key (HMAC-SHA256) of the hashes of verification factors; set it in production.",
    )
    # Privacy at rest (issue 16, item 6): see helpline.crypto and helpline.retention.
    data_keys: SecretStr | None = Field(
        None, description="Fernet keys (comma-separated, newest first) encrypting identity numbers and drafts at "
                          "rest; unset: a key file (HELPLINE_DATA_KEY_FILE, else beside the SQLite database).",
    )
    data_key_file: Path | None = Field(
        None, description="Where the data key is kept (made once, mode 0600) when HELPLINE_DATA_KEYS is unset.")
    retention_message_days: int = Field(
        180, ge=1, le=3650, description="Message texts (and unanswered questions) older than this are removed by "
                                        "`helpline privacy purge` (the rows and their counts stay).")
    retention_closed_case_days: int = Field(
        365, ge=1, le=3650, description="Complaints closed longer ago than this are anonymised by "
                                        "`helpline privacy purge` (category, country, dates and counts stay).")
    status_max_failures: int = Field(5, ge=1, le=100, description="Failed status lookups allowed per window.")
    status_failure_window_minutes: int = Field(60, ge=1, le=1440, description="Throttle window for status lookups.")
    # Complaints (issue 5): the deploying organisation's promises, told to the worker at filing.
    complaint_referral_days: int = Field(4, ge=1, le=60, description="Days within which a complaint is referred.")
    complaint_resolution_working_days: int = Field(
        20, ge=1, le=250, description="Resolution target in working days (Saturday and Sunday skipped)."
    )
    complaint_urgent_review_hours: int = Field(12, ge=1, le=24, description="Urgent complaints: reviewed within (same day).")
    complaint_reopen_days: int = Field(30, ge=1, le=365, description="Days after 'resolved' in which REOPEN works.")
    complaint_draft_days: int = Field(7, ge=1, le=90, description="Days an unfinished complaint is kept for resuming.")
    complaint_office_hours: str = Field(
        "09:00-17:00", pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$",
        description="Office hours (HH:MM-HH:MM): outside them an urgent complaint is promised review when they open.")
    complaint_office_days: str = Field(
        "0,1,2,3,4", pattern=r"^[0-6](,[0-6])*$", description="Office days (0 = Monday … 6 = Sunday).")
    complaint_office_timezone: str = Field("Asia/Karachi", description="The office's time zone (IANA name).")

    @field_validator("database_url")
    @classmethod
    def _psycopg_driver(cls, value: str) -> str:
        """Rewrite ``postgres://`` and ``postgresql://`` (as hosting platforms hand them out) to psycopg 3."""
        return _PG_SCHEMES.sub("postgresql+psycopg://", value.strip())

    @field_validator("whatsapp_templates")
    @classmethod
    def _content_sids(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        """Purposes map languages (en, ur, ur-Latn) to Content SIDs (HX + 32 hex digits)."""
        for purpose, by_lang in value.items():
            for lang, sid in by_lang.items():
                if lang not in ("en", "ur", "ur-Latn"):
                    raise ValueError(f"{purpose}: unknown language {lang!r} (en, ur or ur-Latn)")
                if not _CONTENT_SID.match(sid):
                    raise ValueError(f"{purpose} [{lang}]: not a Content SID (HX followed by 32 hex digits)")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        """Accept a logging level name in any case; store it upper-case."""
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"should be one of {', '.join(LOG_LEVELS)}")
        return level

    @property
    def database_url_masked(self) -> str:
        """The database URL with its password replaced by ``***``, safe to log."""
        return mask_url(self.database_url)

    def __repr_args__(self) -> Any:
        """Fields for ``repr``/``str``, with the database password masked (secrets mask themselves)."""
        for name, value in super().__repr_args__():
            yield name, self.database_url_masked if name == "database_url" else value

    @property
    def pepper_is_dev(self) -> bool:
        """Whether the verification hashes use the development pepper (never acceptable in production)."""
        return self.pepper.get_secret_value() == DEV_PEPPER

    def require(self, *names: str, purpose: str = "this feature") -> None:
        """Raise :class:`ConfigError` naming every listed optional setting that is unset or empty."""
        missing = []
        for name in names:
            if name not in type(self).model_fields:
                raise ValueError(f"unknown setting {name!r}")
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            if value is None or value == "":
                missing.append(env_name(name))
        if missing:
            verb = "is" if len(missing) == 1 else "are"
            raise ConfigError(f"{', '.join(missing)} {verb} required for {purpose}")


def load_settings(**overrides: Any) -> Settings:
    """Read the settings from the environment and ``.env``; keyword overrides win; raise ConfigError if invalid."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        # Name the variable, never echo the input: it may be a secret. ``from None`` keeps the
        # ValidationError (which does echo it) out of tracebacks and logs.
        problems = [f"{_error_variable(err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise ConfigError("; ".join(problems)) from None


def _error_variable(loc: tuple[Any, ...]) -> str:
    """The ``HELPLINE_*`` name for a pydantic error location such as ``('sms_segment_budget',)``."""
    return env_name(str(loc[0])) if loc else "settings"
