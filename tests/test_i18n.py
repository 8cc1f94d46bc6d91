"""The gettext catalogs: every message id in all three languages, and every key the code uses exists."""

from __future__ import annotations

import re
import string

from helpline.i18n import I18n, load_catalogs
from helpline.messages import LANGUAGES, Text
from helpline.settings import REPO_ROOT

SRC = REPO_ROOT / "src" / "helpline"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_id_exists_in_all_three_languages():
    catalogs = load_catalogs(REPO_ROOT / "locales")
    ids = set().union(*(set(c) for c in catalogs.values()))
    variants = {msgid for msgid in ids if msgid.endswith(".sms") and msgid.removesuffix(".sms") in ids}
    ids -= variants
    for lang in LANGUAGES:
        missing = ids - set(catalogs[lang])
        assert not missing, f"{lang} lacks {sorted(missing)}"
    for msgid in variants:  # a short SMS wording is per language (where K is too long there), with K's fields
        for lang in LANGUAGES:
            if msgid in catalogs[lang]:
                base = catalogs[lang][msgid.removesuffix(".sms")]
                assert _fields(catalogs[lang][msgid]) <= _fields(base), f"{lang} {msgid}: fields not in {base!r}"
    for msgid in ids:
        fields = {lang: _fields(catalogs[lang][msgid]) for lang in LANGUAGES}
        assert len({frozenset(f) for f in fields.values()}) == 1, f"{msgid}: placeholders differ {fields}"


def test_every_key_the_code_uses_is_in_the_catalogs():
    catalogs = load_catalogs(REPO_ROOT / "locales")
    used: set[str] = set()
    key = r"([a-z][a-z_]*\.[a-z_.-]+)"  # message ids have a dot: "menu.title"
    pattern = re.compile(rf"""(?:say|main_menu|Text)\(\s*["']{key}["']|label = ["']{key}["']""")
    for path in SRC.rglob("*.py"):
        for m in pattern.finditer(path.read_text("utf-8")):
            used.add(m.group(1) or m.group(2))
    assert used, "the scan found no keys: the pattern is stale"
    missing = used - set(catalogs["en"])
    assert not missing, f"keys used in code but not in the catalogs: {sorted(missing)}"


def test_english_and_roman_urdu_interface_strings_are_gsm7():
    from helpline.sms import is_gsm7

    catalogs = load_catalogs(REPO_ROOT / "locales")
    for lang in ("en", "ur-Latn"):
        for msgid, text in catalogs[lang].items():
            if msgid.startswith("lang.name."):
                continue  # a language's own name is written in its own script on purpose
            assert is_gsm7(text), f"{lang} {msgid} is not GSM-7: {text!r}"


def test_fallback_chain_and_unknown_key(core):
    i18n = I18n({"en": {"a": "A {x}"}, "ur": {}, "ur-Latn": {}}, core.kb)
    assert i18n.render(Text("a", {"x": 1}), "ur") == "A 1"  # falls back to English
    assert i18n.render(Text("nope"), "ur") == "nope"  # visible, not a crash
    assert i18n.render(Text("a"), "en") == "A {x}"  # a missing parameter stays visible


def test_no_prompt_asks_for_a_twilio_opt_out_word():
    """A lone CANCEL, END, QUIT or STOP unsubscribes the number at Twilio: never ask a worker to send one."""
    catalogs = load_catalogs(REPO_ROOT / "locales")
    words = re.compile(r"\b(STOP|STOPALL|UNSUBSCRIBE|CANCEL|END|QUIT|REVOKE|OPTOUT)\b")
    for lang, cat in catalogs.items():
        for msgid, text in cat.items():
            assert not words.search(text), f"{lang} {msgid} asks for an opt-out word: {text!r}"
