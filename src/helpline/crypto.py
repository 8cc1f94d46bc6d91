"""Encryption at rest (issue 16, item 6): identity numbers in complaints and the personal parts of the conversation
state are Fernet tokens (``cryptography``: AES-128-CBC with HMAC-SHA256, authenticated), never plain text.

Keys: ``HELPLINE_DATA_KEYS``, one or more Fernet keys separated by commas, the newest first. Everything is
written with the first key and read with any of them (:class:`cryptography.fernet.MultiFernet`), so a key is
rotated by putting a new key first, running ``helpline privacy rotate-keys`` (every row re-encrypted with the new
key) and then dropping the old key from the list. ``helpline privacy new-key`` prints a fresh key.

Without ``HELPLINE_DATA_KEYS`` (the embedded default, ``make run``) the key lives in a file made once with mode
0600: ``HELPLINE_DATA_KEY_FILE`` if set, else beside the SQLite database (``helpline.db.datakey``), else
``helpline-data.key`` in the working directory; a warning says production must set the keys. An in-memory
database gets a key for the life of the process.

The blind index of a CNIC (for the console's "last digits" search) is keyed with a key derived from
``HELPLINE_PEPPER``, so it survives a rotation of the data keys.

The keyring is one per process: :func:`configure` (at start-up, from the settings), :func:`keyring` (lazily
configured from the environment when nothing called :func:`configure`), :func:`pin` (tests: a fixed keyring that
later :func:`configure` calls keep). Keys never appear in logs or reprs.
"""

from __future__ import annotations

import copy
import hmac
import json
import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import JSON, Text, TypeDecorator
from sqlalchemy.engine import make_url

from helpline.errors import ConfigError

log = logging.getLogger(__name__)

PREFIX = "enc:"  # every stored token starts with it: a plain value left from before is told apart (and re-encrypted)
SEALED = "sealed"  # the conversation state keeps its personal parts under this key, as one token
SEALED_PARTS = ("complaint_draft", "data", "history")  # the draft, a flow's own data (its questions), BACK's copies
INDEX_BYTES = 5  # 40 bits of each blind-index HMAC: ample for a search that staff read through anyway
CNIC_SUFFIXES = range(3, 14)  # the console searches by the last 3 … 13 digits of a CNIC


class Keyring:
    """The data keys (newest first) and the blind-index key. ``repr`` names how many keys, never one."""

    def __init__(self, keys: Sequence[bytes | str], index_key: bytes, source: str = "settings") -> None:
        if not keys:
            raise ConfigError("HELPLINE_DATA_KEYS: no key given")
        try:
            self._fernets = [Fernet(k) for k in keys]
        except (ValueError, TypeError):
            raise ConfigError("HELPLINE_DATA_KEYS: each key must be 32 url-safe base64-encoded bytes "
                              "(make one with `helpline privacy new-key`)") from None
        self._multi = MultiFernet(self._fernets)
        self._index_key = index_key
        self.source = source

    def __repr__(self) -> str:
        return f"Keyring(keys={len(self._fernets)}, source={self.source!r})"

    @property
    def size(self) -> int:
        """How many keys can read (the first one writes)."""
        return len(self._fernets)

    def encrypt(self, value: str) -> str:
        """``value`` as a token (``enc:`` and Fernet's url-safe base64) under the newest key."""
        return PREFIX + self._multi.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        """The plain value of a stored token; a value without the ``enc:`` prefix is returned as it is (a row from
        before encryption, until ``helpline privacy encrypt-existing`` or the migration turned it into a token).
        A token no key opens raises :class:`InvalidToken`."""
        if not stored.startswith(PREFIX):
            return stored
        return self._multi.decrypt(stored[len(PREFIX):].encode("ascii")).decode("utf-8")

    def rotate(self, stored: str) -> str:
        """The token re-encrypted under the newest key (a plain value is encrypted)."""
        if not stored.startswith(PREFIX):
            return self.encrypt(stored)
        return PREFIX + self._multi.rotate(stored[len(PREFIX):].encode("ascii")).decode("ascii")

    def index(self, purpose: str, value: str) -> str:
        """A short keyed hash (hex) of ``value`` for equality search without the value."""
        return hmac.digest(self._index_key, f"{purpose}\x1f{value}".encode(), "sha256")[:INDEX_BYTES].hex()


