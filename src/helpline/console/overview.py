"""The overview for supervisors: counts by status, category, body and country, new complaints per week, backlog
ageing, time to first response and overdue cases, as server-rendered SVG."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from flask import render_template
from sqlalchemy import func, select

from helpline.complaints.countries import load as load_countries
from helpline.complaints.models import OPEN_STATUSES, STATUSES, Complaint
from helpline.complaints.taxonomy import load as load_taxonomy
from helpline.console import charts, security
from helpline.console.queries import overdue_clause
from helpline.console.views import bp
from helpline.console.web import now, transaction
from helpline.oep.models import Oep

WEEKS = 12
AGE_BUCKETS = ((timedelta(days=2), "< 2 days"), (timedelta(days=4), "2–4 days"), (timedelta(days=7), "4–7 days"),
               (timedelta(days=14), "1–2 weeks"), (timedelta(days=28), "2–4 weeks"), (None, "> 4 weeks"))
RESPONSE_BUCKETS = ((timedelta(hours=1), "< 1 hour"), (timedelta(days=1), "< 1 day"), (timedelta(days=4), "1–4 days"),
                    (None, "> 4 days"))


def _bucket(delta: timedelta, buckets: tuple[tuple[timedelta | None, str], ...]) -> str:
    return next(label for limit, label in buckets if limit is None or delta < limit)


def _week_start(at: datetime) -> datetime:
    day = at.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def figures(db: Any, at: datetime) -> dict[str, Any]:
    """Every number on the overview, computed from the complaints table."""
    taxonomy = load_taxonomy()
    countries = load_countries()
    grouped = lambda col, *where: db.execute(select(col, func.count(Complaint.id)).where(*where).group_by(col)).all()  # noqa: E731
    open_ = Complaint.status.in_(OPEN_STATUSES)
    by_status = dict(grouped(Complaint.status))
    status = [(s, by_status.get(s, 0)) for s in STATUSES]
    category = sorted(((taxonomy.category(c).name("en") if taxonomy.category(c) else c, n)
                       for c, n in grouped(Complaint.category, open_)), key=lambda kv: -kv[1])
    body = sorted(((b, n) for b, n in grouped(Complaint.responsible_body, open_)), key=lambda kv: -kv[1])
    country = sorted(((countries.name(c, "en") if c else "unknown", n) for c, n in grouped(Complaint.country, open_)),
                     key=lambda kv: -kv[1])[:15]
    overdue_by_body = sorted(grouped(Complaint.responsible_body, overdue_clause(at)), key=lambda kv: -kv[1])
    since = _week_start(at) - timedelta(weeks=WEEKS - 1)
    created = db.execute(select(Complaint.created_at, Complaint.first_response_at, Complaint.status)).all()
    weeks = Counter(_week_start(c).date() for c, _, _ in created if c >= since)
    per_week = [((since + timedelta(weeks=i)).strftime("%d %b"), weeks.get((since + timedelta(weeks=i)).date(), 0))
                for i in range(WEEKS)]
    ageing = Counter(_bucket(at - c, AGE_BUCKETS) for c, _, s in created if s in OPEN_STATUSES)
    responses = [r - c for c, r, _ in created if r is not None]
    response_mix = Counter(_bucket(d, RESPONSE_BUCKETS) for d in responses)
    waiting = sum(1 for _, r, s in created if r is None and s in OPEN_STATUSES)
    worst_oeps = [(f"{licence} {name}", n) for name, licence, n in db.execute(
        select(Oep.name, Oep.licence_no, func.count(Complaint.id)).join(Complaint, Complaint.oep_id == Oep.id)
        .where(open_).group_by(Oep.id, Oep.name, Oep.licence_no)
        .order_by(func.count(Complaint.id).desc(), Oep.name).limit(10))]
    per_body = per_body_times(db)
    return {
        "per_body": per_body,
        "total": len(created), "open": sum(n for s, n in status if s in OPEN_STATUSES),
        "overdue": sum(n for _, n in overdue_by_body), "waiting_first_response": waiting,
        "median_response_hours": round(median(responses).total_seconds() / 3600, 1) if responses else None,
        "charts": [
            charts.hbar("All complaints by status", status),
            charts.columns(f"New complaints per week (last {WEEKS} weeks)", per_week),
            charts.hbar("Open complaints by category", category),
            charts.hbar("Open complaints by responsible body", body),
            charts.hbar("Open complaints by country (top 15)", country),
            charts.hbar("Backlog ageing (open complaints by age)",
                        [(label, ageing.get(label, 0)) for _, label in AGE_BUCKETS], colour=charts.AMBER),
            charts.hbar("Time to first response", [(label, response_mix.get(label, 0)) for _, label in RESPONSE_BUCKETS]
                        + [("no response yet (open)", waiting)]),
            charts.hbar("Overdue complaints by responsible body", overdue_by_body, colour=charts.RED),
            charts.hbar("OEPs with the most open complaints", worst_oeps, colour=charts.AMBER),
        ],
    }


def per_body_times(db: Any) -> list[dict[str, Any]]:
    """Per responsible body (issue 15): complaints, median time to first response and to resolution (resolved or
    closed, from filing), in hours, and how many of each were measured."""
    rows = db.execute(select(Complaint.responsible_body, Complaint.created_at, Complaint.first_response_at,
                             func.coalesce(Complaint.resolved_at, Complaint.closed_at))).all()
    out: dict[str, dict[str, list[float] | int]] = {}
    for body, created, first, done in rows:
        item = out.setdefault(body, {"n": 0, "first": [], "resolved": []})
        item["n"] += 1  # type: ignore[operator]
        if first is not None:
            item["first"].append((first - created).total_seconds() / 3600)  # type: ignore[union-attr]
        if done is not None:
            item["resolved"].append((done - created).total_seconds() / 3600)  # type: ignore[union-attr]
    hours = lambda xs: round(median(xs), 1) if xs else None  # noqa: E731
    return [{"body": body, "name": load_taxonomy().body(body).name("en"), "n": item["n"],
             "first_h": hours(item["first"]), "first_n": len(item["first"]),  # type: ignore[arg-type]
             "resolved_h": hours(item["resolved"]), "resolved_n": len(item["resolved"])}  # type: ignore[arg-type]
            for body, item in sorted(out.items(), key=lambda kv: -kv[1]["n"])]  # type: ignore[operator]


@bp.route("/overview")
@security.requires("supervisor")
def overview():  # type: ignore[no-untyped-def]
    """The overview page."""
    at = now()
    with transaction() as db:
        data = figures(db, at)
    return render_template("console/overview.html", data=data, at=at, active="overview")
