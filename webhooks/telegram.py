"""Telegram channel webhook: ``POST /webhooks/telegram`` (secret-checked, parsed with PTB's ``Update``)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("telegram", __name__, url_prefix="/webhooks/telegram")
