"""Twilio SMS channel: ``POST /webhooks/twilio/sms`` (inbound) and ``POST /webhooks/twilio/status`` (delivery)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("twilio", __name__, url_prefix="/webhooks/twilio")
