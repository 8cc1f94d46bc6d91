"""Media workers send (issue 18, item 3), over MMS the same as WhatsApp: noted in the turn, fetched by the worker
loop from the fake Twilio with the account's credentials, checked, stored, linked to the complaint being filed,
and served to signed-in staff only; a voice note alone asks a person to listen."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpline.complaints.models import Complaint
from helpline.handoff.models import Handoff
from helpline.media import MediaPolicy, MediaBlob, MediaFile, enqueue, forget
from helpline.messages import Attachment
from helpline.storage.models import Message
from tests.conftest import FIXED_NOW
from tests.console.conftest import make_contact
from tests.fakes.twilio_api import ACCOUNT_SID
from tests.media.conftest import mms, signed_in
from tests.media.samples import ogg_opus, pdf, png

VOICE = ogg_opus(1.0)


def _rows(session_factory) -> list[MediaFile]:
    with session_factory() as s:
        return list(s.scalars(select(MediaFile).order_by(MediaFile.id)))


def test_a_voice_note_alone_queues_the_worker_and_staff_hear_it(sms, app, fake_twilio, session_factory, fetch):
    reply = sms.send("", **mms(fake_twilio, (VOICE, "audio/ogg")))
    assert "The bot cannot listen to it; a staff member will" in reply and "Person" in reply  # SMS wording, menu
    assert fake_twilio.media_requests == []  # nothing fetched on the webhook's path
    with session_factory() as s:
        handoff = s.scalars(select(Handoff)).one()
        assert handoff.status == "waiting" and handoff.reason is None
        inbound = s.get(Message, handoff.last_worker_message_id)
        assert inbound.direction == "in" and inbound.text == ""
    [row] = _rows(session_factory)
    assert (row.status, row.channel, row.declared_type) == ("pending", "sms", "audio/ogg")

    stats = fetch()
    assert (stats.stored, stats.total) == (1, 1)
    [row] = _rows(session_factory)
    assert (row.status, row.kind, row.content_type, row.size, row.attempts) == ("stored", "audio", "audio/ogg",
                                                                                 len(VOICE), 1)
    media_get, cdn_get = fake_twilio.media_requests
    assert media_get.authorized and media_get.status == 307 and "/Media/ME" in media_get.path
    assert cdn_get.cdn and cdn_get.status == 200
    assert fetch().total == 0  # nothing left to do

    staff = signed_in(app, session_factory)
    queue = staff.get("/staff/handoff").get_data(as_text=True)
    assert "voice note" in queue and f'<audio controls preload="metadata" src="/staff/media/{row.id}"' in queue
    served = staff.get(f"/staff/media/{row.id}")
    assert served.status_code == 200 and served.data == VOICE
    assert served.headers["Content-Type"] == "audio/ogg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert served.headers["Content-Disposition"].startswith("inline") and "no-store" in served.headers["Cache-Control"]
    part = staff.get(f"/staff/media/{row.id}", headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.data == VOICE[:10]
    page_csp = staff.get("/staff/handoff").headers["Content-Security-Policy"]
    assert "media-src 'self'" in page_csp and "img-src 'self'" in page_csp

    anonymous = app.test_client().get(f"/staff/media/{row.id}")
    assert anonymous.status_code == 302 and "/staff/login" in anonymous.headers["Location"]
    assert VOICE not in anonymous.data


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the queries are covered on PostgreSQL above
def test_a_second_voice_note_while_waiting_is_acknowledged_once(sms, session_factory, fake_twilio):
    sms.send("", **mms(fake_twilio, (VOICE, "audio/ogg")))
    again = sms.send("", **mms(fake_twilio, (VOICE, "audio/ogg")))
    assert again.startswith("We got your voice message. A staff member will listen")
    with session_factory() as s:
        assert len(s.scalars(select(Handoff)).all()) == 1


def test_a_photo_and_a_pdf_sent_while_filing_are_linked_and_shown(sms, app, fake_twilio, session_factory, fetch):
    photo, doc = png(), pdf()
    sms.send("complaint wages Dubai salary not paid for 4 months, kafeel says wait",
             **mms(fake_twilio, (photo, "image/jpeg"), (doc, "application/pdf")))
    for body in ["1", "Muhammad Aslam 35202-1234567-1 ab 1234567", "Al Noor Trading", "1"]:
        sms.send(body)
    fetch()
    rows = _rows(session_factory)
    # Declared a JPEG but the bytes are a PNG: refused with the reason; the PDF is kept.
    assert [(r.status, r.content_type) for r in rows] == [("refused", None), ("stored", "application/pdf")]
    assert rows[0].error == "declared image/jpeg, but the content is image/png"
    with session_factory() as s:
        complaint = s.scalars(select(Complaint)).one()
        assert sorted(a.content_type for a in complaint.attachments) == ["application/pdf", "image/jpeg"]
    staff = signed_in(app, session_factory)
    case = staff.get(f"/staff/complaints/{complaint.id}").get_data(as_text=True)
    assert "not kept: declared image/jpeg, but the content is image/png" in case
    assert f'href="/staff/media/{rows[1].id}" download' in case
    served = staff.get(f"/staff/media/{rows[1].id}")
    assert served.headers["Content-Disposition"].startswith("attachment") and served.data == doc
    assert staff.get(f"/staff/media/{rows[0].id}").status_code == 404  # refused: no bytes to serve


_addresses = itertools.count(1)


def _queued(session_factory, *urls_and_types: tuple[str, str | None]) -> list[int]:
    """Files noted for one new contact's message, as a turn notes them; the ids of every media row so far."""
    with session_factory.begin() as s:
        contact = make_contact(s, address=f"tel:+92300555{next(_addresses):04d}")
        message = s.scalars(select(Message).where(Message.contact_id == contact.id)).one()
        files = [Attachment("media", u, t) for u, t in urls_and_types]
        message.attachments = [{"kind": a.kind, "ref": a.ref, "content_type": a.content_type} for a in files]
        enqueue(s, contact.id, message.id, "sms", files, FIXED_NOW)
    return [r.id for r in _rows(session_factory)]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the queries are covered on PostgreSQL above
