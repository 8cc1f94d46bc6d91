"""Which sources the knowledge base may cite, and how sure an answer may sound (issue 14, item 4).

``locales/kb/sources.toml`` lists publishers, each with the strings that identify it and a kind (primary,
secondary, helpline, design). Every ``[[sources]]`` ref and every part of a ``source`` label must be classified
by it; an answer whose label rests only on secondary sources must say so in its own text ("news report",
"third-party summary", ...); no topic cites a foreign country's scheme (India's MADAD or eMigrate) as if it
applied to Pakistani workers.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from helpline.kb import KnowledgeBase

SOURCES_FILE = "sources.toml"
KINDS = ("primary", "secondary", "helpline", "design")
LABEL_SPLIT = re.compile(r"[;؛]")

# Other countries' schemes for their own migrants: never cited, in any field of any topic.
FOREIGN_SCHEMES = re.compile(r"\bMADAD\b|madad\.gov\.in|mea\.gov\.in|\beMigrate\b|emigrate\.gov\.in")

# Words by which an answer says it rests on a secondary source, per language (case-insensitive). Not a bare
# "report": "keep reports and bills" / «میڈیکل رپورٹیں» are medical reports, not a hedge.
HEDGES = {
    "en": ("news", "reported", "(report", "report of", "reports say", "third-party", "summary", "unconfirmed",
           "according to", "law firm", "lawyer", "column", "broker"),
    "ur-Latn": ("khabar", "khabr", "reported", "(report", "third-party", "khulasa", "unconfirmed", "law firm",
                "lawyer", "wakeel", "ke mutabiq", "broker"),
    "ur": ("(رپورٹ", "رپورٹ کے مطابق", "رپورٹس)", "خبر", "غیر سرکاری", "خلاصہ", "غیر مصدقہ", "کے مطابق", "وکیل"),
}


@dataclass(frozen=True)
class Publisher:
    name: str
    kind: str
    match: tuple[str, ...]


def load_publishers(kb_dir: Path) -> list[Publisher]:
    data = tomllib.loads((Path(kb_dir) / SOURCES_FILE).read_text("utf-8"))
    return [Publisher(name=str(p["name"]), kind=str(p["kind"]), match=tuple(str(m) for m in p["match"]))
            for p in data.get("publisher", [])]


def publishers_of(piece: str, publishers: list[Publisher]) -> list[Publisher]:
    """The publishers whose identifying strings occur in ``piece`` (a ref or one part of a source label)."""
    folded = piece.casefold()
    return [p for p in publishers if any(m.casefold() in folded for m in p.match)]


def kind_of(piece: str, publishers: list[Publisher]) -> str | None:
    """The piece's kind: secondary when any matching publisher is secondary (a summary of a law is what was
    read), else the kind of the first match; None when nothing matches."""
    found = publishers_of(piece, publishers)
    if not found:
        return None
    kinds = {p.kind for p in found}
    return "secondary" if "secondary" in kinds else found[0].kind


def label_parts(label: str) -> list[str]:
    return [part.strip() for part in LABEL_SPLIT.split(label) if part.strip()]


def hedged(text: str, lang: str) -> bool:
    folded = text.casefold()
    return any(word.casefold() in folded for word in HEDGES.get(lang, HEDGES["en"]))


def _answers(kb: KnowledgeBase):
    """(where, language, source label, answer texts) for every general answer and country variant."""
    for tid, topic in kb.topics.items():
        for lang, t in topic.texts.items():
            yield f"{tid}/{lang}", lang, t.source, [t.short] + ([t.long] if t.long else [])
            for code, v in t.by_country.items():
                yield f"{tid}/{lang}@{code}", lang, v.source, [v.short] + ([v.long] if v.long else [])


def problems(kb: KnowledgeBase, kb_dir: Path) -> list[str]:
    """Every source problem in the base: unclassified refs or label parts, a foreign scheme cited anywhere, an
    answer resting only on secondary sources that does not say so."""
    publishers = load_publishers(kb_dir)
    out = [f"{SOURCES_FILE}: {p.name}: kind {p.kind!r} is not one of {', '.join(KINDS)}"
           for p in publishers if p.kind not in KINDS]
    for path in sorted((Path(kb_dir) / "topics").glob("*.toml")):
        found = FOREIGN_SCHEMES.search(path.read_text("utf-8"))
        if found:
            out.append(f"{path.stem}: cites a foreign scheme: {found.group(0)!r}")
    for tid, topic in kb.topics.items():
        for source in topic.sources:
            for piece in label_parts(str(source.get("ref", ""))):
                if kind_of(piece, publishers) is None:
                    out.append(f"{tid}: [[sources]] ref {piece!r} has no publisher in {SOURCES_FILE}")
    for where, lang, label, texts in _answers(kb):
        kinds = []
        for part in label_parts(label):
            kind = kind_of(part, publishers)
            if kind is None:
                out.append(f"{where}: source label part {part!r} has no publisher in {SOURCES_FILE}")
            kinds.append(kind)
        if kinds and all(k == "secondary" for k in kinds):  # no primary part, nor the helpline's own practice
            for text in texts:
                if not hedged(text, lang):
                    out.append(f"{where}: rests only on secondary sources ({label}) but does not say so: "
                               f"{text[:60]!r}...")
    return out
