"""The knowledge base: the whole base passes `kb check`; an unset placeholder never reaches a worker."""

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


def test_unset_placeholders_degrade_and_set_ones_are_filled(core, tmp_path):
    kb = kb_mod.without_deployment(core.kb)
    assert kb.fill("call {helpline_phone}") == "call send AGENT and a person will tell you"  # the last resort
    assert kb.fill("Mission: {mission_contacts}.", "ur") == "Mission: نمبر کے لیے AGENT لکھیں."
    assert kb.fill("Hours: 9-5.[[ Phone: {helpline_phone}.]] Bye.") == "Hours: 9-5. Bye."
    assert kb.fill("[[Phone: {helpline_phone}.||Send AGENT.]]") == "Send AGENT."
    deployment = tmp_path / "deployment.toml"
    deployment.write_text('[values]\nhelpline_phone = "+92 300 0000000"\nopf_contacts = "OPF desk"\n', "utf-8")
    filled = kb_mod.load(REPO_ROOT / "locales", deployment)
    assert filled.fill("call {helpline_phone}") == "call +92 300 0000000"
    assert filled.fill("[[Phone: {helpline_phone}.||Send AGENT.]]") == "Phone: +92 300 0000000."
    assert filled.fill("OPF: {opf_contacts}") == "OPF: OPF desk"  # the deployment wins over a public default


def test_no_placeholder_reaches_a_worker_without_a_deployment_file(tmp_path):
    """Every answer (short, sms, long; general and per country) of every topic in every language, rendered with
    no deployment file: no <label>, no {placeholder}, no [[clause]] marker survives."""
    base = kb_mod.load(REPO_ROOT / "locales")
    assert not base.values
    rendered = kb_mod.renderings(base)
    assert len(rendered) >= len(base.topics) * len(LANGUAGES) * 4
    leftovers = [(tid, lang, kind, kb_mod.LEFTOVER.search(text).group(0))
                 for tid, lang, kind, text in rendered if kb_mod.LEFTOVER.search(text)]
    assert leftovers == []
    for name in base.placeholders:  # and the single values the engine fills on its own (the urgent route)
        for lang in LANGUAGES:
            assert not kb_mod.LEFTOVER.search(base.fill("{" + name + "}", lang)), (name, lang)


def test_public_defaults_carry_their_source_publisher_and_date():
    import tomllib

    data = tomllib.loads((REPO_ROOT / "locales" / "kb" / "public_defaults.toml").read_text("utf-8"))
    base = kb_mod.load(REPO_ROOT / "locales")
    entries = [*base.defaults.values(), *base.country_defaults.values()]
    assert len(entries) >= 16 and not [p for p in base.problems if "public_defaults" in p]
    for entry in entries:
        assert entry.source.startswith("http") and entry.publisher and re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry.read)
    assert set(data) <= set(base.placeholders)
    assert base.value("opf_contacts") and base.value("local_emergency", "en", "SA") == "911"
    assert base.value("local_emergency") is None  # no country: the fallback wording, never a guess
    # per-language values: each language gets its own wording of a sourced value
    assert "DGIP" in base.value("passport_times", "en") and "ہدف" in base.value("passport_times", "ur")


def test_kb_check_lists_what_a_worker_is_not_told(core):
    gaps = kb_mod.gaps(kb_mod.without_deployment(core.kb))
    assert "mission_contacts" in gaps[("unpaid_wages", "en")]
    assert all("opf_contacts" not in names for names in gaps.values())  # a public default fills it


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


def _topic(tid: str, short: str = "call {nowhere}", sms: str | None = None) -> str:
    extra = f'sms = "{sms}"\n' if sms is not None else ""
    sections = "".join(
        f'\n["{lang}"]\ntitle = "T"\nquestions = ["a", "b", "c"]\nkeywords = {{ "x" = 1 }}\n'
        f'short = "{short}"\n{extra}source = "S"\n'
        for lang in LANGUAGES
    )
    return f'id = "{tid}"\n[[sources]]\nref = "seed"\n{sections}'


def test_topic_fixture_is_valid_toml():
    import tomllib

    assert tomllib.loads(_topic("x"))["id"] == "x"
    assert Path(__file__).exists()


