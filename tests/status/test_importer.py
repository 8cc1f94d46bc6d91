"""CSV import: validation with line numbers, Excel quirks, all-or-nothing, upsert counts, dry run."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, text

from helpline.status.models import StatusRecord
from tests.conftest import FIXED_NOW
from tests.status.conftest import HEADER, REGISTRY, load


def count(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(StatusRecord))


def test_a_good_file_is_imported_and_factors_are_only_stored_hashed(session_factory):
    report = load(session_factory, REGISTRY)
    assert (report.new, report.changed, report.unchanged, report.rejected) == (3, 0, 0, 0)
    assert report.committed and report.errors == []
    with session_factory() as session:
        rows = session.execute(text("SELECT * FROM status_records")).all()
    dump = repr(rows)
    for plain in ("1990-05-14", "0123", "4321", "1985-01-31"):
        assert plain not in dump
    record = next(r for r in rows if r.kind == "passport")
    assert record.tracking_number == "12345678901" and len(record.dob_hash) == 64 and len(record.cnic4_hash) == 64


def test_bad_rows_are_reported_with_their_line_numbers_and_nothing_is_written(session_factory):
    csv = HEADER + (
        "passport,1234-5678901,in_process,1990-05-14,0123,Lahore\n"    # line 2: fine
        "visa,99999999,in_process,1990-05-14,,\n"                       # line 3: unknown kind
        "passport,12,in_process,1990-05-14,,\n"                         # line 4: number too short
        "passport,55555555,lost_in_space,,0123,\n"                      # line 5: unknown status
        "passport,66666666,received,1990-02-30,,\n"                     # line 6: no such date
        "passport,77777777,received,,12,\n"                             # line 7: leading zeros lost
        "passport,88888888,received,,3520212345671,\n"                  # line 8: a whole CNIC
        ",,,,,\n"                                                       # line 9: blank cells only: skipped
        ",99999998,received,,,\n"                                       # line 10: kind empty
    )
    report = load(session_factory, csv)
    lines = {line: message for line, message in report.errors}
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 10]
    assert "unknown kind 'visa'" in lines[3]
    assert "tracking_number '12'" in lines[4]
    assert "unknown status 'lost_in_space'" in lines[5]
    assert "not a real date" in lines[6]
    assert "leading zeros" in lines[7]
    assert "whole CNIC" in lines[8]
    assert "kind is empty" in lines[10]
    assert report.rejected == 7 and not report.committed
    assert count(session_factory) == 0  # the good row on line 2 was rolled back too


def test_one_bad_row_rolls_back_an_update_of_existing_records(session_factory):
    load(session_factory, REGISTRY)
    csv = HEADER + "passport,1234-5678901,collected,,,\nprotector,AB1234567,nonsense,,,\n"
    report = load(session_factory, csv)
    assert report.rejected == 1 and report.errors[0][0] == 3
    with session_factory() as session:
        status = session.scalar(select(StatusRecord.status).where(StatusRecord.kind == "passport"))
    assert status == "in_process"


def test_utf8_bom_crlf_quotes_whitespace_trailing_columns_and_urdu(session_factory):
    csv = ("\ufeff Kind , Tracking Number ,STATUS,Date of Birth,CNIC_last4,Office,,\r\n"
           ' Passport , 1234 5678 901 ,"Ready for collection", 1990-05-14 ,"0123","Office, ""Lahore"" block\r\nB",,\r\n'
           "protector,AB1234567,in process,,4321,پروٹیکٹر آفس راولپنڈی,,\r\n"
           ",,,,,,,\r\n")
    report = load(session_factory, csv)
    assert report.errors == [] and report.new == 2
    with session_factory() as session:
        rows = {r.kind: r for r in session.scalars(select(StatusRecord))}
    assert rows["passport"].status == "ready_for_collection"
    assert rows["passport"].tracking_number == "12345678901"
    assert rows["passport"].office == 'Office, "Lahore" block\r\nB'
    assert rows["protector"].office == "پروٹیکٹر آفس راولپنڈی"
    assert rows["protector"].status == "in_process"


def test_excel_mangled_values_are_explained(session_factory):
    csv = HEADER + (
        "passport,11111111,received,5/14/1990,,\n"
        "passport,22222222,received,14-May-90,,\n"
        "passport,33333333,received,32992,,\n"
        "passport,1.23457E+11,received,1990-05-14,,\n"
        "passport,44444444,received,1990-05-14 00:00:00,,\n"   # Excel's date-time export of a date: fine
    )
    report = load(session_factory, csv)
    lines = dict(report.errors)
    assert sorted(lines) == [2, 3, 4, 5]
    assert "Excel" in lines[2] and "Excel" in lines[3] and "serial" in lines[4] and "Excel" in lines[5]


def test_semicolon_separated_excel_export(session_factory):
    report = load(session_factory, "kind;tracking_number;status;cnic_last4\npassport;12345678;received;0123\n")
    assert report.errors == [] and report.new == 1


def test_duplicate_rows_in_one_file_are_rejected_with_the_first_line(session_factory):
    csv = HEADER + (
        "passport,1234-5678901,in_process,1990-05-14,,\n"
        "protector,1234-5678901,in_process,1990-05-14,,\n"   # same number, other kind: fine
        "passport,12345678901,received,1990-05-14,,\n"       # same record written differently
    )
    report = load(session_factory, csv, batch_size=1)
    assert report.errors == [(4, "duplicate of line 2 (same kind and tracking number)")]
    assert count(session_factory) == 0


def test_header_problems(session_factory):
    assert load(session_factory, "").errors == [(1, "the file is empty")]
    report = load(session_factory, "kind,tracking_number\npassport,12345678\n")
    assert report.errors[0][0] == 1 and "status" in report.errors[0][1]
    report = load(session_factory, "kind,tracking_number,status,date_of_brith\n")
    assert "unknown column 'date_of_brith'" in report.errors[0][1]


def test_not_utf8_is_a_clear_error(session_factory):
    report = load(session_factory, (HEADER + "passport,12345678,received,,,Caf\xe9\n").encode("latin-1"))
    assert report.errors == [(2, "the file is not UTF-8: in Excel use Save As > CSV UTF-8")]
    assert count(session_factory) == 0


def test_upsert_counts_new_changed_and_unchanged_and_keeps_values_of_empty_cells(session_factory):
    load(session_factory, REGISTRY)
    later = FIXED_NOW + timedelta(days=2)
    csv = ("kind,tracking_number,status,office,updated_at\n"
           "passport,12345678901,printed,,2026-11-26\n"          # changed status, office kept
           "protector,AB1234567,ready_for_collection,,\n"        # unchanged
           "skills_passport,NSP202600077,received,NAVTTC,\n"     # changed office
           "passport,99999999,received,,\n")                     # new, without any factor
    report = load(session_factory, csv, now=later, batch_size=2)
    assert (report.new, report.changed, report.unchanged, report.rejected) == (1, 2, 1, 0)
    assert report.without_factor == 1
    with session_factory() as session:
        passport = session.scalars(select(StatusRecord).where(StatusRecord.tracking_number == "12345678901")).one()
    assert passport.status == "printed" and passport.office == "Regional Passport Office Lahore"
    assert passport.dob_hash is not None and passport.status_updated_at.date().isoformat() == "2026-11-26"
    again = load(session_factory, csv, now=later)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 4)


def test_dry_run_counts_but_writes_nothing(session_factory):
    report = load(session_factory, REGISTRY, dry_run=True)
    assert report.new == 3 and not report.committed and "dry run" in report.summary()
    assert count(session_factory) == 0


def test_excel_sep_line_and_line_numbers_after_it(session_factory):
    report = load(session_factory, "sep=;\r\nkind;tracking_number;status\r\npassport;12345678;received\r\npassport;1;x\r\n")
    assert report.new == 1 and [line for line, _ in report.errors] == [4]
