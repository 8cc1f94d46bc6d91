"""Masking personal numbers: CNIC, passport and phone numbers, wherever they appear in text.

Used by logging (every record passes :class:`MaskingFilter`) and, later, by the staff console and exports.
Masks keep just enough to tell records apart: ``35202-*******-1``, ``AB*****67``, ``+92*******67``.
"""

from __future__ import annotations

import logging
import re

from helpline.text import ascii_digits

# A CNIC is 13 digits, written 5-7-1 with or without dashes.
_CNIC = re.compile(r"(?<![\d+])(\d{5})[- ]?(\d{7})[- ]?(\d)(?!\d)")
# Pakistani passport numbers: two letters and seven digits (e.g. AB1234567, typed "ab 1234567" or "AB-1234567").
_PASSPORT = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})([ -]?)(\d{5})(\d{2})(?![A-Za-z0-9])")
# Two-letter money prefixes: "Rs 4500000" is an amount, not a passport typed with a space.
_MONEY = frozenset({"rs", "sr", "qr", "kd", "bd", "ro", "pk"})
# A Telegram bot token as it appears in Bot API URLs (https://api.telegram.org/bot123456:ABC.../sendMessage).
_BOT_TOKEN = re.compile(r"(bot)\d{3,}:[A-Za-z0-9_-]{20,}")
# Phone numbers: an optional +, then 9-15 digits, possibly grouped by spaces, dashes or dots.
_PHONE = re.compile(r"(?<![\w+])(\+?)(\d[\d .-]{7,18}\d)(?![\w])")


def _mask_phone(m: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", m.group(2))
    if not 9 <= len(digits) <= 15:
        return m.group(0)
    keep = 2 if m.group(1) or digits.startswith("0") else 0
    head = digits[:keep]
    return f"{m.group(1)}{head}{'*' * (len(digits) - keep - 2)}{digits[-2:]}"


def _mask_passport(m: re.Match[str]) -> str:
    if m.group(2) and m.group(1).lower() in _MONEY:
        return m.group(0)
    return f"{m.group(1).upper()}*****{m.group(4)}"


def mask(text: str) -> str:
    """The text with every CNIC, passport and phone number masked (Urdu digits included)."""
    if not text:
        return text
    text = ascii_digits(text)
    text = _CNIC.sub(lambda m: f"{m.group(1)}-*******-{m.group(3)}", text)
    text = _PASSPORT.sub(_mask_passport, text)
    return _PHONE.sub(_mask_phone, text)


def mask_identity(text: str) -> str:
    """The text with CNIC and passport numbers masked (phone numbers kept: staff call them back). What the message
    log keeps of a worker's words: the complaint that needs the numbers keeps them encrypted."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    masked = _CNIC.sub(lambda m: f"{m.group(1)}-*******-{m.group(3)}", ascii_digits(text))
    masked = _PASSPORT.sub(_mask_passport, masked)
    return text if masked == ascii_digits(text) else masked


def _scrub(text: str) -> str:
    return mask(_BOT_TOKEN.sub(r"\1<token>", text))


_TRACEBACKS = logging.Formatter()


class MaskingFilter(logging.Filter):
    """A logging filter that masks personal numbers in every record's message and arguments, and in its
    traceback and stack: an exception's text (a database error's, say) may quote what a worker typed.

    The traceback is formatted here, masked, and kept as the record's ``exc_text`` (which every formatter
    appends); ``exc_info`` is dropped, so no handler can format the unmasked original again."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Format first: arguments need not be strings (httpx logs its URL objects, which carry the bot token).
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is still logged, masked as far as possible
            message = str(record.msg)
        record.msg, record.args = _scrub(message), None
        if record.exc_info:
            try:
                record.exc_text = _TRACEBACKS.formatException(record.exc_info)
            except Exception:  # noqa: BLE001 - an exception whose text cannot be formatted: name its class only
                record.exc_text = f"{getattr(record.exc_info[0], '__name__', 'exception')} (text not shown)"
            record.exc_info = None
        if record.exc_text:
            record.exc_text = _scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = _scrub(record.stack_info)
        return True


def install_log_masking(logger: logging.Logger | None = None) -> None:
    """Mask personal numbers in everything the given (default: root) logger's handlers write."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())
