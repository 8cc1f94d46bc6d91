"""Media workers sent (issue 18), served to signed-in staff only: ``/staff/media/<id>``.

The blueprint's guard already refuses anyone not signed in (a redirect to sign-in, never the bytes). The file is
sent as the type it was checked to be (:func:`helpline.media.types.check`), never as the provider declared it,
with ``X-Content-Type-Options: nosniff`` (every console response), a CSP of its own that lets nothing run
(``sandbox``), inline for sound, pictures and video, as a download for documents; ranges are answered, so an
``<audio>`` element can seek. Nothing is cached (``no-store``, as every console page).
"""

from __future__ import annotations

import io

from flask import abort, send_file

from helpline.console.views import bp
from helpline.console.web import rt
from helpline.media import store
from helpline.media.types import EXTENSIONS

MEDIA_CSP = "default-src 'none'; sandbox"


@bp.route("/media/<int:media_id>")
def media(media_id: int):  # type: ignore[no-untyped-def]
    """One stored media file (404 while it is being fetched, or when it was refused)."""
    with rt().sessions() as db:
        found = store.blob(db, media_id)
    if found is None:
        abort(404)
    row, data = found
    content_type = row.content_type or "application/octet-stream"
    response = send_file(io.BytesIO(data), mimetype=content_type, conditional=True, etag=row.sha256 or False,
                         as_attachment=row.kind not in ("audio", "image", "video"), max_age=0,
                         download_name=f"media-{row.id}{EXTENSIONS.get(content_type, '')}", last_modified=None)
    response.headers["Content-Security-Policy"] = MEDIA_CSP
    return response
