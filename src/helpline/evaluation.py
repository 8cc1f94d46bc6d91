"""Measuring the FAQ matcher on a labelled TSV (``text``, ``expected_topic`` or ``NONE``, ``lang``)."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from helpline.matcher import Matcher

NONE = "NONE"


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
class Report:
    """Top-1 accuracy per language on topic rows, and how many NONE rows were declined."""

    correct: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    total: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    answered: int = 0  # topic rows answered outright (no suggestion step) and right
    none_declined: int = 0
    none_total: int = 0
    errors: list[tuple[Row, str | None, str]] = field(default_factory=list)

    @property
    def top1(self) -> float:
        """Overall top-1 accuracy on rows that have a topic."""
        n = sum(self.total.values())
        return sum(self.correct.values()) / n if n else 0.0

    def format(self, show_errors: bool = False) -> str:
        """A human-readable summary."""
        lines = [f"top-1 overall: {self.top1:.1%} ({sum(self.correct.values())}/{sum(self.total.values())})"]
        for lang in sorted(self.total):
            lines.append(f"top-1 {lang}: {self.correct[lang] / self.total[lang]:.1%} "
                         f"({self.correct[lang]}/{self.total[lang]})")
        n = sum(self.total.values())
        lines.append(f"answered outright and right: {self.answered / n:.1%}" if n else "no topic rows")
        if self.none_total:
            lines.append(f"NONE declined: {self.none_declined / self.none_total:.1%} "
                         f"({self.none_declined}/{self.none_total})")
        if show_errors:
            lines += [f"  {row.expected:28} got {got or 'NONE':28} [{decision}] {row.text}"
                      for row, got, decision in self.errors]
        return "\n".join(lines)


def evaluate(matcher: Matcher, rows: list[Row]) -> Report:
    """Run the matcher over every row. A topic row counts when the top candidate is right and not declined."""
    report = Report()
    for row in rows:
        m = matcher.match(row.text)
        got = m.predicted
        if row.expected == NONE:
            report.none_total += 1
            if got is None:
                report.none_declined += 1
            else:
                report.errors.append((row, got, m.decision))
            continue
        report.total[row.lang] += 1
        if got == row.expected:
            report.correct[row.lang] += 1
            report.answered += m.decision == "answer"
        else:
            report.errors.append((row, got, m.decision))
    return report
