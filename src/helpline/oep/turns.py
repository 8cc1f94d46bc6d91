"""The OEP concern's side of a turn: the answer to the check flow's ask, and the OEP a filed complaint names.

:mod:`helpline.wiring` gives :func:`lookup` the :class:`~helpline.engine.events.OepLookup` ask. The index cache is
the core's ``"oep.index"`` (:class:`~helpline.oep.source.IndexCache`, one per process); a deployment may put a
factory ``(session, core) -> OepSource`` in the core's config as ``"oep.source"`` to ask an upstream service
instead of the registry.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from sqlalchemy.orm import Session

from helpline.engine.events import OepLookup
from helpline.oep import names
from helpline.oep.source import IndexCache, OepSource, RegistrySource, decide, lookup as source_lookup
from helpline.pipeline import TurnScope

SourceFactory = Callable[[Session, Any, date], OepSource]
LINK_SCORE = 92  # a complaint's agent name is linked to a registered OEP only when it is this close, and alone


def registry_source(session: Session, core: Any, today: date) -> OepSource:
    """The default :class:`OepSource`: the registry staff import, through the process's index cache."""
    cache: IndexCache = core.config.get("oep.index") or IndexCache()
    return RegistrySource(session, cache, today)


def source(session: Session, core: Any, today: date) -> OepSource:
    """The configured source (``"oep.source"``), else the registry."""
    factory: SourceFactory = core.config.get("oep.source", registry_source)
    return factory(session, core, today)


def lookup(scope: TurnScope, ask: OepLookup) -> tuple[str, tuple[dict[str, Any], ...], str | None]:
    """The licences a number or a name points to: ``(result, views as dicts, the newest list's ISO date)``."""
    src = source(scope.session, scope.core, scope.now.date())
    result, views = source_lookup(src, names.Query(ask.licence, ask.name, ask.city))
    return result, tuple(v.as_dict() for v in views), src.list_date() if result != "unavailable" else None


def oep_for_complaint(session: Session, core: Any, today: date, agent: str | None, story: str = "") -> int | None:
    """The registered OEP a complaint names, if it names exactly one: a licence number in the agent field or the
    story, else the agent's name matched closely (:data:`LINK_SCORE`) with no other name as close."""
    src = source(session, core, today)
    if not src.available():
        return None
    for text in (agent or "", story or ""):
        licence = names.find_licence(text) if text else None
        if licence and "/" in licence and len(found := src.by_licence(licence)) == 1:
            return found[0].oep_id
    if not agent:
        return None
    query = names.read_query(agent)
    if not query.name:
        return None
    result, hits = decide(src.search(query.name, query.city))
    return hits[0].view.oep_id if result == "found" and hits[0].score >= LINK_SCORE else None