def cnic_index(cnic: str | None) -> str | None:
    """The blind index of a CNIC: a keyed hash of each of its last 3 … 13 digits, space-separated and padded with
    spaces, so "ends with these digits" is a substring test on hashes (:func:`cnic_search_term`)."""
    digits = "".join(ch for ch in (cnic or "") if ch.isdigit())
    if len(digits) < min(CNIC_SUFFIXES):
        return None
    ring = keyring()
    hashes = [ring.index("cnic", digits[-n:]) for n in CNIC_SUFFIXES if n <= len(digits)]
    return f" {' '.join(hashes)} "


def cnic_search_term(digits: str) -> str | None:
    """What :func:`cnic_index` holds for a CNIC ending in ``digits`` (3 … 13 digits), else None."""
    if not digits.isdigit() or len(digits) not in CNIC_SUFFIXES:
        return None
    return f" {keyring().index('cnic', digits)} "


# -- the process's keyring ---------------------------------------------------------------------------------

_lock = threading.Lock()
_current: Keyring | None = None
_pinned = False


def generate_key() -> str:
    """A fresh Fernet key (url-safe base64 text)."""
    return Fernet.generate_key().decode("ascii")


def index_key_from(pepper: str) -> bytes:
    """The blind-index key, derived from the pepper (not the pepper itself)."""
    return hmac.digest(pepper.encode("utf-8"), b"helpline blind index v1", "sha256")


def keyring_from(settings: Any) -> Keyring:
    """The keyring the settings describe (see the module's doc for the key file fallback)."""
    index_key = index_key_from(settings.pepper.get_secret_value())
    if settings.data_keys is not None and settings.data_keys.get_secret_value().strip():
        keys = [k.strip() for k in settings.data_keys.get_secret_value().split(",") if k.strip()]
        return Keyring(keys, index_key, "settings")
    path = settings.data_key_file
    if path is None:
        url = make_url(settings.database_url)
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            log.warning("HELPLINE_DATA_KEYS is not set and the database is in memory: a key for this process only")
            return Keyring([generate_key()], index_key, "process")
        if url.get_backend_name() == "sqlite":
            path = Path(url.database).with_name(Path(url.database).name + ".datakey")
        else:
            path = Path("helpline-data.key")
    log.warning("HELPLINE_DATA_KEYS is not set: identity numbers are encrypted with the key in the file %s; "
                "production must set HELPLINE_DATA_KEYS (and keep the key safe: without it they cannot be read)",
                Path(path).name)
    return Keyring([key_file(Path(path), generate_key)], index_key, "file")


def key_file(path: Path, make: Callable[[], str]) -> str:
    """Read the key in ``path``, creating it with ``make()`` (mode 0600) once; safe when several processes race.
    (The console's session key file too.)"""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text("ascii").strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(make())
    return path.read_text("ascii").strip()


def configure(settings: Any) -> Keyring:
    """Use the keyring the settings describe from now on (unless a test pinned one); return the one in use."""
    global _current
    with _lock:
        if _pinned and _current is not None:
            return _current
        _current = keyring_from(settings)
        return _current


def pin(ring: Keyring | None) -> None:
    """Use ``ring`` and keep it through later :func:`configure` calls (tests); None unpins."""
    global _current, _pinned
    with _lock:
        _current, _pinned = ring, ring is not None


def keyring() -> Keyring:
    """The keyring in use, configured from the environment's settings on first use."""
    if _current is None:
        from helpline.settings import load_settings

        configure(load_settings())
    assert _current is not None
    return _current


# -- column types ------------------------------------------------------------------------------------------


