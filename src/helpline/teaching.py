"""Staff teach the bot: an unanswered question assigned to a topic becomes a training example (issue 12, item 7).

In the console's list of unanswered questions a staff member assigns a group of questions (one normalised
wording) to a knowledge-base topic, marks it out of scope, or dismisses it as noise:

- :func:`teach` resolves every open question of the group and stores **one training example per distinct
  normalised text** in ``training_examples``: the worker's words with personal numbers masked
  (:func:`helpline.privacy.mask`, so a CNIC never becomes training data), the label (a topic id or
  ``out_of_scope``), the language, the question it came from, who taught it and when;
- :func:`dismiss` resolves them as ``noise``: no training example;
- :func:`examples` is what the classifier trains on besides ``locales/kb`` (``(text, label, lang)`` triples,
  :meth:`helpline.training.TrainingSet.with_extra`), :func:`version` a cheap fingerprint a process compares to
  notice new examples without reading them all;
- :func:`export` appends the taught examples to ``locales/kb/examples/<topic>.toml`` (``helpline kb
  export-examples``), for review in a pull request like any other change to the knowledge base.

:func:`worth_teaching` says whether a message could be a question at all: keywords (MORE, STOP, menu...),
numbers and one-letter messages are not, and never reach the console's list.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from collections.abc import Collection, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from helpline.errors import InvalidInput
from helpline.lang import detect
from helpline.messages import LANGUAGES
from helpline.privacy import mask
from helpline.status.factors import parse_factor
from helpline.storage.models import Base, UnansweredQuestion
from helpline.text import normalize

OUT_OF_SCOPE = "out_of_scope"  # the classifier's label for subjects the helpline declines (helpline.training)
NOISE = "noise"
TAUGHT = "taught"
RESOLUTIONS = (TAUGHT, OUT_OF_SCOPE, NOISE)  # values of ``unanswered_questions.resolution`` (None: open)
MAX_TEXT = 500

# Whole messages that are commands, not questions, as typed (compared in normalised form): the SMS channel's
# MORE and Twilio's keywords, the engine's global words in three languages, bare yes/no answers.
_KEYWORDS_AS_TYPED = (
    "more", "aur", "mazeed", "mazid", "مزید", "اور",
    "stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout", "start", "unstop", "info",
    "help", "help me", "madad", "مدد", "/help", "/start",
    "yes", "no", "ok", "okay", "haan", "han", "ji", "jee", "nahi", "nahin", "ہاں", "جی", "نہیں",
    "menu", "main menu", "shuru", "start over", "مینو", "مین مینو", "فہرست",
    "back", "go back", "wapas", "wapas jao", "peeche", "pichhe", "piche", "واپس", "پیچھے",
    "language", "lang", "change language", "zaban", "zaban badlo", "زبان", "/language",
)
KEYWORDS: frozenset[str] = frozenset(normalize(k) for k in _KEYWORDS_AS_TYPED)
"""The keywords in normalised form (whole messages)."""
_KEYWORD_WORDS: frozenset[str] = frozenset(k for k in KEYWORDS if " " not in k)


def worth_teaching(text: str) -> bool:
    """Whether a message could be a question to learn from: not empty, not only numbers or punctuation (Urdu
    digits too), at least two letters, and not a keyword (MORE, aur, مزید, STOP, START, HELP, YES, NO, menu,
    back, 0...) or a run of keywords and numbers ("menu 2", "yes yes")."""
    if not text or not text.strip():
        return False
    if sum(1 for ch in text if ch.isalpha()) < 2:
        return False
    if parse_factor(text) is not None:  # a date of birth ("14 May 1990") or CNIC digits: never kept as a question
        return False
    norm = normalize(text)
    if not norm or norm in KEYWORDS:
        return False
    return not all(w in _KEYWORD_WORDS or w.isdigit() for w in norm.split())


def listable() -> ColumnElement[bool]:
    """SQL condition for unanswered questions worth showing staff: the part of :func:`worth_teaching` a query
    can check on ``normalized`` (not a keyword; two or more characters besides digits and spaces)."""
    rest: Any = UnansweredQuestion.normalized
    for ch in "0123456789 ":
        rest = func.replace(rest, ch, "")
    return UnansweredQuestion.normalized.not_in(sorted(KEYWORDS)) & (func.length(rest) >= 2)


class TrainingExample(Base):
    """A message a staff member labelled in the console: the classifier learns from it at once."""

    __tablename__ = "training_examples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)  # the worker's words, personal numbers masked
    label: Mapped[str] = mapped_column(String(64))  # a topic id or "out_of_scope"
    lang: Mapped[str] = mapped_column(String(16))  # "en", "ur-Latn" or "ur"
    source_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("unanswered_questions.id", ondelete="SET NULL"))
    created_by: Mapped[str] = mapped_column(String(64))  # staff username
    created_at: Mapped[datetime]

    def __repr__(self) -> str:  # never the text
        return f"TrainingExample(id={self.id!r}, label={self.label!r}, lang={self.lang!r})"


# -- teaching ------------------------------------------------------------------------------------------------


def check_label(label: str, topics: Collection[str]) -> str:
    """``label`` if it is a topic id of ``topics`` or ``out_of_scope``; else :class:`InvalidInput` saying why."""
    label = (label or "").strip()
    if label == OUT_OF_SCOPE or (label and label in topics):
        return label
    if label == NOISE:
        raise InvalidInput("noise is not a training example: dismiss the question instead")
    raise InvalidInput(f"unknown topic {label[:64]!r}: choose a topic of the knowledge base, "
                       f"{OUT_OF_SCOPE!r} or {NOISE!r}")


def open_group(session: Session, question_ids: Iterable[int]) -> list[UnansweredQuestion]:
    """The open questions with the same normalised text as any of ``question_ids``, oldest first (locked on
    PostgreSQL, so two staff members resolving one group at once do it once)."""
    ids = sorted({int(i) for i in question_ids})
    if not ids:
        return []
    wordings = select(UnansweredQuestion.normalized).where(UnansweredQuestion.id.in_(ids))
    return list(session.scalars(
        select(UnansweredQuestion)
        .where(UnansweredQuestion.normalized.in_(wordings), UnansweredQuestion.resolution.is_(None))
        .order_by(UnansweredQuestion.id).with_for_update()))


def _resolve(questions: Iterable[UnansweredQuestion], resolution: str, actor: str, now: datetime) -> None:
    for q in questions:
        q.resolution, q.resolved_by, q.resolved_at = resolution, actor[:64], now


def teach(session: Session, question_ids: Iterable[int], label: str, *, actor: str, now: datetime,
          topics: Collection[str]) -> TrainingExample | None:
    """Assign the groups of ``question_ids`` to ``label`` (a topic id of ``topics``, or ``out_of_scope``).

    Every open question with the same normalised text is resolved (``taught`` or ``out_of_scope``), and each
    distinct normalised text becomes one training example: the latest wording, masked. The same text taught
    before under the same label is not stored twice; under another label the old example is replaced (the
    latest decision wins, and :func:`version` changes). Returns the first example stored (or the existing one),
    or None when there was nothing to learn: no open question, or only keywords and numbers.
    """
    label = check_label(label, topics)
    questions = open_group(session, question_ids)
    _resolve(questions, OUT_OF_SCOPE if label == OUT_OF_SCOPE else TAUGHT, actor, now)
    latest: dict[str, tuple[UnansweredQuestion, str]] = {}
    for q in questions:  # oldest first: the latest wording of each normalised text wins
        text = mask(q.text or "").strip()[:MAX_TEXT]
        if worth_teaching(text):
            latest[normalize(text)] = (q, text)
    if not latest:
        session.flush()
        return None
    known: dict[str, list[TrainingExample]] = {}
    for example in session.scalars(select(TrainingExample).order_by(TrainingExample.id)):
        known.setdefault(normalize(example.text), []).append(example)
    first: TrainingExample | None = None
    for key, (q, text) in latest.items():
        same = known.get(key, [])
        kept = next((e for e in same if e.label == label), None)
        if kept is None:
            for old in same:
                session.delete(old)
            kept = TrainingExample(text=text, label=label, lang=_language(q.lang, text), source_question_id=q.id,
                                   created_by=actor[:64], created_at=now)
            session.add(kept)
        first = first or kept
    session.flush()
    return first


def dismiss(session: Session, question_ids: Iterable[int], *, actor: str, now: datetime) -> int:
    """Resolve the groups of ``question_ids`` as noise (no training example); how many questions."""
    questions = open_group(session, question_ids)
    _resolve(questions, NOISE, actor, now)
    session.flush()
    return len(questions)


def _language(lang: str | None, text: str) -> str:
    if lang in LANGUAGES:
        return str(lang)
    return detect(text) or "en"


def examples(session: Session) -> list[tuple[str, str, str]]:
    """Every taught example as ``(text, label, lang)``, oldest first: the classifier's extra training data."""
    rows = session.execute(select(TrainingExample.text, TrainingExample.label, TrainingExample.lang)
                           .order_by(TrainingExample.id))
    return [(text, label, lang) for text, label, lang in rows]


