"""Staff teach the bot (issue 12, item 7): an unanswered question assigned to a topic in the console becomes a
masked training example at once; noise only dismisses; keywords never reach the list; ``helpline kb
export-examples`` appends the examples to ``locales/kb/examples`` as valid TOML, idempotently."""

from __future__ import annotations

import html
import re
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline import teaching
from helpline.console.models import AuditEntry, StaffUser
from helpline.console.security import hash_password
from helpline.errors import InvalidInput
from helpline.storage.models import UnansweredQuestion
from helpline.teaching import OUT_OF_SCOPE, TrainingExample, worth_teaching
from helpline.text import normalize
from tests.conftest import FIXED_NOW
from tests.console.conftest import PASSWORD, login, post, token

IQAMA = ("Iqama khatam ho gaya, CNIC 35202-1234567-1", "iqama khatam ho gaya cnic 35202 1234567 1")
LIST = "/staff/knowledge/unanswered"
TEACH = "/staff/knowledge/unanswered/teach"


def ask(session: Session, text: str, lang: str | None = "ur-Latn", minutes: int = 0) -> int:
    """An unanswered question as the pipeline records it; returns its id."""
    row = UnansweredQuestion(text=text, normalized=normalize(text)[:500], lang=lang, best_topic="unpaid_wages",
                             best_score=0.21, created_at=FIXED_NOW - timedelta(minutes=60 - minutes))
    session.add(row)
    session.flush()
    return row.id


def shown(page: str) -> list[str]:
    """The question texts listed on a page, in order."""
    return [html.unescape(t) for t in re.findall(r'<td dir="auto" class="text">([^<]*)</td>', page)]


@pytest.fixture
def questions(session_factory) -> dict[str, int]:
    """Two wordings of one question (with a CNIC), another question, and keywords that must stay hidden."""
    with session_factory.begin() as session:
        ids = {"iqama_old": ask(session, IQAMA[0]), "iqama": ask(session, IQAMA[1], minutes=5),
               "visa": ask(session, "visa kab milega", minutes=1), "noise": ask(session, "asdf qwer", "en", 2)}
        for i, word in enumerate(("MORE", "مزید", "stop", "2", "۳۵", "k", "menu 2", "aur.")):
            ask(session, word, minutes=10 + i)
    return ids


@pytest.mark.parametrize(("text", "worth"), [
    ("", False), ("   ", False), ("2", False), ("0", False), ("12 34", False), ("۲۳", False), ("۱، ۲۔", False),
    ("+92 300 1234567", False), ("MORE", False), ("more.", False), ("aur", False), ("mazeed", False),
    ("مزید", False), ("STOP", False), ("Start", False), ("HELP", False), ("YES", False), ("no", False),
    ("menu", False), ("Back", False), ("wapas", False), ("واپس", False), ("menu 2", False), ("yes yes", False),
    ("k", False), ("a.", False), ("?!", False), ("👍", False),
    ("visa kab milega", True), ("salary nahi mili 3 mahine se", True), ("میری تنخواہ نہیں ملی", True),
    ("more money for overtime?", True), ("stop deduction from salary", True), ("ab", True),
])
def test_worth_teaching(text: str, worth: bool) -> None:
    assert worth_teaching(text) is worth


def test_staff_teach_a_group_in_the_console(as_role, session_factory, questions) -> None:
    client = as_role("agent")
    page = client.get(LIST).get_data(as_text=True)
    assert "35202-*******-1" in page and "1234567" not in page  # masked on screen
    assert page.count('<form method="post" action="/staff/knowledge/unanswered/teach" class="teach">') == 3  # iqama (2 asked), visa, asdf
    assert f'name="question" value="{questions["iqama"]}"' in page
    assert ">Changing employer or sponsor (kafala)</option>" in page and ">noise (dismiss)</option>" in page
    assert shown(page) == ["iqama khatam ho gaya cnic 35202-*******-1", "asdf qwer", "visa kab milega"]
    with session_factory() as session:
        assert teaching.version(session) == "0-0"

    response = post(client, TEACH, {"question": questions["iqama"], "label": "change_employer_sponsor"})
    assert response.status_code == 302 and response.headers["Location"].endswith(LIST)
    after = client.get(LIST).get_data(as_text=True)
    assert "Taught: Changing employer or sponsor (kafala)" in after
    assert shown(after) == ["asdf qwer", "visa kab milega"]  # the group left the open list
    resolved = client.get(LIST + "?show=resolved").get_data(as_text=True)
    assert "iqama khatam" in resolved and "Changing employer or sponsor (kafala)" in resolved and "asma" in resolved

    with session_factory() as session:
        example = session.scalars(select(TrainingExample)).one()
        assert (example.label, example.lang, example.created_by) == ("change_employer_sponsor", "ur-Latn", "asma")
        assert example.text == "iqama khatam ho gaya cnic 35202-*******-1"  # the latest wording, masked
        assert example.source_question_id == questions["iqama"] and example.created_at == FIXED_NOW
        group = session.scalars(select(UnansweredQuestion).where(
            UnansweredQuestion.id.in_([questions["iqama"], questions["iqama_old"]]))).all()
        assert {(q.resolution, q.resolved_by) for q in group} == {("taught", "asma")}
        assert session.get(UnansweredQuestion, questions["visa"]).resolution is None
        assert teaching.examples(session) == [(example.text, "change_employer_sponsor", "ur-Latn")]
        assert teaching.version(session) == f"1-{example.id}"
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "knowledge.teach")).one()
        assert audit.actor == "asma" and audit.detail["label"] == "change_employer_sponsor"
        assert audit.detail["questions"] == 2 and audit.detail["example"] == example.id

    again = post(client, TEACH, {"question": questions["iqama_old"], "label": "unpaid_wages"})
    assert again.status_code == 302
    assert "Already resolved" in client.get(LIST).get_data(as_text=True)
    with session_factory() as session:
        assert session.scalars(select(TrainingExample)).one().label == "change_employer_sponsor"


