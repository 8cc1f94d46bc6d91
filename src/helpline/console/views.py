"""The staff console blueprint under ``/staff``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/staff")
