"""Measuring FAQ matching on a labelled TSV (``text``, ``expected_topic`` or ``NONE``, ``lang``).

Per language it reports what a worker would live through: **top-1** (the topic the matcher stands behind —
answered, or first among suggestions — is right), **answered outright and right**, **answered outright and
wrong** (the harmful case: a confident answer about something else), **suggested** (a menu of 2–3 choices), and
for ``NONE`` rows the share **declined**. A row whose expected topic is ``NONE`` is out of scope.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from helpline.matcher import Match

NONE = "NONE"


class Matches(Protocol):
    """Anything with the matcher's contract (the trained matcher, the keyword matcher)."""

    def match(self, text: str) -> Match: ...


@dataclass(frozen=True)
class Row:
    """One labelled message."""

    text: str
    expected: str  # a topic id or NONE
    lang: str


def read_tsv(path: Path) -> list[Row]:
    """Rows of a TSV with a header line ``text, expected_topic, lang``."""
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [Row(r["text"], r["expected_topic"].strip(), (r.get("lang") or "").strip()) for r in reader]


@dataclass
class Tally:
    """Counts for one language (or all): topic rows and out-of-scope rows."""

    topic_rows: int = 0
    top1: int = 0
    answered_right: int = 0
    answered_wrong: int = 0
    suggested: int = 0
    none_rows: int = 0
    none_declined: int = 0

    def add(self, row: Row, m: Match) -> bool:
        """Count one row; True when the matcher got it right."""
        if row.expected == NONE:
            self.none_rows += 1
            self.none_declined += m.predicted is None
            return m.predicted is None
        self.topic_rows += 1
        right = m.predicted == row.expected
        self.top1 += right
        self.answered_right += m.decision == "answer" and right
        self.answered_wrong += m.decision == "answer" and not right
        self.suggested += m.decision == "suggest"
        return right

    def line(self, name: str) -> str:
        """One line of the report."""
        def pct(n: int, d: int) -> str:
            return f"{n / d:6.1%} ({n}/{d})" if d else "     - (0/0)"

        return (f"{name:8} top-1 {pct(self.top1, self.topic_rows)}  answered right "
                f"{pct(self.answered_right, self.topic_rows)}  answered WRONG {pct(self.answered_wrong, self.topic_rows)}"
                f"  suggested {pct(self.suggested, self.topic_rows)}  out of scope declined "
                f"{pct(self.none_declined, self.none_rows)}")


@dataclass
class Report:
    """The tallies per language and overall, and the rows it got wrong."""

    by_lang: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    overall: Tally = field(default_factory=Tally)
    errors: list[tuple[Row, str | None, str]] = field(default_factory=list)

    @property
    def top1(self) -> float:
        """Overall top-1 accuracy on rows that have a topic."""
        return self.overall.top1 / self.overall.topic_rows if self.overall.topic_rows else 0.0

    def format(self, show_errors: bool = False) -> str:
        """A human-readable summary."""
        lines = [self.overall.line("overall"), *(self.by_lang[lang].line(lang) for lang in sorted(self.by_lang))]
        if show_errors:
            lines += [f"  {row.expected:28} got {got or 'NONE':28} [{decision}] {row.text}"
                      for row, got, decision in self.errors]
        return "\n".join(lines)


def evaluate(matcher: Matches, rows: list[Row]) -> Report:
    """Run the matcher over every row."""
    report = Report()
    for row in rows:
        m = matcher.match(row.text)
        report.overall.add(row, m)
        if not report.by_lang[row.lang or "?"].add(row, m):
            report.errors.append((row, m.predicted, m.decision))
    return report
