"""Status settings the lookups and the import need: the verification pepper and the throttle limits.

Built from :class:`~helpline.settings.Settings` by :mod:`helpline.wiring` (the core's ``"status.config"``) and
by the import command; nothing here is global. The default pepper only exists so a developer can try the feature; a warning is
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


def from_settings(settings) -> StatusConfig:  # settings: helpline.settings.Settings
    """Build the status configuration from the helpline settings."""
    return StatusConfig(pepper=settings.pepper.get_secret_value().encode("utf-8"),
                        max_failures=settings.status_max_failures,
                        window=timedelta(minutes=settings.status_failure_window_minutes))


def warn_if_dev_pepper(config: StatusConfig) -> StatusConfig:
    """Log a warning while the development pepper is in use; returns ``config``."""
    if config.is_dev_pepper:
        log.warning("HELPLINE_PEPPER is not set: using the development pepper; never do this in production")
    return config