def test_an_image_shows_to_staff(app, fake_twilio, session_factory, fetch):
    _queued(session_factory, (fake_twilio.add_media(png(), "image/png"), "image/png"))
    fetch()
    [row] = _rows(session_factory)
    staff = signed_in(app, session_factory)
    page = staff.get(f"/staff/contacts/{row.contact_id}").get_data(as_text=True)
    assert f'<img src="/staff/media/{row.id}" alt="image the worker sent"' in page
    assert staff.get(f"/staff/media/{row.id}").headers["Content-Type"] == "image/png"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the queries are covered on PostgreSQL above
def test_too_large_unknown_and_foreign_files_are_refused_with_the_reason(fake_twilio, session_factory, fetch):
    big = b"%PDF-1.4\n" + b"0" * 4096
    html = b"<html><body>error</body></html>"
    other_account = fake_twilio.add_media(png(), "image/png").replace(ACCOUNT_SID, "AC" + "f" * 32)
    elsewhere = "https://media.example.net/2010-04-01/Accounts/%s/Messages/MM%s/Media/ME%s" % (
        ACCOUNT_SID, "1" * 32, "2" * 32)
    _queued(session_factory, (fake_twilio.add_media(big, "application/pdf"), "application/pdf"),
            (fake_twilio.add_media(html, None), None), (other_account, "image/png"), (elsewhere, "image/png"),
            (fake_twilio.add_media(b"GIF89a" + b"\0" * 20, "image/gif"), "image/gif"))
    before = len(fake_twilio.media_requests)
    stats = fetch(policy=MediaPolicy.parse(2048, "application/pdf,image/png"))
    assert stats.refused == 5
    errors = [r.error for r in _rows(session_factory)]
    assert errors[0].startswith("too large: 4 KB, the limit is 2 KB")
    assert errors[1].startswith("not a file type the helpline keeps")
    assert errors[2] == errors[3] == "the media URL is not this Twilio account's media; not fetched"
    assert errors[4] == "image/gif is not an allowed type"
    assert len(fake_twilio.media_requests) - before == 6  # the foreign URLs were never requested
    with session_factory() as s:
        assert s.scalars(select(MediaBlob)).all() == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the queries are covered on PostgreSQL above
