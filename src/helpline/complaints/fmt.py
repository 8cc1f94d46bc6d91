"""Dates as workers read them: Pakistan time, day month year, month names in the worker's language."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

PKT = timezone(timedelta(hours=5), "PKT")  # Pakistan keeps no daylight saving time
_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "ur": ("جنوری", "فروری", "مارچ", "اپریل", "مئی", "جون", "جولائی", "اگست", "ستمبر", "اکتوبر", "نومبر", "دسمبر"),
}


def day(value: datetime | str | None, lang: str) -> str:
    """``29 Nov 2026`` (``29 نومبر 2026`` in Urdu script); empty for None."""
    if value is None:
        return ""
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = at.astimezone(PKT)
    months = _MONTHS["ur"] if lang == "ur" else _MONTHS["en"]
    return f"{local.day} {months[local.month - 1]} {local.year}"
