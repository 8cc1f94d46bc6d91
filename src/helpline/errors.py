"""The helpline's error hierarchy, and the rule for when to raise.

::

    HelplineError                 anything this package raises on purpose
    ├── ConfigError               a setting is missing or invalid (names the HELPLINE_* variable); raised at start-up
    ├── KnowledgeBaseError        the knowledge base under locales/ is inconsistent (``helpline kb check`` lists all)
    ├── InboundRejected           a channel refused a request (bad signature, malformed form); carries an HTTP status
    │   └── MalformedUpdate       (``bot.parse``) the body is JSON but not a Telegram update; always a 400
    ├── SendFailed                a provider refused or failed to deliver; ``retryable`` says whether to try again
    ├── SendHeld                  the channel may not send this message now (WhatsApp: outside the 24-hour window
    │                             and no approved template fits); the outbox holds it until the worker writes again
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


class SendHeld(HelplineError):
    """The channel may not send this message now, and nothing is wrong with it: WhatsApp outside its 24-hour
    window (Twilio 63016) when no approved template can stand in. The outbox holds the row (``held``, with
    ``reason`` for staff) until the worker writes again. ``notice_sent`` is the template the channel did send in
    its place, if any (a short notice asking the worker to reply), so the conversation log can show it."""

    def __init__(self, reason: str, *, code: str = "window", notice_sent: object | None = None):
        self.reason = reason
        self.code = code
        self.notice_sent = notice_sent
        super().__init__(reason)


class InvalidInput(HelplineError, ValueError):
    """A value given to a domain function is not acceptable; the message says which and why.

    Also a ``ValueError``, so callers that validate with ``except ValueError`` keep working.
    """


class UnhandledEvent(HelplineError):
    """An engine event or ask has no handler in :mod:`helpline.wiring` (an error under ``Core.strict``)."""