def version(session: Session) -> str:
    """A cheap fingerprint of the taught examples (count and newest id): changes whenever one is added or
    replaced, so a process can tell whether its model is current (``"0-0"`` when there are none)."""
    count, newest = session.execute(select(func.count(TrainingExample.id), func.max(TrainingExample.id))).one()
    return f"{count or 0}-{newest or 0}"


# -- export into locales/kb/examples ---------------------------------------------------------------------------

EXAMPLES_DIR = ("kb", "examples")
_LABEL = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")
_LIST_KEY = {"en": "en", "ur-Latn": '"ur-Latn"', "ur": "ur"}  # how each list's key is written in the files
_KEY_LINE = {lang: re.compile(r"^[ \t]*(?:%s)[ \t]*=[ \t]*\[" % "|".join(re.escape(form) for form in (
    lang, f'"{lang}"', f"'{lang}'"))) for lang in LANGUAGES}
MARKER = "# taught by staff in the console (helpline kb export-examples): review before merging"


def examples_file(locales_dir: Path, label: str) -> Path:
    """``locales/kb/examples/<topic>.toml``, or ``_out_of_scope.toml`` for ``out_of_scope``."""
    if label != OUT_OF_SCOPE and not _LABEL.match(label):
        raise InvalidInput(f"not a topic id: {label[:64]!r}")
    name = "_out_of_scope" if label == OUT_OF_SCOPE else label
    return Path(locales_dir).joinpath(*EXAMPLES_DIR, f"{name}.toml")