def test_out_of_scope_is_an_example_and_noise_is_not(as_role, session_factory, questions) -> None:
    client = as_role("agent")
    assert post(client, TEACH, {"question": questions["noise"], "label": "noise"}).status_code == 302
    assert "Dismissed as noise: 1 question(s)." in client.get(LIST).get_data(as_text=True)
    assert post(client, TEACH, {"question": questions["visa"], "label": OUT_OF_SCOPE,
                                "lang": "ur-Latn"}).headers["Location"].endswith(LIST + "?lang=ur-Latn")
    assert "Taught: out of scope" in client.get(LIST).get_data(as_text=True)
    with session_factory() as session:
        assert teaching.examples(session) == [("visa kab milega", OUT_OF_SCOPE, "ur-Latn")]
        assert session.get(UnansweredQuestion, questions["noise"]).resolution == "noise"
        assert session.get(UnansweredQuestion, questions["visa"]).resolution == "out_of_scope"
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("knowledge.%"))).all()
        assert sorted(actions) == ["knowledge.dismiss", "knowledge.teach"]


def test_refused_without_csrf_without_the_role_and_for_an_unknown_topic(app, as_role, session_factory,
                                                                         questions) -> None:
    form = {"question": questions["visa"], "label": "unpaid_wages"}
    agent = as_role("agent")
    refused = agent.post(TEACH, data=form)
    assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)
    assert app.test_client().post(TEACH, data=form).status_code == 400  # anonymous: CSRF first, then sign-in

    with session_factory.begin() as session:  # no role of the console (there is none below agent)
        session.add(StaffUser(username="viewer", password_hash=hash_password(PASSWORD), role="viewer", active=True,
                              session_version=1, created_at=FIXED_NOW))
    viewer = app.test_client()
    login(viewer, "viewer")
    assert viewer.post(TEACH, data={**form, "csrf_token": token(viewer)}).status_code == 403
    assert viewer.get(LIST).status_code == 403

    bad = post(agent, TEACH, {**form, "label": "visa_lottery"})
    assert bad.status_code == 400
    assert "unknown topic 'visa_lottery': choose a topic of the knowledge base" in html.unescape(bad.get_data(as_text=True))
    assert post(agent, TEACH, {**form, "label": "intent:human"}).status_code == 400
    assert post(agent, TEACH, {**form, "label": ""}).status_code == 400
    assert post(agent, TEACH, {"question": "abc", "label": "unpaid_wages"}).status_code == 400
    assert post(agent, TEACH, {"label": "unpaid_wages"}).status_code == 400
    with session_factory() as session:
        assert session.scalars(select(TrainingExample)).all() == []
        assert session.get(UnansweredQuestion, questions["visa"]).resolution is None


