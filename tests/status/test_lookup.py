"""Lookups through the real service: transcripts in three languages, identical failures, throttling, the log."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from helpline.throttle import Failure
from helpline.storage.models import Message
from helpline.status.turns import WITHHELD
from tests.status.conftest import Worker


def test_english_transcript_from_the_menu(registry, core):
    worker = Worker(core, registry)
    worker.script([
        ("hello", ["Passport status"]),  # SMS shows the short label; the long one typed back still chooses it
        ("Passport / protector status", ["Send the tracking number", "Never send your full CNIC", "How it works"]),
        ("my number is 1234 - 5678 - 901", ["Number *******8901", "date of birth"]),
        ("14/05/1990", ["Passport application *******8901", "In process", "Next step:",
                        "Office: Regional Passport Office Lahore", "Tell me when it changes"]),
    ])


def test_roman_urdu_transcript_from_free_text(registry, core):
    worker = Worker(core, registry)
    worker.script([
        ("mera passport kahan hai", ["tracking number bhejein", "Poora CNIC number kabhi na bhejein"]),
        ("12345678901", ["Number *******8901", "Tasdeeq ke liye"]),
        ("0123", ["Zer-e-karwai", "Agla qadam:", "Daftar: Regional Passport Office"]),
    ])


def test_urdu_transcript_with_urdu_digits(registry, core):
    worker = Worker(core, registry)
    worker.script([
        ("میرا پاسپورٹ کہاں ہے", ["ٹریکنگ نمبر بھیجیں"]),
        ("۱۲۳۴-۵۶۷۸۹۰۱", ["نمبر *******8901", "پیدائش کی تاریخ"]),
        ("۱۴-۰۵-۱۹۹۰", ["پاسپورٹ کی درخواست", "زیر کارروائی", "اگلا قدم:", "دفتر:"]),
    ])


def test_number_in_the_first_message_skips_a_question(registry, core):
    worker = Worker(core, registry)
    worker.script([("protector status AB 1234567", ["*****4567", "date of birth"]),
                   ("4321", ["Protector (emigrant registration)", "Ready for collection",
                             "Protector of Emigrants Rawalpindi"])])


def test_not_found_and_wrong_factor_get_the_same_answer(registry, core):
    wrong_factor = Worker(core, registry, "tel:+923000000001")
    wrong_factor.say("passport status")
    wrong_factor.say("12345678901")
    a = wrong_factor.say("01-01-1970")
    not_found = Worker(core, registry, "tel:+923000000002")
    not_found.say("passport status")
    not_found.say("98765432100")
    b = not_found.say("01-01-1970")
    no_factor_stored = Worker(core, registry, "tel:+923000000003")  # the protector row has no birth date
    no_factor_stored.say("passport status")
    no_factor_stored.say("AB1234567")
    c = no_factor_stored.say("01-01-1970")
    assert a == b == c and "could not find a record" in a


def test_the_verification_answer_is_withheld_from_the_message_log(registry, core):
    worker = Worker(core, registry)
    worker.say("passport status")
    worker.say("12345678901")
    worker.say("14-05-1990")
    with registry() as session:
        texts = list(session.scalars(select(Message.text).where(Message.direction == "in")))
    assert texts[-1] == WITHHELD and not any("1990" in t for t in texts)


def failures(sessions) -> int:
    with sessions() as session:
        # one failed lookup = one row per key (the contact's and the number's hash)
        count = select(func.count()).select_from(Failure).where(Failure.scope == "status_lookup")
        by_contact = session.scalar(count.where(Failure.key.startswith("contact:")))
        assert session.scalar(count.where(Failure.key.startswith("number:"))) == by_contact
        return by_contact


def test_five_failures_from_one_phone_throttle_it(registry, core):
    worker = Worker(core, registry)
    for n in range(5):
        worker.say("passport status")
        worker.say(f"1111222233{n}")
        assert "could not find a record" in worker.say("0000")
    assert failures(registry) == 5
    reply = worker.say("passport status")
    assert "Too many unsuccessful tries" in reply and "60 minutes" in reply
    # even the right answer for a real number is not checked while throttled
    assert "Too many" in worker.say("passport status 12345678901")


def test_five_failures_on_one_number_throttle_it_for_every_phone(registry, core):
    for n in range(5):
        worker = Worker(core, registry, f"tel:+92300000010{n}")
        worker.say("passport status")
        worker.say("12345678901")
        worker.say("9999")
    owner = Worker(core, registry, "tel:+923009999999")
    owner.say("passport status")
    assert "Too many unsuccessful tries" in owner.say("12345678901")
    assert "Number" in owner.say("passport status AB1234567")  # other numbers are not affected


def test_throttle_holds_under_concurrent_attempts_on_one_number(registry, core):
    """Eight phones try one number at once with a wrong factor: at most five failures are ever counted."""
    workers = [Worker(core, registry, f"tel:+92301000000{n}") for n in range(8)]
    for worker in workers:
        worker.say("passport status 12345678901")
    replies: list[str] = []
    barrier = threading.Barrier(len(workers))

    def attempt(worker: Worker) -> None:
        barrier.wait()
        replies.append(worker.say("9999"))

    threads = [threading.Thread(target=attempt, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures(registry) == 5
    assert sum("could not find a record" in r for r in replies) == 5
    assert sum("Too many unsuccessful tries" in r for r in replies) == 3


def test_unreadable_factor_asks_again_without_counting_a_failure(registry, core):
    worker = Worker(core, registry)
    worker.say("passport status 12345678901")
    assert "day-month-year" in worker.say("I do not remember it")
    assert failures(registry) == 0
    assert "In process" in worker.say("1990-05-14")
