"""The media queue: files are noted in the turn that received them, fetched later by the worker loop, kept in
the database, and read back for the staff console.

* :func:`enqueue` — in the turn's transaction (:func:`helpline.pipeline.close_turn`): one ``pending`` row per
  attachment that is a provider media URL (Twilio's ``MediaUrlN``); a Telegram file id is not one. The webhook
  does no network I/O for media and stays fast.
* :func:`fetch_due` — a pass of the worker loop (:func:`media_chore`): claim due rows with a lease (one
  ``UPDATE … RETURNING``; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers take disjoint rows), fetch
  each through its channel's :class:`Fetcher` outside any transaction, check size and type
  (:func:`helpline.media.types.check`), then store the bytes, refuse with the reason, retry later (429, 5xx,
  network: at most :data:`MAX_ATTEMPTS` tries, backing off) or record the failure. Nothing here raises for a bad
  file; a worker that dies mid-fetch leaves a lease that lapses and the row is tried again.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from helpline.media.models import MediaBlob, MediaFile
from helpline.media.types import (BROWSER_PLAYABLE, MediaPolicy, MediaRefused, canonical, check, kind_of,
                                  size_in_words)
from helpline.messages import Attachment

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
LEASE = timedelta(minutes=2)
BATCH = 5  # files a pass fetches
MAX_URL = 500  # media_files.url


@dataclass(frozen=True)
class Fetched:
    """What a provider answered: the bytes (at most the policy's limit) and the type it served them as."""

    data: bytes
    content_type: str | None = None


class FetchFailed(Exception):
    """A fetch did not bring the file; ``retryable`` says whether a later try may (429, 5xx, network)."""

    def __init__(self, reason: str, *, retryable: bool):
        self.reason = reason
        self.retryable = retryable
        super().__init__(reason)


class Fetcher(Protocol):
    """Fetches a provider's media URL with the account's credentials (e.g. ``webhooks.twilio.media``)."""

    channels: tuple[str, ...]

    def fetch(self, url: str, max_bytes: int) -> Fetched:
        """The file's bytes; :class:`~helpline.media.types.MediaRefused` when it is larger than ``max_bytes``
        (or the URL is not the provider's), :class:`FetchFailed` when the provider did not give it."""
        ...


def is_media_url(ref: str) -> bool:
    """A provider media URL (fetched here), as opposed to a provider file id (Telegram's)."""
    return ref.startswith(("https://", "http://")) and len(ref) <= MAX_URL


def enqueue(session: Session, contact_id: int, message_id: int, channel: str, attachments: Sequence[Attachment],
            now: datetime) -> int:
    """Note the message's media URLs for fetching (one INSERT); how many."""
    rows = [{"contact_id": contact_id, "message_id": message_id, "position": n, "channel": channel, "url": a.ref,
             "declared_type": (a.content_type or None) and a.content_type[:100], "status": "pending",
             "attempts": 0, "next_attempt_at": now, "created_at": now}
            for n, a in enumerate(attachments) if is_media_url(a.ref)]
    if rows:
        session.execute(insert(MediaFile), rows)
    return len(rows)


# -- fetching -----------------------------------------------------------------------------------------------


@dataclass
class FetchStats:
    stored: int = 0
    refused: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.stored + self.refused + self.retried + self.failed


def _claimable(now: datetime) -> Any:
    return or_(and_(MediaFile.status == "pending", MediaFile.next_attempt_at <= now),
               and_(MediaFile.status == "fetching", MediaFile.lease_until < now))


def claim(sessions: sessionmaker[Session], worker: str, now: datetime, channels: Iterable[str],
          limit: int = BATCH, lease: timedelta = LEASE) -> list[tuple[int, str, str, str | None, int]]:
    """Lease up to ``limit`` due files of these channels to ``worker``: ``(id, channel, url, declared, attempts)``."""
    channels = tuple(channels)
    if not channels:
        return []
    due = (select(MediaFile.id).where(_claimable(now), MediaFile.channel.in_(channels))
           .order_by(MediaFile.next_attempt_at, MediaFile.id).limit(limit))
    with sessions.begin() as session:
        if session.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        rows = session.execute(
            update(MediaFile).where(MediaFile.id.in_(due), _claimable(now))
            .values(status="fetching", lease_owner=worker, lease_until=now + lease,
                    attempts=MediaFile.attempts + 1)
            .returning(MediaFile.id, MediaFile.channel, MediaFile.url, MediaFile.declared_type, MediaFile.attempts)
            .execution_options(synchronize_session=False)).all()
    return sorted((tuple(r) for r in rows), key=lambda r: r[0])  # type: ignore[misc]


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` tries."""
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def fetch_due(sessions: sessionmaker[Session], fetchers: Mapping[str, Fetcher], policy: MediaPolicy,
              now: datetime, *, worker: str = "worker", limit: int = BATCH,
              clock: Callable[[], datetime] | None = None) -> FetchStats:
    """One pass: fetch, check and store (or refuse, retry, fail) up to ``limit`` due files."""
    stats = FetchStats()
    for media_id, channel, url, declared, attempts in claim(sessions, worker, now, fetchers, limit):
        fetcher = fetchers[channel]
        try:
            got = fetcher.fetch(url, policy.max_bytes)
            content_type = check(got.data, declared or got.content_type, policy)
        except MediaRefused as exc:
            _finish(sessions, media_id, worker, status="refused", error=exc.reason, now=now)
            log.info("media %s refused: %s", media_id, exc.reason)
            stats.refused += 1
            continue
        except FetchFailed as exc:
            if exc.retryable and attempts < MAX_ATTEMPTS:
                _finish(sessions, media_id, worker, status="pending", error=exc.reason, now=now,
                        next_attempt_at=(clock() if clock else now) + backoff(attempts))
                stats.retried += 1
            else:
                reason = exc.reason if not exc.retryable else f"gave up after {attempts} attempts: {exc.reason}"
                _finish(sessions, media_id, worker, status="failed", error=reason, now=now)
                stats.failed += 1
            log.info("media %s not fetched (attempt %s): %s", media_id, attempts, exc.reason)
            continue
        except Exception as exc:  # noqa: BLE001 - a bug in a fetcher must not stop the pass; the lease lapses
            log.exception("media %s: fetcher failed", media_id)
            again = attempts < MAX_ATTEMPTS
            _finish(sessions, media_id, worker, status="pending" if again else "failed",
                    error=f"unexpected {type(exc).__name__}", now=now,
                    next_attempt_at=now + backoff(attempts) if again else None)
            stats.retried += again
            stats.failed += not again
            continue
        if _store(sessions, media_id, worker, got.data, content_type, now):
            stats.stored += 1
    return stats


def _mine(media_id: int, worker: str) -> Any:
    return and_(MediaFile.id == media_id, MediaFile.status == "fetching", MediaFile.lease_owner == worker)


def _finish(sessions: sessionmaker[Session], media_id: int, worker: str, *, status: str, error: str | None,
            now: datetime, next_attempt_at: datetime | None = None) -> None:
    values: dict[str, Any] = {"status": status, "error": (error or None) and error[:200], "lease_owner": None,
                              "lease_until": None}
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    with sessions.begin() as session:
        session.execute(update(MediaFile).where(_mine(media_id, worker)).values(**values)
                        .execution_options(synchronize_session=False))


def _store(sessions: sessionmaker[Session], media_id: int, worker: str, data: bytes, content_type: str,
           now: datetime) -> bool:
    """Keep the bytes and mark the file stored, in one transaction, if the lease is still ours."""
    with sessions.begin() as session:
        done = session.execute(
            update(MediaFile).where(_mine(media_id, worker))
            .values(status="stored", content_type=content_type, kind=kind_of(content_type), size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(), error=None, fetched_at=now, lease_owner=None,
                    lease_until=None)
            .execution_options(synchronize_session=False)).rowcount
        if done:
            session.add(MediaBlob(media_id=media_id, data=data))
    return bool(done)


def media_chore(sessions: sessionmaker[Session], fetchers: Mapping[str, Fetcher], policy: MediaPolicy,
                *, worker: str = "worker") -> Callable[[datetime], None]:
    """A chore for the outbox worker loop: fetch due media in a thread of its own, so a slow provider never
    holds up the delivery of messages (one such thread at a time per process)."""
    running = threading.Lock()

    def drain() -> None:
        from helpline.pipeline import utcnow

        try:
            while fetch_due(sessions, fetchers, policy, utcnow(), worker=worker).total:
                pass
        except Exception:  # noqa: BLE001 - the next chore tries again
            log.exception("media pass failed")
        finally:
            running.release()

    def fetch_media(now: datetime) -> None:
        if not fetchers or not running.acquire(blocking=False):
            return
        threading.Thread(target=drain, name="media-fetch", daemon=True).start()

    return fetch_media


# -- reading, for the console ---------------------------------------------------------------------------------


def describe(row: MediaFile) -> dict[str, Any]:
    """A media file for the templates (no URL: staff get it from the console, never from the provider). Until
    it is fetched, its kind and type are what the provider declared."""
    declared = canonical(row.declared_type)
    return {"id": row.id, "status": row.status, "kind": row.kind or (kind_of(declared) if declared else "file"),
            "content_type": row.content_type or declared or "", "size": size_in_words(row.size),
            "error": row.error, "message_id": row.message_id, "position": row.position,
            "playable": row.content_type in BROWSER_PLAYABLE}


def for_messages(session: Session, message_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """The media of these messages, by message id, in the order they came."""
    ids = sorted(set(message_ids))
    if not ids:
        return {}
    found: dict[int, list[dict[str, Any]]] = {}
    for row in session.scalars(select(MediaFile).where(MediaFile.message_id.in_(ids))
                               .order_by(MediaFile.message_id, MediaFile.position)):
        found.setdefault(row.message_id, []).append(describe(row))
    return found


def sent_since(session: Session, since: Mapping[int, datetime], limit: int = 3) -> dict[int, list[dict[str, Any]]]:
    """The last ``limit`` files each contact sent since a time (``contact id → time``: e.g. since they asked for a
    person), oldest first."""
    if not since:
        return {}
    found: dict[int, list[dict[str, Any]]] = {}
    rows = session.scalars(select(MediaFile).where(MediaFile.contact_id.in_(since), MediaFile.created_at >= min(
        since.values())).order_by(MediaFile.created_at.desc(), MediaFile.id.desc()))
    for row in rows:
        kept = found.setdefault(row.contact_id, [])
        if row.created_at >= since[row.contact_id] and len(kept) < limit:
            kept.insert(0, describe(row))
    return found


def for_attachments(session: Session, pairs: Iterable[tuple[int | None, str]]) -> dict[tuple[int, str], dict[str, Any]]:
    """The media behind complaint attachments, by ``(message id, provider ref)``."""
    wanted = {(m, ref) for m, ref in pairs if m is not None}
    if not wanted:
        return {}
    rows = session.scalars(select(MediaFile).where(MediaFile.message_id.in_({m for m, _ in wanted})))
    return {(r.message_id, r.url): describe(r) for r in rows if (r.message_id, r.url) in wanted}


def forget(session: Session, *, contact_id: int | None = None, before: datetime | None = None,
           message_ids: Any = None) -> int:
    """Delete media with their bytes: a contact's (a deletion request), those received before ``before``, or
    those of ``message_ids`` (ids or a select of them: messages being purged); how many files."""
    conditions = [MediaFile.contact_id == contact_id] if contact_id is not None else []
    conditions += [MediaFile.created_at < before] if before is not None else []
    conditions += [MediaFile.message_id.in_(message_ids)] if message_ids is not None else []
    if not conditions:
        raise ValueError("forget what? give contact_id, before or message_ids")
    ids = select(MediaFile.id).where(*conditions)
    session.execute(delete(MediaBlob).where(MediaBlob.media_id.in_(ids)).execution_options(synchronize_session=False))
    return session.execute(delete(MediaFile).where(*conditions).execution_options(synchronize_session=False)).rowcount or 0


def blob(session: Session, media_id: int) -> tuple[MediaFile, bytes] | None:
    """A stored file and its bytes, or None (not stored, refused, unknown)."""
    row = session.get(MediaFile, media_id)
    if row is None or row.status != "stored":
        return None
    data = session.scalar(select(MediaBlob.data).where(MediaBlob.media_id == media_id))
    return (row, data) if data is not None else None
