"""Done-when of issue 18 for media, in Debian's Chromium (Playwright, no browser download): a worker's voice note
comes in by signed MMS webhook (WhatsApp media arrive the same way), is fetched from the fake Twilio with the
account's credentials, and plays in the handoff queue for signed-in staff (a photo shows in the conversation); an
anonymous browser gets the sign-in page, never the bytes. Chromium missing: skipped locally, a failure under ``CI=true``."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from helpline.console.users import create_user
from helpline.media import MediaFile
from helpline.settings import REPO_ROOT
from tests.conftest import FIXED_NOW
from tests.console.conftest import PASSWORD
from tests.console.test_browser import _chromium
from tests.media.conftest import mms
from tests.media.samples import ogg_opus, png

ARTIFACTS = REPO_ROOT / "test-artifacts" / "console"
VOICE = ogg_opus(2.0)


@pytest.fixture
def live(app) -> Iterator[str]:
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_port}"
    finally:
        http.shutdown()
        http.server_close()
        thread.join(5)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_voice_note_plays_for_signed_in_staff_only(live, sms, fake_twilio, session_factory, fetch) -> None:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    assert "The bot cannot listen to it" in sms.send("", **mms(fake_twilio, (VOICE, "audio/ogg")))
    sms.send("contract ki photo", **mms(fake_twilio, (png(40, 30), "image/png")))
    assert fetch().stored == 2
    assert [r.authorized for r in fake_twilio.media_requests if not r.cdn] == [True, True]
    with session_factory.begin() as session:
        media_id, photo_id = session.scalars(select(MediaFile.id).order_by(MediaFile.id)).all()
        contact_id = session.scalars(select(MediaFile.contact_id)).first()
        create_user(session, "hina", PASSWORD, "agent", FIXED_NOW)
    url = f"{live}/staff/media/{media_id}"
    errors: list[str] = []

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable)
        try:
            anonymous = browser.new_context()
            refused = anonymous.request.get(url, max_redirects=0)
            assert refused.status == 302 and "/staff/login" in refused.headers["location"]
            assert VOICE not in refused.body()
            page = anonymous.new_page()
            page.goto(url)
            assert "/staff/login" in page.url and page.locator("input[name=password]").count() == 1

            staff = browser.new_context()
            page = staff.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{live}/staff/login")
            page.fill("input[name=username]", "hina")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.goto(f"{live}/staff/handoff")
            row = page.locator("tr", has_text="voice note")
            assert row.count() == 1
            audio = row.locator(f"audio[src='/staff/media/{media_id}']")
            audio.wait_for()
            page.wait_for_function("a => a.readyState >= 1 || a.error !== null", arg=audio.element_handle(),
                                   timeout=10_000)
            state = audio.evaluate("a => [a.readyState, a.duration, a.error && a.error.code]")
            assert state[0] >= 1 and state[2] is None and 1.5 < state[1] < 2.5, state  # the whole note, 2 s
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "handoff-voice-note.png"), full_page=True)
            page.goto(f"{live}/staff/contacts/{contact_id}")  # the conversation: the note and the photo
            assert page.locator(".convo audio").count() == 1
            image = page.locator(f".convo img[src='/staff/media/{photo_id}']")
            image.wait_for()
            page.wait_for_function("i => i.complete", arg=image.element_handle(), timeout=10_000)
            assert image.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [40, 30]
            served = staff.request.get(url)
            assert served.status == 200 and served.headers["content-type"] == "audio/ogg"
            assert served.body() == VOICE
        finally:
            browser.close()
    assert errors == []  # no CSP violation: media-src allows the console's own media
