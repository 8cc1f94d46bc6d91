"""The OEP registry in the console (issue 17): search by name or licence number, status and city filters, open
complaints per OEP, the import history, the overview's "OEPs with the most open complaints"; and the same in
Chromium. Every agency is fictional (tests/oep/conftest.py)."""

from __future__ import annotations

from sqlalchemy import select

from helpline.console.users import create_user
from helpline.oep.models import Oep
from tests.conftest import FIXED_NOW
from tests.console.conftest import PASSWORD, make_complaint
from tests.console.test_browser import ARTIFACTS, _chromium, _shot, server  # noqa: F401  (the server fixture)
from tests.oep.conftest import SMALL, load


def seed(session_factory) -> None:
    """The small fictional list, three open complaints naming Kelmora, one naming Tavrino, one closed."""
    assert load(session_factory, SMALL).committed
    with session_factory.begin() as s:
        ids = {o.licence_no: o.id for o in s.scalars(select(Oep))}
        for n in range(3):
            make_complaint(s, category="fake_agent", body="PE", agent="Kelmora Manpower", oep_id=ids["3307/RWP"],
                           description=f"Agent took {n + 2} lakh, no visa")
        make_complaint(s, category="fake_agent", body="PE", agent="Tavrino", oep_id=ids["4410/ISB"])
        make_complaint(s, category="fake_agent", body="PE", agent="Quorava", oep_id=ids["2290/MLN"], status="closed")


def test_registry_page_search_filters_counts_and_imports(as_role, session_factory):
    seed(session_factory)
    client = as_role("agent")
    page = client.get("/staff/oeps").get_data(as_text=True)
    assert "Zarvolan Manpower" in page and "3307/RWP" in page and "list of" in page.lower()
    assert "Agents</a>" in page  # in the navigation
    found = client.get("/staff/oeps?q=zarvolan").get_data(as_text=True)
    assert "1201/LHR" in found and "1202/KHI" in found and "3307/RWP" not in found
    assert "3307/RWP" in client.get("/staff/oeps?q=3307-rwp").get_data(as_text=True)
    assert "Kelmora" in client.get("/staff/oeps?q=3307").get_data(as_text=True)
    suspended = client.get("/staff/oeps?status=suspended").get_data(as_text=True)
    assert "Kelmora" in suspended and "Quorava" not in suspended
    assert "Tavrino" in client.get("/staff/oeps?city=Islamabad").get_data(as_text=True)
    assert "<td>3</td>" in client.get("/staff/oeps?q=kelmora").get_data(as_text=True)  # open complaints
    assert "<td>0</td>" in client.get("/staff/oeps?q=quorava").get_data(as_text=True)  # closed does not count
    imports = page.split('id="oep-imports"')[1]
    assert "2026-11-20" in imports and "upload.csv" in imports
    assert client.get("/staff/oeps?q=%3Cscript%3E").status_code == 200


def test_overview_lists_the_oeps_with_the_most_open_complaints(as_role, session_factory):
    seed(session_factory)
    page = as_role("supervisor").get("/staff/overview").get_data(as_text=True)
    chart = page.split("OEPs with the most open complaints")[-1].split("</svg>")[0]
    assert "3307/RWP Kelmora" in chart and "4410/ISB Tavrino" in chart  # the licence first: labels are cut
    assert chart.index("Kelmora") < chart.index("Tavrino") and "Quorava" not in chart


def test_the_registry_in_chromium(server, session_factory) -> None:  # noqa: F811
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    seed(session_factory)
    with session_factory.begin() as s:
        create_user(s, "amna", PASSWORD, "admin", FIXED_NOW)
    base = server["base"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable)
        try:
            page = browser.new_page(viewport={"width": 1360, "height": 900})
            page.goto(base + "/staff/")
            page.fill("input[name=username]", "amna")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(base + "/staff/")
            page.click("nav >> text=Agents")
            page.wait_for_url(base + "/staff/oeps")
            assert page.locator("h1").inner_text() == "Agents (OEP registry)"
            assert page.locator("#oeps tbody tr").count() == 6
            page.fill("input[name=q]", "zarvolan")
            page.click("form.filters button[type=submit]")
            page.wait_for_url("**/staff/oeps?q=zarvolan**")
            assert page.locator("#oeps tbody tr").count() == 2
            page.goto(base + "/staff/oeps")
            page.select_option("select[name=status]", "suspended")
            page.click("form.filters button[type=submit]")
            rows = page.locator("#oeps tbody tr")
            assert rows.count() == 1 and "3307/RWP" in rows.first.inner_text()
            assert rows.first.locator("td").last.inner_text() == "3"
            assert "2026-11-20" in page.locator("#oep-imports").inner_text()
            _shot(page, "oeps")
            page.click("nav >> text=Overview")
            assert page.locator("svg", has_text="OEPs with the most open complaints").count() == 1
            assert page.locator("svg", has_text="3307/RWP Kelmora").count() == 1
        finally:
            browser.close()
    assert (ARTIFACTS / "oeps.png").exists()