class EncryptedText(TypeDecorator[str]):
    """A string stored as a Fernet token (TEXT): what a query binds is encrypted, what it reads decrypted.

    Equality in SQL cannot work on it (each token is different): search through a blind index instead."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return keyring().encrypt(str(value))

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        try:
            return keyring().decrypt(value)
        except InvalidToken:
            log.error("a stored identity number cannot be decrypted with HELPLINE_DATA_KEYS (a key was dropped "
                      "too early?); shown as unreadable")
            return UNREADABLE


UNREADABLE = "[unreadable: key missing]"


def seal_state(state: dict[str, Any] | None) -> dict[str, Any] | None:
    """The conversation state as stored: its personal parts (:data:`SEALED_PARTS`) in one token under ``sealed``,
    the rest (language, flow, step, menu, turn count) as it is."""
    if not state:
        return state
    parts = {k: state[k] for k in SEALED_PARTS if k in state}
    if not parts:
        return state
    stored = {k: v for k, v in state.items() if k not in SEALED_PARTS}
    stored[SEALED] = keyring().encrypt(json.dumps(parts, ensure_ascii=False, separators=(",", ":")))
    return stored


def open_state(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    """The state as the engine knows it (the inverse of :func:`seal_state`). A token no key opens loses the
    sealed parts (an unfinished draft) rather than the conversation."""
    if not stored or SEALED not in stored:
        return stored
    state = {k: v for k, v in stored.items() if k != SEALED}
    try:
        parts = json.loads(keyring().decrypt(str(stored[SEALED])))
    except (InvalidToken, ValueError):
        log.error("a conversation's sealed state cannot be decrypted with HELPLINE_DATA_KEYS; its draft is dropped")
        return state
    state.update(parts if isinstance(parts, dict) else {})
    return state


class SealedState(TypeDecorator[dict[str, Any]]):
    """The conversation state (JSON) with its personal parts sealed (:func:`seal_state`) on every write and
    opened on every read, through the ORM and Core statements alike."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: dict[str, Any] | None, dialect: Any) -> dict[str, Any] | None:
        return seal_state(copy.copy(value) if value is not None else None)

    def process_result_value(self, value: dict[str, Any] | None, dialect: Any) -> dict[str, Any] | None:
        return open_state(value)


# -- rotation ----------------------------------------------------------------------------------------------


def rotate(session: Any, *, only_plain: bool = False) -> dict[str, int]:
    """Re-encrypt every stored identity number and sealed state with the newest key (``only_plain``: just encrypt
    what is still plain, left from before encryption), in the caller's transaction; the counts of rows changed.
    Reads and writes the raw columns, so a token is never decrypted into a Python object longer than needed."""
    from sqlalchemy import column, select, table, update

    ring = keyring()
    complaints = table("complaints", column("id"), column("worker_cnic", Text), column("worker_passport", Text),
                       column("worker_cnic_index", Text))
    conversations = table("conversations", column("contact_id"), column("state", JSON))
    counts = {"complaints": 0, "conversations": 0}

    def again(value: str | None) -> str | None:
        if not value or (only_plain and value.startswith(PREFIX)):
            return value
        return ring.rotate(value)

    rows = session.execute(select(complaints.c.id, complaints.c.worker_cnic, complaints.c.worker_passport)).all()
    for cid, cnic, passport in rows:
        values: dict[str, Any] = {}
        if again(cnic) != cnic:
            values["worker_cnic"] = again(cnic)
            values["worker_cnic_index"] = cnic_index(ring.decrypt(cnic))
        if again(passport) != passport:
            values["worker_passport"] = again(passport)
        if values:
            session.execute(update(complaints).where(complaints.c.id == cid).values(**values))
            counts["complaints"] += 1
    for contact_id, state in session.execute(select(conversations.c.contact_id, conversations.c.state)).all():
        if not isinstance(state, dict):
            continue
        if SEALED in state and not only_plain:
            stored = {**state, SEALED: ring.rotate(str(state[SEALED]))}
        elif any(k in state for k in SEALED_PARTS):
            stored = seal_state(open_state(state))  # plain parts (and any sealed ones) into one token
        else:
            continue
        session.execute(update(conversations).where(conversations.c.contact_id == contact_id).values(state=stored))
        counts["conversations"] += 1
    return counts
