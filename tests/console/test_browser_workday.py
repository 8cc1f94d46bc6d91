"""A supervisor's working day in Debian's Chromium (issue 15), on the same real app and fake Twilio as
``test_browser.py`` (its ``server`` fixture): a worker's SMS reply marks the case unread (bold row, counter);
the status select has nothing preselected; a canned reply, filled in Urdu, reaches the fake Twilio; search finds
the employer and the worker's name; the category is corrected; a handoff conversation becomes a complaint; Urdu
is drawn with the bundled font; the queue fits a 390 px phone. Screenshots in ``test-artifacts/console/``; with
``HELPLINE_DOCS_SCREENSHOTS=1`` the phone queue goes to ``docs/screenshots/console-phone.png``.
"""

from __future__ import annotations

import os
import shutil
from datetime import timedelta

from sqlalchemy import select

from helpline.complaints.models import Complaint
from helpline.console.users import create_user
from helpline.outbox import deliver_due
from tests.conftest import FIXED_NOW
from tests.console.conftest import PASSWORD, make_complaint, make_contact
from tests.console.test_browser import ARTIFACTS, DOCS, OTHER, WORKER, _chromium, _seed_more, _shot, server, sms  # noqa: F401

URDU_STORY = "مالک نے تین مہینے سے تنخواہ نہیں دی، پاسپورٹ بھی رکھ لیا"
CANNED_UR = "آپ کی شکایت {reference} {body} کو بھیج دی گئی ہے۔ جواب کی تاریخ: {due}"


