"""Status settings the lookups and the import need: the verification pepper and the throttle limits.

Read from :class:`~helpline.settings.Settings` on first use (or set with :func:`configure` by the CLI and tests),
so nothing is read at import. The default pepper only exists so a developer can try the feature; a warning is
logged whenever it is used.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from helpline.settings import DEV_PEPPER

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StatusConfig:
    """The pepper (never shown in repr) and the throttle: ``max_failures`` per ``window``."""

    pepper: bytes = field(repr=False)
    max_failures: int = 5
    window: timedelta = timedelta(hours=1)

    @property
    def is_dev_pepper(self) -> bool:
        """True while the development default pepper is in use."""
        return self.pepper == DEV_PEPPER.encode()


_current: StatusConfig | None = None


def from_settings(settings) -> StatusConfig:  # settings: helpline.settings.Settings
    """Build the status configuration from the helpline settings."""
    return StatusConfig(pepper=settings.pepper.get_secret_value().encode("utf-8"),
                        max_failures=settings.status_max_failures,
                        window=timedelta(minutes=settings.status_failure_window_minutes))


def configure(config: StatusConfig) -> StatusConfig:
    """Use ``config`` from now on (the CLI passes the settings it loaded; tests pass their own)."""
    global _current
    _current = config
    if config.is_dev_pepper:
        log.warning("HELPLINE_PEPPER is not set: using the development pepper; never do this in production")
    return config


def current() -> StatusConfig:
    """The configuration in use, read from the settings the first time it is needed."""
    if _current is None:
        from helpline.settings import load_settings

        return configure(from_settings(load_settings()))
    return _current
