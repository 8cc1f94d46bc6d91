"""The helpline's error hierarchy, and the rule for when to raise.

::

    HelplineError                 anything this package raises on purpose
    ├── ConfigError               a setting is missing or invalid (names the HELPLINE_* variable); raised at start-up
    ├── KnowledgeBaseError        the knowledge base under locales/ is inconsistent (``helpline kb check`` lists all)
    ├── InboundRejected           a channel refused a request (bad signature, malformed form); carries an HTTP status
    │   └── MalformedUpdate       (``bot.parse``) the body is JSON but not a Telegram update; always a 400
    ├── SendFailed                a provider refused or failed to deliver; ``retryable`` says whether to try again
    ├── InvalidInput              a value given to a domain function is not acceptable (an unknown status, a bad
    │                             user name, a naive datetime, an address of another channel, a packaged data file
    │                             such as taxonomy.toml that breaks its own rules); the message says what and why.
    │                             Also a ValueError, so ``except ValueError`` callers keep working (validators
    │                             in settings.py raise a plain ValueError: pydantic requires it)
    └── UnhandledEvent            the wiring gives an engine event or ask nobody to handle it (a bug in the wiring)

The rule: the engine never raises for anything a worker can type; flow problems become events and a polite
reply. Channels raise :class:`InboundRejected` for requests that must not reach the engine, and the web layer
turns it into a 4xx with the reason. Everything else that escapes is a bug.
"""

from __future__ import annotations


class HelplineError(Exception):
    """Base class of every error the helpline raises on purpose."""


class ConfigError(HelplineError):
    """A setting is missing or invalid; the message names the environment variable."""


class KnowledgeBaseError(HelplineError):
    """The knowledge base is inconsistent; ``problems`` lists every finding."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} knowledge-base problem(s):\n" + "\n".join(problems))


class InboundRejected(HelplineError):
    """A channel refused an inbound request; ``status`` is the HTTP status to answer with."""

    def __init__(self, reason: str, status: int = 400):
        self.reason = reason
        self.status = status
        super().__init__(reason)


class SendFailed(HelplineError):
    """A provider did not take a message; ``retryable`` says whether a later attempt may succeed."""

    def __init__(self, reason: str, *, retryable: bool, code: str | None = None):
        self.reason = reason
        self.retryable = retryable
        self.code = code
        super().__init__(reason)


class InvalidInput(HelplineError, ValueError):
    """A value given to a domain function is not acceptable; the message says which and why.

    Also a ``ValueError``, so callers that validate with ``except ValueError`` keep working.
    """


class UnhandledEvent(HelplineError):
    """An engine event or ask has no handler in :mod:`helpline.wiring` (an error under ``Core.strict``)."""
