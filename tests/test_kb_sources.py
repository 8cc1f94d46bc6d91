"""Sources that apply (issue 14, item 4): every source the knowledge base cites is classified (publisher and kind,
in ``locales/kb/sources.toml``); no topic cites a foreign country's scheme; an answer resting only on secondary
sources says so in its own text; the topics whose rules differ by country carry every main destination."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpline import kb as kb_mod
from helpline import kb_sources
from helpline.settings import REPO_ROOT

KB_DIR = REPO_ROOT / "locales" / "kb"


@pytest.fixture(scope="module")
def base():
    return kb_mod.load(REPO_ROOT / "locales")


@pytest.fixture(scope="module")
def publishers():
    return kb_sources.load_publishers(KB_DIR)


def test_the_bundled_base_has_no_source_problems(base):
    assert kb_sources.problems(base, KB_DIR) == []


def test_no_topic_cites_a_foreign_scheme():
    for path in sorted((KB_DIR / "topics").glob("*.toml")):
        text = path.read_text("utf-8")
        assert not kb_sources.FOREIGN_SCHEMES.search(text), path.name
    # the Urdu word for help is not the Indian portal
    assert not kb_sources.FOREIGN_SCHEMES.search("madad ke liye AGENT likhein")


def test_the_missing_worker_answer_gives_the_pakistani_route(base):
    for lang in ("en", "ur-Latn", "ur"):
        answer = base.text("missing_worker", "long", lang)
        assert "MADAD" not in answer and "India" not in answer
    assert "CWA" in base.text("missing_worker", "long", "en")


def test_every_publisher_has_a_known_kind(publishers):
    assert publishers
    assert {p.kind for p in publishers} <= set(kb_sources.KINDS)


@pytest.mark.parametrize("piece, kind", [
    ("beoe.gov.pk/how-to-get-emigrants-protection", "primary"),
    ("HRSD", "primary"),
    ("u.ae (UAE government)", "primary"),
    ("Qatar Law 22/2021", "primary"),
    ("ILO brief 2021", "primary"),
    ("Gulf News (SPA)", "secondary"),
    ("Employment Act 1955 (summaries)", "secondary"),  # the summary is what was read
    ("bahrainofw.com (third-party)", "secondary"),
    ("Helpline design", "helpline"),
    ("example.invalid", None),
])
def test_a_source_is_classified_by_its_publisher(publishers, piece, kind):
    assert kb_sources.kind_of(piece, publishers) == kind


def test_hedges_are_read_per_language():
    assert kb_sources.hedged("Saudi Arabia: 60 days (news report of a ministry rule)", "en")
    assert kb_sources.hedged("UAE: overstay AED 50 roz (khabar).", "ur-Latn")
    assert kb_sources.hedged("کویت: 2024 میں عام معافی ملی تھی (خبر)۔", "ur")
    assert not kb_sources.hedged("Employers must insure you.", "en")
    assert not kb_sources.hedged("Keep reports and bills.", "en")  # medical reports are no hedge
    assert not kb_sources.hedged("میڈیکل رپورٹیں سنبھال کر رکھیں۔", "ur")


def test_the_check_finds_a_foreign_scheme_an_unknown_source_and_an_unhedged_answer(tmp_path):
    (tmp_path / "kb" / "topics").mkdir(parents=True)
    shutil.copy(KB_DIR / "sources.toml", tmp_path / "kb" / "sources.toml")
    section = """title = "T"
questions = ["a", "b", "c"]
keywords = { "x" = 1 }
short = "SHORT"
source = "SOURCE"
"""

    def lang(short: str, source: str) -> str:
        return section.replace("SHORT", short).replace("SOURCE", source)

    (tmp_path / "kb" / "topics" / "demo.toml").write_text(
        'id = "demo"\n\n[[sources]]\nref = "example.invalid/page"\n\n[[sources]]\nref = "madad.gov.in"\n\n'
        + "[en]\n" + lang("Employers must insure you.", "Gulf News")
        + '\n["ur-Latn"]\n' + lang("Khabar ke mutabiq employer deta hai.", "Gulf News")
        + "\n[ur]\n" + lang("آجر دیتا ہے۔", "HRSD"),
        "utf-8")
    found = "\n".join(kb_sources.problems(kb_mod.load(tmp_path), tmp_path / "kb"))
    assert "demo: cites a foreign scheme: 'madad.gov.in'" in found
    assert "ref 'example.invalid/page' has no publisher" in found
    assert "demo/en: rests only on secondary sources (Gulf News) but does not say so" in found
    assert "demo/ur-Latn" not in found  # it says so
    assert "demo/ur" not in found  # HRSD is primary


@pytest.mark.parametrize("topic", ["working_hours_rest", "medical_emergency", "stranded_undocumented"])
def test_topics_whose_rules_differ_by_country_carry_every_main_destination(base, topic):
    for lang in ("en", "ur-Latn", "ur"):
        assert set(base.topics[topic].texts[lang].by_country) == set(kb_mod.COUNTRY_CODES), (topic, lang)
    # each variant names its country (kb check enforces it for every topic; here the rule itself is shown)
    assert "Kuwait" in base.answer(topic, "en", country="KW")
