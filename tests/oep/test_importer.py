"""``helpline oep import``: all or nothing, line-numbered errors, BOM and Excel quirks, Urdu text, duplicates,
upsert, dry run, the list's date, and the command itself. Every agency here is fictional."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from helpline.oep.models import Oep, OepImport
from tests.oep.conftest import HEADER, SMALL, load


def count(sessions) -> int:
    with sessions() as s:
        return s.scalar(select(func.count(Oep.id)))


def test_a_clean_file_is_imported_with_its_list_date(session_factory):
    report = load(session_factory, SMALL)
    assert report.committed and (report.new, report.rejected) == (6, 0), report.errors
    assert report.list_date == date(2026, 11, 20)  # the newest updated_at
    with session_factory() as s:
        oep = s.scalars(select(Oep).where(Oep.licence_no == "3307/RWP")).one()
        assert (oep.status, oep.city, oep.list_date) == ("suspended", "Rawalpindi", date(2026, 11, 20))
        assert s.scalar(select(func.count(OepImport.id))) == 1
    assert "6 new" in report.summary() and "list of 2026-11-20" in report.summary()


def test_bad_rows_are_reported_with_their_lines_and_nothing_is_written(session_factory):
    text = HEADER + (
        "1201/LHR,Zarvolan Overseas,Lahore,valid,2027-06-30,,,2026-11-20\n"
        ",No Number Overseas,Lahore,valid,,,,\n"
        "ABC,Bad Number Overseas,Lahore,valid,,,,\n"
        "1203/LHR,,Lahore,maybe,,,,\n"
        "1204/LHR,Dated Overseas,Lahore,valid,30/06/2027,,,\n"
        "1205/LHR,Serial Overseas,Lahore,valid,46000,,,\n"
        "1206/LHR,Future Overseas,Lahore,valid,,,,2099-01-01\n"
    )
    report = load(session_factory, text)
    lines = dict(report.errors)
    assert sorted(lines) == [3, 4, 5, 6, 7, 8] and not report.committed
    assert "licence_no is empty" in lines[3] and "not a licence number" in lines[4]
    assert "name is empty" in lines[5] and "unknown status 'maybe'" in lines[5]
    assert "Excel" in lines[6] and "serial" in lines[7] and "out of range" in lines[8]
    assert count(session_factory) == 0


def test_duplicates_name_the_first_line(session_factory):
    text = HEADER + "1201/LHR,Zarvolan,Lahore,valid,,,,\n1201-lhr,Zarvolan Again,Lahore,valid,,,,\n"
    report = load(session_factory, text)
    assert report.errors == [(3, "duplicate of line 2 (same licence number 1201/LHR)")]
    assert count(session_factory) == 0


def test_bom_excel_semicolons_sep_line_urdu_text_and_header_spellings(session_factory):
    text = ("sep=;\r\nLicence No.;Name of OEP;City;Status;Office Address\r\n"
            "OEP 0771/ISB;زرولان اوورسیز;Islamabad;Active;دفتر 3، پلازہ (فرضی)\r\n;;;;\r\n")
    report = load(session_factory, b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert report.committed and report.new == 1, report.errors
    with session_factory() as s:
        oep = s.scalars(select(Oep)).one()
    assert (oep.licence_no, oep.name, oep.status, oep.address) == ("771/ISB", "زرولان اوورسیز", "valid",
                                                                  "دفتر 3، پلازہ (فرضی)")


def test_not_utf8_and_empty_files_and_unknown_columns(session_factory):
    assert load(session_factory, "licence_no,name,city,status\n1,Caf\xe9,Lahore,valid\n".encode("latin-1")).errors[0][1] \
        .startswith("the file is not UTF-8")
    assert load(session_factory, b"").errors == [(1, "the file is empty")]
    assert "unknown column 'colour'" in load(session_factory, "licence_no,name,city,status,colour\n").errors[0][1]
    assert "missing required column(s): status" in load(session_factory, "licence_no,name,city\n").errors[0][1]


def test_upsert_counts_new_changed_unchanged_and_keeps_missing_licences(session_factory):
    load(session_factory, SMALL)
    again = HEADER + (
        "1201/LHR,Zarvolan Overseas Employment Promoters,Lahore,suspended,2027-06-30,\"Office 4, Plaza 1 (fictional), Lahore\",,2026-11-24\n"
        "1202/KHI,Zarvolan Manpower,Karachi,valid,2027-03-31,\"Office 9, Plaza 2 (fictional), Karachi\",,2026-11-18\n"
        "9999/FSD,Nuvexa Overseas,Faisalabad,valid,,,,2026-11-23\n"
    )
    report = load(session_factory, again)
    assert (report.new, report.changed, report.unchanged) == (1, 1, 1) and report.committed
    assert count(session_factory) == 7  # the licences this file does not mention are kept
    with session_factory() as s:
        by = {o.licence_no: o for o in s.scalars(select(Oep))}
    assert by["1201/LHR"].status == "suspended" and by["1201/LHR"].list_date == date(2026, 11, 24)
    assert by["3307/RWP"].list_date == date(2026, 11, 20)  # last seen on the older list


def test_dry_run_writes_nothing_and_the_list_date_can_be_given(session_factory):
    report = load(session_factory, SMALL, dry_run=True)
    assert report.new == 6 and not report.committed and "dry run" in report.summary()
    assert count(session_factory) == 0
    report = load(session_factory, SMALL, list_date=date(2026, 12, 3))
    assert report.list_date == date(2026, 12, 3)


def test_a_failure_after_the_rows_are_written_rolls_everything_back(session_factory, monkeypatch):
    from helpline.oep import importer

    real = importer._upsert

    def then_fail(session, *args, **kw):
        real(session, *args, **kw)  # every row inserted, in the transaction
        assert session.scalar(select(func.count(Oep.id))) == 6
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "_upsert", then_fail)
    with pytest.raises(RuntimeError):
        load(session_factory, SMALL)
    assert count(session_factory) == 0
    with session_factory() as s:
        assert s.scalar(select(func.count(OepImport.id))) == 0


def test_the_command(tmp_path, settings, engine, monkeypatch):
    from helpline.cli import main

    monkeypatch.setenv("HELPLINE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    good, bad = tmp_path / "list.csv", tmp_path / "bad.csv"
    good.write_text(SMALL, encoding="utf-8")
    bad.write_text(HEADER + "1201/LHR,,Lahore,valid,,,,\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["oep", "import", str(good), "--dry-run"])
    assert result.exit_code == 0 and "dry run: nothing written" in result.output
    result = runner.invoke(main, ["oep", "import", str(bad)])
    assert result.exit_code == 1 and "line 2: name is empty" in result.output
    result = runner.invoke(main, ["oep", "import", str(good), "--list-date", "2026-12-03"])
    assert result.exit_code == 0 and "6 new" in result.output and "list of 2026-12-03" in result.output
