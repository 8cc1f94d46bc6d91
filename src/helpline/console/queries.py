"""The complaint queries behind the queue, the CSV export and the overview: filters, search and ordering."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import Boolean, ColumnElement, Select, and_, false, func, not_, or_, select
from sqlalchemy.ext.compiler import compiles

from helpline.complaints import references
from helpline.complaints.models import OPEN_STATUSES, STATUSES, Complaint
from helpline.console.web import clean
from helpline.crypto import cnic_search_term
from helpline.storage.models import Contact
from helpline.text import ascii_digits

REFERRAL_PHASE = ("new", "reopened")
_NOT_DIGITS = re.compile(r"[\s+\-().]")


@dataclass(frozen=True)
class Filters:
    """What the queue is narrowed to; every field comes from the query string and is validated here."""

    q: str = ""
    status: str = "open"  # "open" | "all" | one of STATUSES
    category: str = ""
    urgent: str = ""  # "" | "yes" | "no"
    body: str = ""
    country: str = ""
    assignee: str = ""  # "" | "none" | a username
    overdue: bool = False
    unread: bool = False  # only those with worker messages this staff member has not seen

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        """Read filters from request args, dropping anything malformed (never an error)."""
        def get(name: str, limit: int = 64) -> str:
            return clean(args.get(name, ""), limit=limit)

        status = get("status") or "open"
        if status not in ("open", "all", *STATUSES):
            status = "open"
        urgent = get("urgent")
        return cls(q=get("q", 100), status=status, category=get("category", 40),
                   urgent=urgent if urgent in ("yes", "no") else "", body=get("body", 40),
                   country=get("country", 2).upper(), assignee=get("assignee"),
                   overdue=get("overdue") in ("1", "yes", "on", "true"),
                   unread=get("unread") in ("1", "yes", "on", "true"))

    def args(self) -> dict[str, Any]:
        """The non-default filters as query-string arguments."""
        return {k: ("1" if v is True else v) for k, v in asdict(self).items() if v not in ("", False) and
                not (k == "status" and v == "open")}


def overdue_clause(now: datetime) -> Any:
    """SQL for :func:`helpline.complaints.service.is_overdue`: open and past the promise that matters now."""
    referral = and_(Complaint.status.in_(REFERRAL_PHASE), Complaint.first_response_at.is_(None))
    return and_(Complaint.status.in_(OPEN_STATUSES),
                or_(and_(referral, Complaint.promised_referral_at < now),
                    and_(not_(referral), Complaint.promised_resolution_at < now)))


def search_clause(q: str) -> Any:
    """Reference (whole or its start, with or without the dash, any case), the last digits of a phone or CNIC, the
    worker's name, the employer, the agent or the registered OEP (in part), or words of the story."""
    text = ascii_digits(q).strip()
    if not text:
        return None
    clauses = []
    reference, _ = references.parse(text)
    if reference:
        clauses.append(Complaint.reference == reference)
    canon = references.canonical(text)
    if 3 <= len(canon) <= references.LENGTH and canon.isalnum() and canon.isascii() and not canon.isdigit():
        clauses.append(Complaint.reference.startswith(canon, autoescape=True))
    digits = _NOT_DIGITS.sub("", text)
    if digits.isdigit() and len(digits) >= 3:
        term = cnic_search_term(digits)  # the CNIC is encrypted: its blind index holds hashes of its last digits
        if term is not None:
            clauses.append(Complaint.worker_cnic_index.contains(term, autoescape=True))
        clauses.append(Contact.address.endswith(digits, autoescape=True))
    if len(text) >= 3 and not digits.isdigit():
        like = f"%{_escape_like(text)}%"
        for column in (Complaint.worker_name, Complaint.employer, Complaint.agent):  # people and parties, in part
            clauses.append(column.ilike(like, escape="\\"))
        from helpline.oep.models import Oep  # the registered OEP a complaint names, by name or licence

        clauses.append(Complaint.oep_id.in_(select(Oep.id).where(or_(Oep.name.ilike(like, escape="\\"),
                                                                      Oep.licence_no.ilike(like, escape="\\")))))
        clauses.append(StoryMatch(text))
    return or_(*clauses) if clauses else false()


class StoryMatch(ColumnElement[bool]):
    """Words of the story: PostgreSQL full-text search (``simple`` configuration, so Roman Urdu and Urdu words are
    kept as typed) or the phrase as a substring; elsewhere (SQLite) every word as a substring, any case."""

    inherit_cache = True
    type = Boolean()

    def __init__(self, text: str) -> None:
        self.text = text


@compiles(StoryMatch, "postgresql")
def _story_pg(element: StoryMatch, compiler: Any, **kw: Any) -> str:
    fts = func.to_tsvector("simple", Complaint.description).bool_op("@@")(
        func.plainto_tsquery("simple", element.text))
    phrase = Complaint.description.ilike(f"%{_escape_like(element.text)}%", escape="\\")
    return compiler.process(or_(fts, phrase), **kw)


@compiles(StoryMatch)
def _story_default(element: StoryMatch, compiler: Any, **kw: Any) -> str:
    words = [w for w in element.text.split() if w] or [element.text]
    return compiler.process(and_(*(Complaint.description.ilike(f"%{_escape_like(w)}%", escape="\\")
                                   for w in words)), **kw)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def complaint_query(filters: Filters, now: datetime, username: str | None = None) -> Select[Any]:
    """Complaints (with their contact, if any) matching ``filters``; urgent first, then oldest. With ``username``,
    a third column says whether the complaint is unread for them, and unread ones come first among equals."""
    query = select(Complaint, Contact).outerjoin(Contact, Contact.id == Complaint.contact_id)
    unread = None
    if username is not None:
        from helpline.console.unread import unread_clause

        unread = unread_clause(username)
        query = query.add_columns(unread.label("unread"))
        if filters.unread:
            query = query.where(unread)
    if filters.status == "open":
        query = query.where(Complaint.status.in_(OPEN_STATUSES))
    elif filters.status != "all":
        query = query.where(Complaint.status == filters.status)
    if filters.category:
        query = query.where(Complaint.category == filters.category)
    if filters.urgent:
        query = query.where(Complaint.urgent.is_(filters.urgent == "yes"))
    if filters.body:
        query = query.where(Complaint.responsible_body == filters.body)
    if filters.country:
        query = query.where(Complaint.country == filters.country)
    if filters.assignee == "none":
        query = query.where(Complaint.assignee.is_(None))
    elif filters.assignee:
        query = query.where(Complaint.assignee == filters.assignee)
    if filters.overdue:
        query = query.where(overdue_clause(now))
    if filters.q:
        clause = search_clause(filters.q)
        if clause is not None:
            query = query.where(clause)
    if unread is not None:
        return query.order_by(Complaint.urgent.desc(), unread.desc(), Complaint.created_at, Complaint.id)
    return query.order_by(Complaint.urgent.desc(), Complaint.created_at, Complaint.id)