def test_teach_service_relabels_and_validates(session_factory, core, questions) -> None:
    topics = core.kb.topics
    with pytest.raises(InvalidInput, match="unknown topic"):
        with session_factory.begin() as session:
            teaching.teach(session, [questions["visa"]], "nope", actor="asma", now=FIXED_NOW, topics=topics)
    with pytest.raises(InvalidInput, match="dismiss"):
        with session_factory.begin() as session:
            teaching.teach(session, [questions["visa"]], "noise", actor="asma", now=FIXED_NOW, topics=topics)
    with session_factory.begin() as session:
        first = teaching.teach(session, [questions["visa"]], "unpaid_wages", actor="asma", now=FIXED_NOW,
                               topics=topics)
        assert first is not None
        before = teaching.version(session)
        later = ask(session, "Visa kab milega?", minutes=30)  # the same words, asked again after teaching
        second = teaching.teach(session, [later], "protector_registration", actor="sajid", now=FIXED_NOW,
                                topics=topics)
        assert second is not None and second.id != first.id and teaching.version(session) != before
        assert teaching.examples(session) == [("Visa kab milega?", "protector_registration", "ur-Latn")]
        assert teaching.teach(session, [later], "unpaid_wages", actor="asma", now=FIXED_NOW, topics=topics) is None
        short = ask(session, "ok ok", minutes=40)
        assert teaching.teach(session, [short], "unpaid_wages", actor="asma", now=FIXED_NOW, topics=topics) is None
        assert session.get(UnansweredQuestion, short).resolution == "taught"
        assert len(teaching.examples(session)) == 1


# Example files in the layout of locales/kb/examples/ (a comment header, the topic id, one list per language,
# comments inside lists); written here so the test does not depend on the knowledge base's current wording.
EXAMPLE_FILES = {
    "change_employer_sponsor.toml": """\
# How workers ask about Changing employer or sponsor (kafala): training examples for the FAQ classifier.
# One message per string.
id = "change_employer_sponsor"
en = [
  "can i change my kafeel without his permission",
  "how to transfer my iqama to a new company",
]
"ur-Latn" = [
  "kafeel badalna hai kaise hoga",
  "naukri badalni hai kafeel mana karta hai",
]
ur = [
  "کفیل بدلنا ہے، کیسے ہوگا",
  "نوکری بدلنی ہے، کفیل منع کرتا ہے",
]
""",
    "abuse_harassment.toml": """\
# How workers ask about Abuse, violence or harassment.
id = "abuse_harassment"
en = [
  "kafeel hits me almost every day",
]
"ur-Latn" = [
  "kafeel roz maarta hai",
]
ur = [
  "کفیل روز مارتا ہے",
]
""",
    "_out_of_scope.toml": """\
# Messages outside the helpline's remit (declined honestly).
en = [
  # "status" that is not an application status
  "how do I put a video on my WhatsApp status",
]
"ur-Latn" = [
  # cricket
  "match ka score kya hai",
]
ur = [
  "میچ کا اسکور کیا ہے",
]
""",
}


@pytest.fixture
def locales(tmp_path) -> Path:
    """A locales folder with example files to export into."""
    target = tmp_path / "locales"
    examples_dir = target / "kb" / "examples"
    examples_dir.mkdir(parents=True)
    for name, text in EXAMPLE_FILES.items():
        (examples_dir / name).write_text(text, "utf-8")
    return target


def test_export_appends_valid_toml_once(session_factory, core, questions, locales) -> None:
    examples_dir = locales / "kb" / "examples"
    with session_factory.begin() as session:
        oos = ask(session, "cricket score kya hai", minutes=20)
        urdu = ask(session, "کفیل نے \"اقامہ\" نہیں بنایا", "ur", minutes=21)
        present = tomllib.loads((examples_dir / "abuse_harassment.toml").read_text("utf-8"))["ur-Latn"][0]
        dup = ask(session, present.upper() + "!", minutes=22)  # already in the file, typed differently
        for ids, label in (([questions["iqama"]], "change_employer_sponsor"), ([urdu], "change_employer_sponsor"),
                           ([oos], OUT_OF_SCOPE), ([dup], "abuse_harassment")):
            teaching.teach(session, ids, label, actor="asma", now=FIXED_NOW, topics=core.kb.topics)
    before = {p.name: p.read_bytes() for p in examples_dir.glob("*.toml")}

    with session_factory() as session:
        assert teaching.export(session, locales, dry_run=True) == {
            "_out_of_scope.toml": 1, "abuse_harassment.toml": 0, "change_employer_sponsor.toml": 2}
        assert {p.name: p.read_bytes() for p in examples_dir.glob("*.toml")} == before  # dry run: nothing written
        assert teaching.export(session, locales)["change_employer_sponsor.toml"] == 2

    changed = {p.name for p in examples_dir.glob("*.toml") if p.read_bytes() != before[p.name]}
    assert changed == {"_out_of_scope.toml", "change_employer_sponsor.toml"}
    old = tomllib.loads(before["change_employer_sponsor.toml"].decode())
    new_text = (examples_dir / "change_employer_sponsor.toml").read_text("utf-8")
    new = tomllib.loads(new_text)
    assert new["id"] == "change_employer_sponsor"
    assert new["ur-Latn"] == [*old["ur-Latn"], "iqama khatam ho gaya cnic 35202-*******-1"]
    assert new["ur"] == [*old["ur"], "کفیل نے \"اقامہ\" نہیں بنایا"] and new["en"] == old["en"]
    kept = iter(new_text.splitlines())
    assert all(line in kept for line in EXAMPLE_FILES["change_employer_sponsor.toml"].splitlines())  # in order
    assert teaching.MARKER in new_text and "1234567" not in new_text
    oos_new = tomllib.loads((examples_dir / "_out_of_scope.toml").read_text("utf-8"))
    assert oos_new["ur-Latn"] == ["match ka score kya hai", "cricket score kya hai"] and "id" not in oos_new
    assert "  # cricket\n" in (examples_dir / "_out_of_scope.toml").read_text("utf-8")

    after = {p.name: p.read_bytes() for p in examples_dir.glob("*.toml")}
    with session_factory() as session:
        assert set(teaching.export(session, locales).values()) == {0}  # idempotent
    assert {p.name: p.read_bytes() for p in examples_dir.glob("*.toml")} == after


