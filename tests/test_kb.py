"""The knowledge base: the whole base passes `kb check`, placeholders stay visible until set."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpline import kb as kb_mod
from helpline.errors import ConfigError
from helpline.messages import LANGUAGES
from helpline.settings import REPO_ROOT

SHARED_TOPICS = REPO_ROOT.parent / "shared" / "knowledge" / "topics.md"


def test_the_bundled_base_has_no_problems(core):
    expected = kb_mod.topic_ids_from_markdown(SHARED_TOPICS) if SHARED_TOPICS.exists() else None
    assert kb_mod.check(core.kb, expected) == []


def test_every_topic_has_three_languages_and_a_source(core):
    for topic in core.kb.topics.values():
        assert set(topic.texts) == set(LANGUAGES), topic.id
        assert topic.sources, topic.id
        for lang in LANGUAGES:
            assert core.kb.answer(topic.id, lang).splitlines()[-1].split(":")[0] in ("Source", "ماخذ")


def test_unset_placeholders_are_visible_and_set_ones_are_filled(core, tmp_path):
    kb = core.kb
    assert kb.fill("call {helpline_phone}") == "call <helpline phone number>"
    deployment = tmp_path / "deployment.toml"
    deployment.write_text('[values]\nhelpline_phone = "+92 300 0000000"\n', "utf-8")
    filled = kb_mod.load(REPO_ROOT / "locales", deployment)
    assert filled.fill("call {helpline_phone}") == "call +92 300 0000000"


def test_no_answer_invents_a_phone_number(core):
    """Phone numbers in answers must come from placeholders; only numbers that topics.md gives are allowed."""
    if not SHARED_TOPICS.exists():
        pytest.skip("../shared/knowledge/topics.md is not beside this checkout")
    allowed = set(re.findall(r"\+?\d[\d -]{7,}\d", SHARED_TOPICS.read_text("utf-8")))
    allowed = {re.sub(r"\D", "", n) for n in allowed}
    for topic in core.kb.topics.values():
        for text in topic.texts.values():
            for field in (text.short, text.long or ""):
                for number in re.findall(r"\+?\d[\d -]{7,}\d", field):
                    digits = re.sub(r"\D", "", number)
                    if len(digits) >= 9:  # phone-number length; "2021-2023" is a year range
                        assert digits in allowed, f"{topic.id}: {number} is not from topics.md"


def test_broken_files_are_reported_not_crashed(tmp_path):
    topics = tmp_path / "kb" / "topics"
    topics.mkdir(parents=True)
    (topics / "good.toml").write_text(_topic("good"), "utf-8")
    (topics / "bad.toml").write_text("id = [", "utf-8")
    (topics / "renamed.toml").write_text(_topic("other"), "utf-8")
    base = kb_mod.load(tmp_path)
    problems = kb_mod.check(base, ["good", "missing"])
    text = "\n".join(problems)
    assert "bad.toml: not valid TOML" in text
    assert "renamed.toml: id 'other' does not match" in text
    assert "missing: listed in topics.md but has no file" in text
    assert "{nowhere}" in text  # undeclared placeholder


def test_a_bad_deployment_file_names_the_variable(tmp_path):
    bad = tmp_path / "d.toml"
    bad.write_text("nothing = 1\n", "utf-8")
    with pytest.raises(ConfigError, match="HELPLINE_DEPLOYMENT_FILE"):
        kb_mod.load(REPO_ROOT / "locales", bad)


def _topic(tid: str) -> str:
    sections = "".join(
        f'\n["{lang}"]\ntitle = "T"\nquestions = ["a", "b", "c"]\nkeywords = {{ "x" = 1 }}\n'
        f'short = "call {{nowhere}}"\nsource = "S"\n'
        for lang in LANGUAGES
    )
    return f'id = "{tid}"\n[[sources]]\nref = "seed"\n{sections}'


def test_topic_fixture_is_valid_toml():
    import tomllib

    assert tomllib.loads(_topic("x"))["id"] == "x"
    assert Path(__file__).exists()