def test_a_supervisors_day_in_chromium(server, session_factory) -> None:  # noqa: F811
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    base, fake = server["base"], server["fake"]
    with session_factory.begin() as session:
        create_user(session, "sajid", PASSWORD, "supervisor", FIXED_NOW)
        contact = make_contact(session, address=f"tel:{WORKER}", lang="ur")
        case = make_complaint(session, contact=contact, lang="ur", description=URDU_STORY, category="wages",
                              worker_name="Muhammad Aslam", employer="Al Noor Trading", agent="Sitara Manpower",
                              created_at=FIXED_NOW - timedelta(hours=20))
        case_id, ref = case.id, case.display_reference
    _seed_more(session_factory)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable)
        try:
            page = browser.new_page(viewport={"width": 1360, "height": 900})
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            errors: list[str] = []  # a CSP violation (script, font, fetch) or a script error shows here
            page.on("console", lambda m: errors.append(f"{m.text} {m.location.get('url', '')}")
                    if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico") else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(base + "/staff/login")
            page.fill("input[name=username]", "sajid")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(base + "/staff/")

            # A canned reply in three languages.
            page.goto(base + "/staff/replies")
            form = page.locator("#new-template")
            form.locator("input[name=name]").fill("Sent to the body")
            form.locator("textarea[name=text_en]").fill("Your complaint {reference} was sent to {body}. Due: {due}")
            form.locator("textarea[name=text_ur]").fill(CANNED_UR)
            form.locator("textarea[name=text_ur_latn]").fill("Aap ki shikayat {reference} {body} ko bhej di gayi.")
            form.locator("button:has-text('Add template')").click()
            assert "saved" in page.locator(".flash").inner_text()

            # The worker writes back by SMS: the case is unread, first among equals, counted in the navigation.
            sms(base, "جی میں ابھی بھی انتظار کر رہا ہوں، کوئی جواب نہیں آیا", 3001)  # in Urdu: replies go in Urdu
            page.goto(base + "/staff/")
            row = page.locator("tr", has_text=ref)
            assert "unread" in (row.get_attribute("class") or "")
            assert row.locator(".unread-mark").count() == 1
            unread = int(page.locator("#unread-complaints").inner_text().split()[0])
            assert unread == 1
            weight = row.locator("td").nth(2).evaluate("e => getComputedStyle(e).fontWeight")
            assert int(weight) >= 700
            _shot(page, "workday-unread")

            with page.expect_response(lambda r: r.url.endswith("/staff/live.json")) as polled:
                page.reload()  # the live script asks what changed as soon as the page loads
            assert polled.value.status == 200 and polled.value.json()["unread"]["complaints"] == 1

            # Search by employer and by the worker's name.
            for words in ("al noor", "ASLAM"):
                page.fill("input[name=q]", words)
                page.click("button:has-text('Apply')")
                assert page.locator("td.ref", has_text=ref).count() == 1
                assert page.locator("tbody tr").count() == 1

            # The case: opening it marks it read; nothing preselected in the status select.
            page.click(f"text={ref}")
            page.wait_for_url(f"{base}/staff/complaints/{case_id}")
            assert page.locator("select#status").evaluate("e => e.value") == ""
            left = page.locator("#unread-complaints")
            assert (left.inner_text() if left.count() else "0 unread") == f"{unread - 1} unread"
            page.click("button:has-text('Change status')")  # the browser refuses: required and empty
            assert page.url == f"{base}/staff/complaints/{case_id}"
            with session_factory() as session:
                assert session.get(Complaint, case_id).status == "new"

            # The Urdu story is drawn with the bundled font.
            page.evaluate("document.fonts.ready")
            loaded = page.evaluate("""() => [...document.fonts].filter(
                f => f.family.replace(/"/g, '') === 'Helpline Naskh' && f.status === 'loaded').length""")
            assert loaded >= 1
            assert page.evaluate("document.fonts.check('16px \"Helpline Naskh\"', 'تنخواہ')")
            family = page.locator("#description").evaluate("e => getComputedStyle(e).fontFamily")
            assert family.startswith('"Helpline Naskh"')

            # Correct the category.
            page.select_option("select#category", "documents_held")
            page.click("button:has-text('Correct')")
            assert "Corrected: category documents_held" in page.locator(".flash").inner_text()

            # A canned reply, filled in the worker's language (Urdu), edited and sent.
            page.select_option("select#template", label="Sent to the body")
            page.click("button:has-text('Use')")
            reply = page.locator("textarea#reply").input_value()
            assert reply.startswith(f"آپ کی شکایت {ref} ") and "{" not in reply
            page.fill("textarea#reply", reply + " شکریہ")
            page.click("button:has-text('Send to worker')")
            assert "Reply queued" in page.locator(".flash").inner_text()
            _shot(page, "workday-case")

            # A second worker asks for a person and tells the story; staff file it as a complaint in one step.
            sms(base, "insaan se baat karni hai", 3101, OTHER)
            sms(base, "kafeel ne passport rakh liya hai aur tankhwah nahi di", 3102, OTHER)
            page.goto(base + "/staff/handoff")
            page.locator("tr", has_text="+92********99").locator("text=Open").click()
            story = page.locator("textarea#story").input_value()
            assert "kafeel ne passport rakh liya" in story and "insaan se baat" not in story
            page.fill("#nc-employer", "Gulf Star Contracting")
            page.click("button:has-text('File complaint')")
            assert "filed from the conversation" in page.locator(".flash").inner_text()
            assert "kafeel ne passport rakh liya" in page.locator("#description").inner_text()
            _shot(page, "workday-handoff-complaint")

            # Phone-sized: the queue fits 390 px without sideways scrolling.
            phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
            phone.context.add_cookies(page.context.cookies())
            phone.goto(base + "/staff/")
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390
            _shot(phone, "phone-queue")
            phone_shot = ARTIFACTS / "phone-queue-docs.png"  # the attention counters, the filters and the first rows
            phone.screenshot(path=str(phone_shot), full_page=True, clip={"x": 0, "y": 0, "width": 390, "height": 1400})
            phone.goto(f"{base}/staff/complaints/{case_id}")
            wide = phone.evaluate("""() => [...document.querySelectorAll('body *')].filter(
                e => e.getBoundingClientRect().right > 391).slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)""")
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390, wide
            _shot(phone, "phone-case")
        finally:
            browser.close()
    assert dialogs == [] and errors == []
    with session_factory() as session:
        filed = session.scalars(select(Complaint).where(Complaint.employer == "Gulf Star Contracting")).one()
        assert filed.contact_id is not None and filed.lang == "ur-Latn"
    stats = deliver_due(server["app"].extensions["helpline"].sessions, server["senders"], FIXED_NOW + timedelta(minutes=1))
    assert stats.failed == 0
    to_worker = [r.form.get("Body", "") for r in fake.delivered if r.form.get("To") == WORKER]
    assert any(f"آپ کی شکایت {ref} " in b and "شکریہ" in b for b in to_worker), to_worker
    to_other = [r.form.get("Body", "") for r in fake.delivered if r.form.get("To") == OTHER]
    assert any(filed.display_reference in b for b in to_other), to_other
    if os.environ.get("HELPLINE_DOCS_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(phone_shot, DOCS / "console-phone.png")