def test_every_topic_has_a_one_sms_answer_within_the_limits(core):
    """The SMS answer with its source line, placeholders unset: one GSM-7 SMS with room for a menu; Urdu ≤ 2 SMS."""
    from helpline.sms import count_segments

    for topic in core.kb.topics.values():
        for lang in LANGUAGES:
            assert topic.texts[lang].sms, f"{topic.id}/{lang}: no sms text"
            info = count_segments(core.kb.answer(topic.id, lang, sms=True))
            if lang in kb_mod.SMS_CHARS:
                assert info.encoding == "GSM-7" and info.units <= kb_mod.SMS_CHARS[lang], (topic.id, lang)
            else:
                assert info.segments <= kb_mod.SMS_SEGMENTS_UR, (topic.id, lang)
            assert core.kb.answer(topic.id, lang, sms=True).endswith(core.kb.answer(topic.id, lang).splitlines()[-1])


def test_the_sms_field_is_optional_and_falls_back_to_short(tmp_path):
    topics = tmp_path / "kb" / "topics"
    topics.mkdir(parents=True)
    (topics / "plain.toml").write_text(_topic("plain", short="Short words."), "utf-8")
    (topics / "brief.toml").write_text(_topic("brief", short="Short words.", sms="Tiny."), "utf-8")
    base = kb_mod.load(tmp_path)
    assert base.answer("plain", "en", sms=True) == base.answer("plain", "en") == "Short words.\nSource: S"
    assert base.answer("brief", "en", sms=True) == "Tiny.\nSource: S"
    assert base.answer("brief", "en") == "Short words.\nSource: S"
    assert kb_mod.check(base) == []


def test_check_enforces_the_sms_limits(tmp_path):
    topics = tmp_path / "kb" / "topics"
    topics.mkdir(parents=True)
    (topics / "wordy.toml").write_text(_topic("wordy", short="Short.", sms="x" * 120), "utf-8")
    (topics / "curly.toml").write_text(_topic("curly", short="Short.", sms="don\u2019t"), "utf-8")
    (topics / "urdu.toml").write_text(_topic("urdu", short="Short.", sms="\u0627" * 140), "utf-8")
    text = "\n".join(kb_mod.check(kb_mod.load(tmp_path)))
    assert "wordy/en: SMS answer with source is 130 characters (limit 115)" in text
    assert "wordy/ur-Latn: SMS answer" in text
    assert "curly/en.sms: not GSM-7" in text and "curly/en: SMS answer is not GSM-7" in text
    assert "urdu/ur: SMS answer with source needs 3 SMS (limit 2)" in text


def test_sms_limits_are_measured_with_placeholders_unset(tmp_path):
    """A deployment's real (short) value must not hide an answer that is too long while the value is unset."""
    topics = tmp_path / "kb" / "topics"
    topics.mkdir(parents=True)
    body = "y" * 80 + " {gap}"
    (topics / "gap.toml").write_text(_topic("gap", short="Short.", sms=body)
                                     + '\n[placeholders.gap]\nlabel = "gap"\nunset = { en = "a rather long fallback '
                                       'wording here", "ur-Latn" = "x", ur = "x" }\n', "utf-8")
    deployment = tmp_path / "d.toml"
    deployment.write_text('[values]\ngap = "1"\n', "utf-8")
    base = kb_mod.load(tmp_path, deployment)
    assert len(base.answer("gap", "en", sms=True)) < 115
    assert any("gap/en: SMS answer with source is" in p for p in kb_mod.check(base))


def test_the_answer_sms_key_renders_the_one_sms_answer(core):
    from helpline.messages import Text

    for lang in LANGUAGES:
        rendered = core.i18n.render(Text("kb:unpaid_wages:answer_sms"), lang)
        assert rendered == core.kb.answer("unpaid_wages", lang, sms=True)
        assert len(rendered) < len(core.i18n.render(Text("kb:unpaid_wages:answer"), lang))


def test_a_known_country_gets_its_own_rule_and_the_answer_names_it(core):
    kb = core.kb
    assert "Saudi Arabia" in kb.answer("passport_confiscation", "en", country="SA")
    assert "UAE" in kb.answer("passport_confiscation", "en", sms=True, country="AE")
    assert kb.answer("passport_confiscation", "en", country="IQ") == kb.answer("passport_confiscation", "en")
