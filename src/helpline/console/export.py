"""CSV export of the (filtered) queue for supervisors and admins; personal numbers masked, audited."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from flask import Response, request

from helpline.console import security
from helpline.console.queries import Filters, complaint_query
from helpline.console.queue import row_dict
from helpline.console.views import bp
from helpline.console.web import now, transaction
from helpline.privacy import mask

COLUMNS = ("reference", "status", "urgent", "urgent_reason", "category", "country", "body", "assignee", "channel",
           "lang", "created_at", "due", "rag", "overdue", "first_response_at", "first_response_hours", "resolved_at",
           "resolution_hours", "employer", "agent", "oep", "contact", "worker_cnic", "description")
EXPORT_LIMIT = 50_000


FORMULA = "=+-@＝＋－＠"  # what starts a formula in a spreadsheet cell (full-width forms too)
# A formula start after anything a spreadsheet may split cells or lines on (comma, semicolon, tab, pipe, a line
# break), whatever separator the reader picks: 'ok;=HYPERLINK(…)' opened with ';' would make a formula cell.
_AFTER_SEPARATOR = re.compile(r"([,;\t\r\n|][ \u00a0]*)([" + re.escape(FORMULA) + "])")


def _cell(value: object) -> str:
    """A CSV cell: masked, and never a formula a spreadsheet would run, whether it splits the file on ``,``,
    ``;`` or tab: a quote goes before every formula character that starts the cell or follows a separator."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat(timespec="minutes")  # type: ignore[union-attr]
    text = _AFTER_SEPARATOR.sub(r"\1'\2", mask(str(value)))
    return "'" + text if text.lstrip()[:1] in FORMULA or text[:1] in ("\t", "\r") else text


def _hours(start: Any, end: Any) -> str:
    return f"{(end - start).total_seconds() / 3600:.1f}" if start is not None and end is not None else ""


def _more(db: Any, complaint: Any, oeps: dict[int, str]) -> dict[str, Any]:
    """Issue 15's columns: the urgent reason in words, hours to first response and to resolution, employer, agent
    and the registered OEP (licence and name); masked and neutralised like every cell."""
    from helpline.console.words import urgent_in_words
    from helpline.oep.models import Oep

    oep = ""
    if complaint.oep_id is not None:
        if complaint.oep_id not in oeps:
            found = db.get(Oep, complaint.oep_id)
            oeps[complaint.oep_id] = f"{found.licence_no} {found.name}" if found else ""
        oep = oeps[complaint.oep_id]
    done = complaint.resolved_at or complaint.closed_at
    return {"urgent_reason": urgent_in_words(complaint.urgent_reason, complaint.description),
            "first_response_hours": _hours(complaint.created_at, complaint.first_response_at),
            "resolved_at": done, "resolution_hours": _hours(complaint.created_at, done),
            "employer": complaint.employer or "", "agent": complaint.agent or "", "oep": oep}


@bp.route("/export.csv")
@security.requires("supervisor")
def export_csv():  # type: ignore[no-untyped-def]
    """The queue's filters applied to every matching complaint, as UTF-8 CSV (BOM, so spreadsheets read Urdu)."""
    filters = Filters.from_args(request.args)
    at = now()
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    with transaction() as db:
        oeps: dict[int, str] = {}
        count = 0
        for complaint, contact in db.execute(complaint_query(filters, at).limit(EXPORT_LIMIT)):
            row = row_dict(complaint, contact, at)
            row["reference"] = complaint.display_reference
            row.update(_more(db, complaint, oeps))
            writer.writerow([_cell(row[c]) for c in COLUMNS])
            count += 1
        security.audit(db, "export.csv", None, None, now=at, rows=count, filters=str(filters.args()))
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=complaints-{at:%Y%m%d-%H%M}.csv"})
