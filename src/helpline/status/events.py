"""What the status lookup flow emits; :mod:`helpline.status.turns` writes them (the engine itself stays pure)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StatusChecked:
    """The worker answered the verification question; ``outcome`` is found, no_match, throttled or unreadable.

    The handler withholds the answer from the message log, and records a failure for ``no_match``.
    """

    number: str
    outcome: str

    def __repr__(self) -> str:  # the number stays out of logs
        return f"StatusChecked(outcome={self.outcome!r})"


@dataclass(frozen=True)
class StatusWatchRequested:
    """After a successful lookup, the worker asked to be told when these records change."""

    record_ids: tuple[int, ...]
    lang: str
