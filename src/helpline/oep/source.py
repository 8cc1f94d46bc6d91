"""The upstream seam: where an agent's licence comes from. Today the registry staff import; later, perhaps the
Bureau's own service.

The dialog never sees this module: it asks :class:`~helpline.engine.events.OepLookup`, answered by
:func:`helpline.oep.turns.lookup`, which asks an :class:`OepSource`. A deployment with an upstream service
writes one class with ``by_licence`` and ``search`` and puts a factory for it in the core's config as
``"oep.source"`` (``(session, config) -> OepSource``); nothing in the dialog changes.

:class:`RegistrySource` keeps the registry in memory as an :class:`Index` (names' cores and skeletons, per city),
built once per import: each lookup costs one small query (the latest import's id) and a rapidfuzz search.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Protocol

from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpline.oep.models import Oep, OepImport
from helpline.oep.names import Query, city_key, is_canonical, licence_digits, name_core, name_skeleton

# Scores are rapidfuzz's 0-100.
CUTOFF = 72  # below this a name is not a candidate
SURE = 90  # at or above this, alone (the next one SURE_GAP lower), the name is the one the worker meant
SURE_GAP = 6
NEAR = 12  # candidates within this of the best are offered
MAX_SCORED = 1500  # names sharing a word with the query, scored in full
MAX_CANDIDATES = 4  # an SMS menu of four names, the question and "none of these" fits one page


@dataclass(frozen=True)
class OepView:
    """What a worker may be told about one licence (plain JSON-able values; dates as ISO strings)."""

    oep_id: int | None
    licence_no: str
    name: str
    city: str
    status: str  # valid | suspended | cancelled | expired (a valid licence past its valid_until reads expired)
    list_date: str
    valid_until: str | None = None
    address: str | None = None
    phone: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """For the conversation state."""
        return asdict(self)


@dataclass(frozen=True)
class Hit:
    """A candidate and how close its name is to what the worker wrote."""

    view: OepView
    score: float


class OepSource(Protocol):
    """Finds licences by number or by name."""

    def available(self) -> bool:
        """Whether there is a list to check against at all."""
        ...

    def by_licence(self, licence: str) -> list[OepView]:
        """The licences with this canonical number (``1234/RWP``; ``1234`` alone: that number in every city)."""
        ...

    def search(self, name: str, city: str | None) -> list[Hit]:
        """Names close to a name's core, best first, narrowed to the city (a city id) when it has any."""
        ...

    def list_date(self) -> str | None:
        """The date of the newest list (ISO), shown when nothing is found."""
        ...


def effective_status(status: str, valid_until: date | None, today: date) -> str:
    """The status a worker is told: a "valid" licence whose validity date has passed is expired."""
    return "expired" if status == "valid" and valid_until is not None and valid_until < today else status


class Index:
    """The registry in memory: one entry per licence, with its name's core and skeleton, grouped by city."""

    def __init__(self, rows: list[Any], today: date, version: Any = None):
        self.version = version
        self.views = [OepView(r.id, r.licence_no, r.name, r.city, effective_status(r.status, r.valid_until, today),
                              r.list_date.isoformat(), r.valid_until.isoformat() if r.valid_until else None,
                              r.address, r.phone) for r in rows]
        self.cores = [name_core(r.name) for r in rows]
        self.skeletons = [name_skeleton(c) for c in self.cores]
        self.by_word: dict[str, list[int]] = {}  # each word of a core → the licences whose core has it
        for i, core in enumerate(self.cores):
            for word in set(core.split()):
                self.by_word.setdefault(word, []).append(i)
        self.words = list(self.by_word)
        self.by_licence: dict[str, list[int]] = {}
        self.by_city: dict[str, list[int]] = {}
        for i, r in enumerate(rows):
            self.by_licence.setdefault(r.licence_no, []).append(i)
            self.by_licence.setdefault(licence_digits(r.licence_no), []).append(i)
            self.by_city.setdefault(city_key(r.city), []).append(i)
        self.today = today
        self.newest = max((v.list_date for v in self.views), default=None)

    def __len__(self) -> int:
        return len(self.views)

    def licence(self, licence: str) -> list[OepView]:
        """The licences with this canonical number (``1234`` alone: that number in every city)."""
        return [self.views[i] for i in self.by_licence.get(licence, [])] if is_canonical(licence) else []

    def search(self, name: str, city: str | None = None, limit: int = 8) -> list[Hit]:
        """Best names first, in the city when the worker named one that has agencies (elsewhere only as choices:
        a name found in another city is never taken as the one meant)."""
        if not name or not self.views:
            return []
        pool = self.by_city.get(city) if city else None
        if pool:
            hits = self._search(name, pool, limit)
            if hits:
                return hits
        hits = self._search(name, None, limit)
        return [Hit(h.view, min(h.score, SURE - 1)) for h in hits] if pool or city else hits

    def _search(self, name: str, pool: list[int] | None, limit: int) -> list[Hit]:
        """rapidfuzz ``token_set_ratio`` on the names' cores (typos, extra or missing words), and ``ratio`` on
        their consonant skeletons (Urdu script; Roman Urdu vowels). A skeleton is a looser likeness: from Latin
        letters, or when short, it can offer a name but never settle on one.

        Only names sharing a word like one of the query's are scored: each query word is compared with the
        list's vocabulary (a few thousand words) first, so a lookup never scores all 5,000 names in full."""
        allowed = set(pool) if pool else None
        scores: dict[int, float] = {}
        latin = name.isascii()
        words = [w for w in name.split() if w.isascii()]
        if words:
            near: set[int] = set()
            known: list[str] = []  # query words like a word of some name; the others ("recruting", "wala") are noise
            per_word: list[dict[int, float]] = []  # for each known query word: name → its closest word's score
            for word in [w for w in words if len(w) > 2][:6] or words[:6]:
                similar = process.extract(word, self.words, scorer=fuzz.ratio, limit=12, score_cutoff=CUTOFF - 7)
                if similar:
                    known.append(word)
                    per_word.append({})
                for match, score, _ in similar:
                    near.update(self.by_word[match])
                    for i in self.by_word[match]:
                        per_word[-1][i] = max(per_word[-1].get(i, 0.0), score)
            ids = sorted(near if allowed is None else near & allowed)[:MAX_SCORED]
            cap = 100 if latin else SURE - 2  # half the name in Urdu script: offered, never settled on
            if ids:
                found = process.extract(" ".join(known), [self.cores[i] for i in ids], scorer=fuzz.token_set_ratio,
                                        limit=limit, score_cutoff=CUTOFF)
                scores.update((ids[at], min(score, cap)) for _, score, at in found)
                # Each word typed like a word of the name ("Vamtumqil" for "Vaomtumqil Moshraox"): part of a
                # name with a slip, which token_set_ratio scores low
                for i in ids:
                    words_score = sum(best.get(i, 0.0) for best in per_word) / len(per_word)
                    if words_score >= CUTOFF:
                        scores[i] = max(scores.get(i, 0.0), min(words_score, cap))
        skel = name_skeleton(name)
        if len(skel) >= 3:
            cap = SURE - 2 if latin or len(skel) < 5 else 100
            skels = [self.skeletons[i] for i in pool] if pool else self.skeletons
            for _, score, at in process.extract(skel, skels, scorer=fuzz.ratio, limit=limit,
                                                score_cutoff=85 if latin else CUTOFF):
                i = pool[at] if pool else at
                scores[i] = max(scores.get(i, 0.0), min(score, cap))
        best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [Hit(self.views[i], score) for i, score in best]


