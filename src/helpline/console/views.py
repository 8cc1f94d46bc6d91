"""The staff console blueprint under ``/staff``; each concern's views register on :data:`bp`.

auth (sign-in/out), queue (complaints list), case (one complaint and its actions), handoff (people asking for a
person, conversations held by staff), overview (charts), knowledge (unanswered questions, FAQ browser), export
(CSV), admin (users, audit log). Every route needs a signed-in user (see :func:`security.guard`).
"""

from __future__ import annotations

from flask import Blueprint

from helpline.console import security
from helpline.console.web import register_filters

bp = Blueprint("console", __name__, url_prefix="/staff", template_folder="templates", static_folder="static",
               static_url_path="/static")
bp.record_once(lambda state: security.init_app(state.app))
bp.before_request(security.guard)
bp.after_app_request(security.secure_headers)  # every response under /staff, errors and unknown paths included
register_filters(bp)

from helpline.console import admin, auth, case, export, handoff, knowledge, overview, queue  # noqa: E402,F401
from helpline.console import casework, replies, unread, words  # noqa: E402,F401
from helpline.console import media as _media  # noqa: E402,F401  (voice notes and photos, issue 18)
from helpline.console import oep as _oep  # noqa: E402,F401  (the OEP registry, issue 17)
from helpline.console import whatsapp as _whatsapp  # noqa: E402,F401  (the 24-hour window, issue 18)
