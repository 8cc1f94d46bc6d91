"""Voice notes, photos and documents workers send (issue 18): fetched from the provider by the worker loop with
the account's credentials, size-limited and type-checked, kept in the database, linked to the complaint being
filed, and served to signed-in staff only (``/staff/media/<id>``). See :mod:`helpline.media.store`."""

from __future__ import annotations

from helpline.media.models import MediaBlob, MediaFile
from helpline.media.store import (Fetched, FetchFailed, Fetcher, FetchStats, enqueue, fetch_due, for_attachments,
                                  for_messages, forget, media_chore, sent_since)
from helpline.media.types import MediaPolicy, MediaRefused, is_voice

__all__ = ["Fetched", "FetchFailed", "Fetcher", "FetchStats", "MediaBlob", "MediaFile", "MediaPolicy",
           "MediaRefused", "enqueue", "fetch_due", "for_attachments", "for_messages", "forget", "is_voice",
           "media_chore", "sent_since"]