def test_provider_errors_are_retried_then_recorded(fake_twilio, session_factory, fetch):
    _queued(session_factory, (fake_twilio.add_media(VOICE, "audio/ogg"), "audio/ogg"),
            (fake_twilio.add_media(VOICE, "audio/ogg"), "audio/ogg"))
    fake_twilio.script_media(500, 404)
    stats = fetch()
    assert (stats.retried, stats.failed) == (1, 1)
    first, second = _rows(session_factory)
    assert (first.status, first.error, first.attempts) == ("pending", "Twilio answered 500", 1)
    assert (second.status, second.error) == ("failed", "Twilio answered 404 (not retried)")
    assert fetch().total == 0  # not due yet: it waits its backoff
    assert fetch(FIXED_NOW + timedelta(minutes=2)).stored == 1
    fake_twilio.script_media(*[503] * 5)
    _queued(session_factory, (fake_twilio.add_media(VOICE, "audio/ogg"), "audio/ogg"))
    at = FIXED_NOW
    for _ in range(5):
        at += timedelta(hours=2)
        fetch(at)
    last = _rows(session_factory)[-1]
    assert (last.status, last.attempts) == ("failed", 5)
    assert last.error == "gave up after 5 attempts: Twilio answered 503"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the queries are covered on PostgreSQL above
def test_wrong_credentials_never_store_anything(fake_twilio, session_factory, media_settings):
    from helpline.media import fetch_due
    from webhooks.twilio.media import TwilioMediaFetcher

    _queued(session_factory, (fake_twilio.add_media(VOICE, "audio/ogg"), "audio/ogg"))
    wrong = TwilioMediaFetcher(ACCOUNT_SID, "not-the-token", api_url=fake_twilio.url)
    assert repr(wrong) == "TwilioMediaFetcher()"
    stats = fetch_due(session_factory, {"sms": wrong}, MediaPolicy(), FIXED_NOW)
    assert stats.failed == 1 and _rows(session_factory)[0].error == "Twilio answered 401 (not retried)"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the queries are covered on PostgreSQL above
