"""Issue 14, item 5: the Urdu and Roman Urdu texts use one word per term (locales/glossary.toml), Urdu punctuation
in Urdu script, and no label is left in English.

Checked: every ur / ur-Latn catalog string (locales/<lang>/LC_MESSAGES/*.po) and the worker-facing knowledge-base
fields (title, short, sms, long, country variants included) of locales/kb/topics/*.toml. Placeholders, the
keywords the bot parses (AGENT, MORE, STATUS...) and web addresses are not text.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parents[1] / "locales"
GLOSSARY = tomllib.loads((LOCALES / "glossary.toml").read_text(encoding="utf-8"))
KEYWORDS = {w for words in GLOSSARY.pop("keywords").values() for w in words}
TERMS = GLOSSARY
LANGS = ("ur", "ur-Latn")
FIELDS = ("title", "short", "sms", "long")

# Topics whose texts are being rewritten with per-country variants (issue 14, item 3): held to the glossary once
# that work lands; until then their ur / ur-Latn wording is the country work's.
PENDING_TOPICS: frozenset[str] = frozenset()
# Catalog strings that are rightly the same in every language (names of languages, bare placeholders).
SAME_AS_ENGLISH = frozenset({"lang.name.en", "lang.name.ur", "lang.name.ur-Latn", "complaint.label",
                             "complaint.fields.1", "oep.candidate", "oep.candidate.sms", "status_lookup.result",
                             "roshan_digital_account:title"})
# ... and in Roman Urdu, where the glossary's word is the English one.
SAME_IN_ROMAN_URDU = frozenset({"complaint.field.cnic", "complaint.field.passport", "menu.main"}
                               | {f"faq.country.{c}" for c in ("SA", "AE", "QA", "OM", "KW", "BH", "MY")})

PLACEHOLDER = re.compile(r"\{[a-z_0-9]+\}|%\([a-z_0-9]+\)s")
URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:gov\.pk|com\.pk|org\.pk|pk|com|org|int|net)(?:/\S*)?",
                 re.IGNORECASE)
CLAUSE = re.compile(r"\[\[|\]\]|\|\|")
ARABIC = "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff"
# A Latin comma, semicolon or question mark with Urdu on either side; a Latin full stop after an Urdu word.
LATIN_MARK = re.compile(rf"[{ARABIC}][\s)\"'»]*[,;?]|[,;?]\s*[(«\"']*[{ARABIC}]|[{ARABIC}][)\"'»]*\.(?!\d)")


def catalogs() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for lang in ("en",) + LANGS:
        out[lang] = {}
        for path in sorted((LOCALES / lang.replace("-", "_") / "LC_MESSAGES").glob("*.po")):
            with path.open("rb") as fh:
                for m in read_po(fh):
                    if m.id and m.string and isinstance(m.id, str):
                        out[lang][f"{path.stem}:{m.id}"] = str(m.string)
    return out


def kb_texts() -> dict[str, dict[str, str]]:
    """lang → {"topic:field[:country]": text} for the worker-facing fields."""
    out: dict[str, dict[str, str]] = {lang: {} for lang in ("en",) + LANGS}
    for path in sorted((LOCALES / "kb" / "topics").glob("*.toml")):
        topic = tomllib.loads(path.read_text(encoding="utf-8"))
        if topic["id"] in PENDING_TOPICS:
            continue
        for lang in out:
            section = topic.get(lang, {})
            for field in FIELDS:
                if isinstance(section.get(field), str):
                    out[lang][f"{topic['id']}:{field}"] = section[field]
            for country, variant in section.get("by_country", {}).items():
                for field in FIELDS:
                    if isinstance(variant.get(field), str):
                        out[lang][f"{topic['id']}:{field}:{country}"] = variant[field]
    return out


CATALOGS = catalogs()
KB = kb_texts()


def words(text: str) -> str:
    """The text a worker reads as words: without placeholders, clause markers, web addresses and keywords."""
    text = CLAUSE.sub(" ", PLACEHOLDER.sub(" ", text))
    text = URL.sub(" ", text)
    for kw in KEYWORDS:
        if kw.isascii():
            text = re.sub(rf"\b{re.escape(kw)}\b", " ", text)  # keywords in capitals only: "agent" is a word
    return text


def whole(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)


def avoided(text: str, lang: str) -> list[str]:
    """The avoided words in a text; an avoided keyword (MORE in Urdu) counts in capitals only."""
    for term in TERMS.values():
        for name in term.get(lang, {}).get("keep", []):
            text = re.sub(re.escape(name), " ", text, flags=re.IGNORECASE)
    plain, raw = words(text), PLACEHOLDER.sub(" ", text)
    return [w for term in TERMS.values() for w in term.get(lang, {}).get("avoid", [])
            if (re.search(rf"(?<!\w){re.escape(w)}(?!\w)", raw) if w in KEYWORDS else whole(w).search(plain))]


def all_texts(lang: str) -> dict[str, str]:
    return {**CATALOGS[lang], **{f"kb:{k}": v for k, v in KB[lang].items()}}


def test_the_glossary_is_complete():
    for name in ("complaint", "ticket_number", "protector", "mission", "cnic", "passport", "person", "more",
                 "agent", "oep", "employer"):
        term = TERMS[name]
        assert term["en"] and term["note"], name
        for lang in LANGS:
            assert term[lang]["use"], (name, lang)
            clash = set(map(str.casefold, term[lang]["use"])) & set(map(str.casefold, term[lang].get("avoid", [])))
            assert not clash, (name, lang, clash)


@pytest.mark.parametrize("lang", LANGS)
def test_no_avoided_word(lang):
    bad = {key: found for key, text in all_texts(lang).items() if (found := avoided(text, lang))}
    assert not bad, f"{len(bad)} {lang} texts use words the glossary avoids: {bad}"


@pytest.mark.parametrize("lang", LANGS)
def test_catalogs_use_the_glossary_terms(lang):
    """Where the English string names a term, the translation uses the glossary's word for it."""
    missing = {}
    for key, en in CATALOGS["en"].items():
        text = CATALOGS[lang].get(key)
        if text is None or key.endswith(".sms"):  # an SMS short form may leave a word out to save a part
            continue
        plain, en_plain = words(text).casefold(), PLACEHOLDER.sub(" ", en)
        for name, term in TERMS.items():
            if term.get("check", True) is False:
                continue
            if any(re.search(p, en_plain, re.IGNORECASE) for p in term["en"]):
                if not any(f.casefold() in (text.casefold() if f in KEYWORDS else plain) for f in term[lang]["use"]):
                    missing.setdefault(key, []).append(name)
    assert not missing, f"{lang} catalog strings without the glossary's word: {missing}"