def export(session: Session, locales_dir: Path, *, dry_run: bool = False) -> dict[str, int]:
    """Append the taught examples to the knowledge base's example files; new strings per file name.

    A string already in the file (in any of its lists, compared in normalised form) is not added again, so
    exporting twice changes nothing. Comments and order are kept: new strings go at the end of their
    language's list under a marker comment; a file that does not look like the others is rewritten cleanly.
    Every file is checked to parse back to exactly the old lists plus the new strings before it is replaced
    (atomically). ``dry_run`` only counts.
    """
    by_label: dict[str, list[tuple[str, str]]] = {}
    for text, label, lang in examples(session):
        if label == OUT_OF_SCOPE or _LABEL.match(label):
            by_label.setdefault(label, []).append((text, lang if lang in LANGUAGES else "en"))
    counts: dict[str, int] = {}
    for label, items in sorted(by_label.items()):
        path = examples_file(locales_dir, label)
        original = path.read_text("utf-8") if path.exists() else _new_file(label)
        data = _parse(original, path)
        seen = {normalize(s) for lang in LANGUAGES for s in data.get(lang, []) if isinstance(s, str)}
        additions: dict[str, list[str]] = {}
        for text, lang in items:
            key = normalize(text)
            if text.strip() and key not in seen:
                seen.add(key)
                additions.setdefault(lang, []).append(text.strip())
        counts[path.name] = sum(len(v) for v in additions.values())
        if dry_run or (not counts[path.name] and path.exists()):
            continue
        _write_atomically(path, _with_additions(original, data, additions, path))
    return counts