def decide(hits: list[Hit]) -> tuple[str, list[Hit]]:
    """``("found", [hit])`` when one name is clearly meant, ``("candidates", hits)`` for a short list to choose
    from, ``("none", [])`` when nothing is close."""
    if not hits:
        return "none", []
    top = hits[0].score
    if top >= SURE and (len(hits) == 1 or hits[1].score <= top - SURE_GAP):
        return "found", hits[:1]
    near = [h for h in hits if h.score >= top - NEAR][:MAX_CANDIDATES]
    return "candidates", near


class IndexCache:
    """The process's :class:`Index`, rebuilt when a newer import is committed (or the day changes: validity)."""

    def __init__(self) -> None:
        self._index: Index | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"IndexCache(size={len(self._index) if self._index else 0})"

    def get(self, session: Session, today: date) -> Index:
        """The index for the registry as this session sees it."""
        version = (session.scalar(select(func.max(OepImport.id))), today)
        index = self._index
        if index is not None and index.version == version:
            return index
        with self._lock:
            if self._index is None or self._index.version != version:
                rows = session.execute(select(Oep.id, Oep.licence_no, Oep.name, Oep.city, Oep.status,
                                              Oep.valid_until, Oep.list_date, Oep.address, Oep.phone)
                                       .order_by(Oep.id)).all()
                self._index = Index(rows, today, version)
            return self._index


class IndexSource:
    """:class:`OepSource` over an :class:`Index` in memory."""

    def __init__(self, index: Index):
        self.index = index

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={len(self.index)})"

    def available(self) -> bool:
        return len(self.index) > 0

    def by_licence(self, licence: str) -> list[OepView]:
        return self.index.licence(licence)

    def search(self, name: str, city: str | None) -> list[Hit]:
        return self.index.search(name, city)

    def list_date(self) -> str | None:
        return self.index.newest


class RegistrySource(IndexSource):
    """:class:`OepSource` over the ``oeps`` table, through the process's :class:`IndexCache` (read-only)."""

    def __init__(self, session: Session, cache: IndexCache, today: date):
        super().__init__(cache.get(session, today))


def lookup(source: OepSource, query: Query) -> tuple[str, list[OepView]]:
    """The answer to one query: ``found`` (one view), ``candidates`` (a short list), ``none`` or ``unavailable``."""
    if not source.available():
        return "unavailable", []
    if query.licence:
        views = source.by_licence(query.licence)
        if len(views) == 1:
            return "found", views
        if not views and "/" in query.licence:  # the city code mistyped? the same number elsewhere, to choose from
            views = source.by_licence(licence_digits(query.licence))
        return ("candidates", views[:MAX_CANDIDATES]) if views else ("none", [])
    result, hits = decide(source.search(query.name, query.city))
    return result, [h.view for h in hits]