def test_urdu_script_uses_urdu_punctuation():
    bad = {}
    for key, text in all_texts("ur").items():
        plain = PLACEHOLDER.sub("ب", CLAUSE.sub(" ", URL.sub(" ", text)))
        found = [plain[max(0, m.start() - 12):m.end() + 12] for m in LATIN_MARK.finditer(plain)]
        if found:
            bad[key] = found
    assert not bad, f"Latin , . ? ; inside Urdu (use ، ۔ ؟ ؛): {bad}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_label_translated(lang):
    """No string with words is the English one, unchanged (keywords and names of languages aside)."""
    allowed = SAME_AS_ENGLISH | (SAME_IN_ROMAN_URDU if lang == "ur-Latn" else frozenset())
    same = [key for key, en in CATALOGS["en"].items()
            if key.split(":", 1)[1] not in allowed and re.search(r"[A-Za-z]{2,}", words(en))
            and CATALOGS[lang].get(key, "").strip().casefold() == en.strip().casefold()]
    same += [f"kb:{k}" for k, en in KB["en"].items() if k not in allowed and re.search(r"[A-Za-z]{2,}", words(en)) and KB[lang].get(k, "").strip().casefold() == en.strip().casefold()]
    assert not same, f"{lang} strings left in English: {same}"


@pytest.mark.parametrize(("text", "lang", "bad"), [
    ("انسان سے بات", "ur", ["انسان"]),
    ("انسانی اسمگلنگ", "ur", []),  # whole words only
    ("Insan se baat: AGENT", "ur-Latn", ["insan"]),
    ("Baqi ke liye MORE bhejein", "ur-Latn", ["MORE"]),  # an avoided keyword, in capitals
    ("Thori aur madad? MAZEED bhejein", "ur-Latn", []),
    ("Mission: نمبر کے لیے AGENT لکھیں", "ur", []),
    ("{mission_contacts}", "ur-Latn", []),
    ("Pakistani mission", "ur-Latn", ["mission"]),
])
def test_avoided_words_are_found(text, lang, bad):
    assert avoided(text, lang) == bad


def test_latin_marks_are_found():
    assert LATIN_MARK.search("نام, پتہ")
    assert LATIN_MARK.search("کیا ہوا?")
    assert LATIN_MARK.search("بھیجیں.")
    assert not LATIN_MARK.search("12,000 سے زیادہ")
    assert not LATIN_MARK.search("(Emigration Rules 1979, rule 28)")