def _new_file(label: str) -> str:
    head = ["# Staff-taught examples (helpline kb export-examples): one message per string."]
    if label != OUT_OF_SCOPE:
        head.append(f"id = {_toml_string(label)}")
    return "\n".join(head + [f"{_LIST_KEY[lang]} = [\n]" for lang in LANGUAGES]) + "\n"


def _parse(text: str, path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path}: not valid TOML ({exc}); fix it before exporting") from None
    for lang in LANGUAGES:
        if not isinstance(data.get(lang, []), list):
            raise InvalidInput(f"{path}: {lang!r} must be a list of strings")
    return data


def _with_additions(original: str, data: dict[str, Any], additions: dict[str, list[str]], path: Path) -> str:
    """The file with the new strings appended to their lists, checked to parse to exactly what is meant."""
    expected = {**data, **{lang: [*data.get(lang, []), *new] for lang, new in additions.items()}}
    edited = _append_in_place(original, additions)
    if edited is not None and _parses_to(edited, expected):
        return edited
    rewritten = _rewrite(original, expected, path)
    if not _parses_to(rewritten, expected):  # pragma: no cover - the serializer's own guarantee
        raise InvalidInput(f"{path}: could not write the examples back as valid TOML")
    return rewritten


def _append_in_place(text: str, additions: dict[str, list[str]]) -> str | None:
    """Insert the strings before each list's closing bracket (a line of its own); None if the layout differs."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    for lang in LANGUAGES:
        new = additions.get(lang)
        if not new:
            continue
        start = next((i for i, line in enumerate(lines) if _KEY_LINE[lang].match(line)), None)
        block = [f"  {MARKER}\n", *(f"  {_toml_string(s)},\n" for s in new)]
        if start is None:
            if any(line.lstrip().startswith("[") for line in lines):  # a table: the key would land inside it
                return None
            lines += [f"{_LIST_KEY[lang]} = [\n", *block, "]\n"]
            continue
        if "]" in lines[start].split("[", 1)[1].split("#", 1)[0]:  # a one-line list
            return None
        end = next((i for i in range(start + 1, len(lines)) if lines[i].strip() == "]"), None)
        if end is None:
            return None
        last = next((i for i in range(end - 1, start, -1)
                     if lines[i].strip() and not lines[i].lstrip().startswith("#")), None)
        if last is not None and not lines[last].rstrip().endswith(","):
            if "#" in lines[last]:
                return None  # a comment after the last string: leave it to the rewrite
            lines[last] = lines[last].rstrip() + ",\n"
        lines[end:end] = block
    return "".join(lines)


def _parses_to(text: str, expected: dict[str, Any]) -> bool:
    try:
        return tomllib.loads(text) == expected
    except tomllib.TOMLDecodeError:
        return False


def _rewrite(original: str, data: dict[str, Any], path: Path) -> str:
    """A clean file: the original's leading comments, then every key (strings and lists of strings)."""
    head = []
    for line in original.splitlines():
        if not line.startswith("#"):
            break
        head.append(line)
    out = list(head)
    for key, value in data.items():
        name = _LIST_KEY.get(key) or (key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key))
        if isinstance(value, str):
            out.append(f"{name} = {_toml_string(value)}")
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            out += [f"{name} = [", *(f"  {_toml_string(v)}," for v in value), "]"]
        else:
            raise InvalidInput(f"{path}: {key!r} is neither a string nor a list of strings; edit it by hand")
    return "\n".join(out) + "\n"


def _toml_string(value: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped, everything else as is."""
    out = ['"']
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