def test_a_deletion_request_and_the_retention_purge_delete_media_and_bytes(fake_twilio, session_factory, fetch):
    from helpline import retention

    def stored() -> tuple[int, int]:
        with session_factory() as s:
            return len(s.scalars(select(MediaFile.id)).all()), len(s.scalars(select(MediaBlob.media_id)).all())

    _queued(session_factory, (fake_twilio.add_media(VOICE, "audio/ogg"), "audio/ogg"))
    _queued(session_factory, (fake_twilio.add_media(png(), "image/png"), "image/png"))
    fetch()
    first, second = (r.contact_id for r in _rows(session_factory))
    assert stored() == (2, 2)
    with session_factory.begin() as s:
        retention.anonymise_contact(s, first, FIXED_NOW)
    assert stored() == (1, 1)
    periods = retention.Periods(messages=180, closed_cases=365, drafts=7)
    with session_factory.begin() as s:
        retention.purge(s, FIXED_NOW + timedelta(days=100), periods)  # not old enough yet
    assert stored() == (1, 1)
    with session_factory.begin() as s:
        retention.purge(s, FIXED_NOW + timedelta(days=200), periods)
    assert stored() == (0, 0)
    with session_factory.begin() as s:
        assert forget(s, contact_id=second) == 0


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the queries are covered on PostgreSQL above
def test_unknown_or_pending_media_are_404(app, fake_twilio, session_factory):
    [media_id] = _queued(session_factory, (fake_twilio.add_media(VOICE, "audio/ogg"), "audio/ogg"))
    staff = signed_in(app, session_factory)
    assert staff.get(f"/staff/media/{media_id}").status_code == 404  # still pending
    assert staff.get("/staff/media/999999").status_code == 404
    page = staff.get(f"/staff/contacts/{_rows(session_factory)[0].contact_id}").get_data(as_text=True)
    assert "being fetched from the provider" in page


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the queries are covered on PostgreSQL above
def test_the_worker_loops_chore_fetches_twilio_urls_as_webhooks_carry_them(fake_twilio, session_factory,
                                                                           media_settings):
    """``helpline serve``/``helpline worker`` build the chore from settings; a ``https://api.twilio.com/…`` URL (as
    a recorded webhook has it) goes to the configured API root, here the fake, in the chore's own thread."""
    from webhooks.server import build_media_chore

    local = fake_twilio.add_media(VOICE, "audio/ogg")
    _queued(session_factory, ("https://api.twilio.com" + local.removeprefix(fake_twilio.url), "audio/ogg"))
    chore = build_media_chore(media_settings, session_factory)
    assert chore is not None and build_media_chore(media_settings.model_copy(update={"twilio_auth_token": None}),
                                                   session_factory) is None
    chore(FIXED_NOW)  # returns at once; the fetch runs in its thread
    for _ in range(200):
        if _rows(session_factory)[0].status == "stored":
            break
        threading.Event().wait(0.05)
    assert _rows(session_factory)[0].status == "stored"
    assert [r.authorized for r in fake_twilio.media_requests if not r.cdn] == [True]


@pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_two_workers_fetch_each_file_once(fake_twilio, session_factory, media_settings):
    """Several instances on one PostgreSQL: concurrent passes take disjoint files (SKIP LOCKED), each fetched once."""
    from concurrent.futures import ThreadPoolExecutor

    from helpline.media import fetch_due
    from webhooks.twilio.media import fetcher_from_settings

    for _ in range(3):
        _queued(session_factory, *[(fake_twilio.add_media(VOICE, "audio/ogg"), "audio/ogg") for _ in range(2)])

    def work(name: str) -> int:
        fetcher = fetcher_from_settings(media_settings)
        return fetch_due(session_factory, {"sms": fetcher}, MediaPolicy(), FIXED_NOW, worker=name, limit=2).stored

    with ThreadPoolExecutor(3) as pool:
        assert sum(pool.map(work, ["w1", "w2", "w3"])) == 6
    paths = [r.path for r in fake_twilio.media_requests if not r.cdn]
    assert len(paths) == len(set(paths)) == 6
    assert {r.status for r in _rows(session_factory)} == {"stored"}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the same rows and queries as the MMS test above
def test_a_whatsapp_voice_note_is_fetched_and_heard_like_an_mms_one(app, fake_twilio, session_factory, fetch):
    """Issue 18 end to end on WhatsApp's own form: a voice note alone from ``whatsapp:+92…`` queues the worker for a
    person, is fetched with the account's credentials on the worker's pass, and plays for signed-in staff only."""
    from tests.harness import WhatsApp

    media = mms(fake_twilio, (VOICE, "audio/ogg"))
    replies = WhatsApp(app.test_client()).messages("", MessageType="audio", **media)
    assert replies and "person" in " ".join(replies).lower()  # the voice-note reply, with the way to a person
    [row] = _rows(session_factory)
    assert (row.status, row.channel) == ("pending", "whatsapp")
    assert fake_twilio.media_requests == []  # nothing fetched on the webhook's path

    assert fetch().stored == 1
    media_get = fake_twilio.media_requests[0]
    assert media_get.authorized
    staff = signed_in(app, session_factory)
    assert f'src="/staff/media/{row.id}"' in staff.get("/staff/handoff").get_data(as_text=True)
    assert staff.get(f"/staff/media/{row.id}").data == VOICE
    assert app.test_client().get(f"/staff/media/{row.id}").status_code == 302
