"""Measure screening on a labelled set of messages: recall per class, false notices, misses.

Used by `manage.py screening_report` and by the test that holds CI to the thresholds below.
"""

import csv
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from .screening import PhraseBook

DATA_DIR = Path(__file__).resolve().parent / "screening_data"
# Written by two people apart: the first set is the one the phrase list was tuned on, the
# second was kept aside and read only to measure (see README, Safety screening).
LABELLED_SETS = [DATA_DIR / "labelled_messages.csv", DATA_DIR / "holdout_messages.csv"]
DEFAULT_PHRASES = DATA_DIR / "default_phrases.txt"

# Which result counts as a hit for each class of message.
URGENT_CLASSES = ("crisis", "emergency")
CLASSES = ("crisis", "emergency", "medical", "ordinary")
THRESHOLDS = {
    # A missed crisis is the worst failure the site can have.
    "urgent_recall": 0.98,
    # A medical question is caught when it gets any notice: the urgent card also tells the
    # sender this form is not for medical questions.
    "medical_recall": 0.90,
    # An ordinary question given any notice.
    "ordinary_notice_rate": 0.05,
}


@dataclass(frozen=True)
class LabelledMessage:
    label: str
    message: str
    style: str = ""


def read_labelled(path):
    with open(path, newline="", encoding="utf-8") as file:
        rows = [
            LabelledMessage(row["label"].strip(), row["message"], row.get("style", "").strip())
            for row in csv.DictReader(file)
        ]
    unknown = {row.label for row in rows} - set(CLASSES)
    if unknown:
        raise ValueError(f"{path}: unknown labels {sorted(unknown)}")
    return rows


def read_phrase_file(path):
    """The phrase file's phrases by kind: {"urgent": [...], "medical": [...], ...}."""
    phrases, kind = {}, None
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split("  -- ")[0].strip()
        if not line or line.startswith("//"):
            continue
        if line.startswith("[") and line.endswith("]"):
            kind = line[1:-1]
            continue
        phrases.setdefault(kind, []).append(line)
    return phrases


def is_hit(label, result):
    if label in URGENT_CLASSES:
        return result.is_urgent
    if label == "medical":
        return result.needs_notice
    return not result.needs_notice


@dataclass
class Report:
    counts: dict = field(default_factory=dict)
    hits: dict = field(default_factory=dict)
    misses: list = field(default_factory=list)  # (LabelledMessage, ScreeningResult)
    timings: list = field(default_factory=list)

    def rate(self, label):
        return self.hits.get(label, 0) / self.counts[label] if self.counts.get(label) else 1.0

    @property
    def urgent_recall(self):
        total = sum(self.counts.get(label, 0) for label in URGENT_CLASSES)
        hits = sum(self.hits.get(label, 0) for label in URGENT_CLASSES)
        return hits / total if total else 1.0

    @property
    def medical_recall(self):
        return self.rate("medical")

    @property
    def ordinary_notice_rate(self):
        return 1 - self.rate("ordinary")

    @property
    def p95_ms(self):
        if len(self.timings) < 2:
            return (self.timings or [0])[0] * 1000
        return statistics.quantiles(self.timings, n=20)[-1] * 1000

    def failures(self):
        """The thresholds this report misses, in words; empty when it passes."""
        failed = []
        if self.urgent_recall < THRESHOLDS["urgent_recall"]:
            failed.append(f"urgent recall {self.urgent_recall:.1%} < 98%")
        if self.medical_recall < THRESHOLDS["medical_recall"]:
            failed.append(f"medical recall {self.medical_recall:.1%} < 90%")
        if self.ordinary_notice_rate > THRESHOLDS["ordinary_notice_rate"]:
            failed.append(f"ordinary given a notice {self.ordinary_notice_rate:.1%} > 5%")
        return failed


def evaluate(messages, screen):
    """Screen each message; count hits per class and time each one."""
    report = Report()
    for item in messages:
        started = time.perf_counter()
        result = screen(item.message)
        report.timings.append(time.perf_counter() - started)
        report.counts[item.label] = report.counts.get(item.label, 0) + 1
        if is_hit(item.label, result):
            report.hits[item.label] = report.hits.get(item.label, 0) + 1
        else:
            report.misses.append((item, result))
    return report


def evaluate_phrase_file(messages, path=DEFAULT_PHRASES):
    book = PhraseBook(read_phrase_file(path))
    return evaluate(messages, book.screen)
