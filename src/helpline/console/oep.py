"""The OEP registry in the console: search by name or licence number, filter by status and city, how many open
complaints name each OEP, and the history of imports (the list's date, counts, who imported it)."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import and_, func, or_, select

from helpline.complaints.models import OPEN_STATUSES, Complaint
from helpline.console.views import bp
from helpline.console.web import arg_int, clean, transaction
from helpline.oep.models import STATUSES, Oep, OepImport
from helpline.oep.names import parse_licence

PAGE_SIZE = 50


def open_complaints():
    """Open complaints per OEP, as a subquery (oep_id, n)."""
    return (select(Complaint.oep_id, func.count(Complaint.id).label("n"))
            .where(Complaint.oep_id.is_not(None), Complaint.status.in_(OPEN_STATUSES))
            .group_by(Complaint.oep_id).subquery())


@bp.route("/oeps")
def oeps():  # type: ignore[no-untyped-def]
    """The registry: ``?q=`` name or licence number, ``?status=``, ``?city=``, pages of 50."""
    q = clean(request.args.get("q"), limit=100)  # no control characters: PostgreSQL refuses a NUL
    status = request.args.get("status") if request.args.get("status") in STATUSES else ""
    city = clean(request.args.get("city"), limit=80)
    page = arg_int("page", 1)
    counts = open_complaints()
    query = select(Oep, func.coalesce(counts.c.n, 0)).outerjoin(counts, counts.c.oep_id == Oep.id)
    if q:
        licence = parse_licence(q)
        if licence and "/" in licence:  # "1234/RWP", "1234-rwp"
            query = query.where(Oep.licence_no == licence)
        elif licence:  # "1234": that number in every city
            query = query.where(or_(Oep.licence_no == licence, Oep.licence_no.startswith(f"{licence}/")))
        else:  # every word somewhere in the name
            query = query.where(and_(*(Oep.name.ilike(f"%{part}%") for part in q.split()[:5])))
    if status:
        query = query.where(Oep.status == status)
    if city:
        query = query.where(Oep.city == city)
    with transaction() as db:
        total = db.scalar(select(func.count()).select_from(query.subquery()))
        rows = db.execute(query.order_by(Oep.name, Oep.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
        cities = db.scalars(select(Oep.city).distinct().order_by(Oep.city)).all()
        imports = db.scalars(select(OepImport).order_by(OepImport.id.desc()).limit(20)).all()
        by_status = dict(db.execute(select(Oep.status, func.count(Oep.id)).group_by(Oep.status)).all())
    return render_template("console/oeps.html", rows=rows, total=total, page=page, size=PAGE_SIZE, q=q,
                           status=status, city=city, statuses=STATUSES, cities=cities, imports=imports,
                           by_status=by_status, active="oeps")