def test_export_creates_a_missing_file_and_rewrites_an_odd_one(session_factory, core, questions, tmp_path) -> None:
    locales = tmp_path / "locales"
    odd = locales / "kb" / "examples" / "unpaid_wages.toml"
    odd.parent.mkdir(parents=True)
    odd.write_text('# odd layout\nid = "unpaid_wages"\nen = ["salary late"]  # one line\n"ur-Latn" = [\n'
                   '  "tankhwah nahi mili"  # no comma\n]\n', "utf-8")
    with session_factory.begin() as session:
        teaching.teach(session, [questions["visa"]], "unpaid_wages", actor="asma", now=FIXED_NOW,
                       topics=core.kb.topics)
        teaching.teach(session, [questions["noise"]], "passport_confiscation", actor="asma", now=FIXED_NOW,
                       topics=core.kb.topics)
    with session_factory() as session:
        assert teaching.export(session, locales) == {"passport_confiscation.toml": 1, "unpaid_wages.toml": 1}
    data = tomllib.loads(odd.read_text("utf-8"))
    assert data == {"id": "unpaid_wages", "en": ["salary late"], "ur-Latn": ["tankhwah nahi mili", "visa kab milega"]}
    assert odd.read_text("utf-8").startswith("# odd layout\n")
    created = tomllib.loads((odd.parent / "passport_confiscation.toml").read_text("utf-8"))
    assert created == {"id": "passport_confiscation", "en": ["asdf qwer"], "ur-Latn": [], "ur": []}


def test_kb_export_examples_command(clean_env, monkeypatch, db_url, session_factory, core, questions,
                                    locales) -> None:
    from webhooks.main import main

    with session_factory.begin() as session:
        teaching.teach(session, [questions["visa"]], "change_employer_sponsor", actor="asma", now=FIXED_NOW,
                       topics=core.kb.topics)
    monkeypatch.setenv("HELPLINE_DATABASE_URL", db_url)
    monkeypatch.setenv("HELPLINE_LOCALES_DIR", str(locales))
    target = locales / "kb" / "examples" / "change_employer_sponsor.toml"
    before = target.read_bytes()
    dry = CliRunner().invoke(main, ["kb", "export-examples", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "change_employer_sponsor.toml: 1 new example(s)" in dry.output and "would add 1 example(s) to 1 file(s)" in dry.output
    assert target.read_bytes() == before
    run = CliRunner().invoke(main, ["kb", "export-examples"])
    assert run.exit_code == 0, run.output
    assert "added 1 example(s) to 1 file(s)" in run.output
    assert tomllib.loads(target.read_text("utf-8"))["ur-Latn"][-1] == "visa kab milega"
    assert "added 0 example(s) to 0 file(s)" in CliRunner().invoke(main, ["kb", "export-examples"]).output


def test_tick_groups_and_dismiss_them_as_noise_together(as_role, session_factory, questions) -> None:
    client = as_role("agent")
    page = client.get(LIST).get_data(as_text=True)
    assert 'form="bulk-noise"' in page and "Dismiss ticked as noise" in page
    response = post(client, TEACH, {"question": [questions["noise"], questions["visa"]], "label": "noise"})
    assert response.status_code == 302
    after = client.get(LIST).get_data(as_text=True)
    assert "Dismissed as noise: 2 question(s)." in after
    assert shown(after) == ["iqama khatam ho gaya cnic 35202-*******-1"]


def test_each_question_links_to_the_conversation_it_came_from(as_role, session_factory) -> None:
    from tests.factories import make_contact

    with session_factory.begin() as session:
        contact = make_contact(session, address="tel:+923001110000")
        qid = ask(session, "visa kab milega")
        session.get(UnansweredQuestion, qid).contact_id = contact.id
        contact_id = contact.id
    page = as_role("agent").get(LIST).get_data(as_text=True)
    assert f'href="/staff/contacts/{contact_id}">conversation</a>' in page
