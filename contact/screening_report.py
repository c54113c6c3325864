"""Measure screening on a labelled set of messages: recall per class, false notices, misses.

Used by `manage.py screening_report` and by the test that holds CI to the thresholds below.
"""

import csv
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from .screening import OUTCOME_LABELS, PhraseBook, active_phrases, phrase_book

DATA_DIR = Path(__file__).resolve().parent / "screening_data"
# Every labelled set, each written by a different writer who never saw the phrase list or the
# other sets. The phrase list was tuned on the first two and on the training sets; the word
# model learns from all of them. test_messages.csv measured the model before it learned from it
# too (README, Safety screening, gives the figures).
LABELLED_SETS = [
    DATA_DIR / name
    for name in [
        "labelled_messages.csv",
        "holdout_messages.csv",
        "test_messages.csv",
        "training_a.csv",
        "training_b.csv",
        "training_c.csv",
        "training_d.csv",
        "training_e.csv",
        "training_f.csv",
    ]
]
# Measures a model trained without it; then the shipped model learns from it too.
TEST_SET = DATA_DIR / "test_messages.csv"
DEFAULT_PHRASES = DATA_DIR / "default_phrases.txt"

# Which result counts as a hit for each class of message.
URGENT_CLASSES = ("crisis", "emergency", "urgent")
# "urgent" is what a reviewer's screening example expects when it does not say which kind.
CLASSES = ("crisis", "emergency", "urgent", "medical", "ordinary")
EXPECTED_AS_CLASS = {"urgent": "urgent", "medical": "medical", "none": "ordinary"}
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


def examples_as_messages(examples):
    """Reviewers' screening examples (ScreeningExample rows) as labelled messages."""
    return [
        LabelledMessage(EXPECTED_AS_CLASS[example.expected], example.message, example.note)
        for example in examples
    ]


def outcome_is_right(expected, outcome):
    """Is what screening shows right for an example that expects `expected`?"""
    if expected == "urgent":
        return outcome == "urgent"
    if expected == "medical":
        return outcome in ("medical", "urgent")
    return outcome == "none"


@dataclass(frozen=True)
class ExampleChange:
    example: object  # a ScreeningExample
    before: str  # outcome: "urgent", "medical" or "none"
    after: str

    @property
    def before_label(self):
        return OUTCOME_LABELS[self.before]

    @property
    def after_label(self):
        return OUTCOME_LABELS[self.after]

    @property
    def was_right(self):
        return outcome_is_right(self.example.expected, self.before)

    @property
    def is_right(self):
        return outcome_is_right(self.example.expected, self.after)


@dataclass
class PhraseChangeImpact:
    """What an edit to the phrase list would change on the reviewers' examples."""

    checked: int = 0
    changes: list = field(default_factory=list)  # of ExampleChange

    @property
    def now_wrong(self):
        return [change for change in self.changes if change.was_right and not change.is_right]

    @property
    def now_right(self):
        return [change for change in self.changes if change.is_right and not change.was_right]

    @property
    def urgent_now_missed(self):
        return [change for change in self.now_wrong if change.example.expected == "urgent"]


def phrase_change_impact(*, examples, old=None, new=None, phrases=None):
    """Screen the examples with today's list and with one phrase replaced, added or removed.

    `old` and `new` are (kind, phrase, is_active) for the phrase before and after the edit
    (None when it is being added, or deleted). Only examples in which the old or the new
    phrase matches can change, so only those are screened in full, twice: checking an edit
    against hundreds of examples takes a fraction of a second.
    """
    current = {kind: list(texts) for kind, texts in (phrases or active_phrases()).items()}
    proposed = {kind: list(texts) for kind, texts in current.items()}
    if old and old[2] and old[1] in proposed.get(old[0], []):
        proposed[old[0]].remove(old[1])
    if new and new[2]:
        proposed.setdefault(new[0], []).append(new[1])
    impact = PhraseChangeImpact()
    if proposed == current:
        return impact
    touched = [version[1] for version in (old, new) if version]
    # Finds the examples the edited phrase matches in either version; with the medical list
    # beside it, so a phrase with @medical finds its medicines.
    finder = PhraseBook({"medical": current.get("medical", []), "urgent": touched})
    before_book = phrase_book(current)
    after_book = PhraseBook(proposed, model=before_book.model)
    for example in examples:
        impact.checked += 1
        if not finder.screen(example.message).urgent_matches:
            continue
        before = before_book.screen(example.message).outcome
        after = after_book.screen(example.message).outcome
        if before != after:
            impact.changes.append(ExampleChange(example, before, after))
    return impact


@dataclass
class ExamplesCheck:
    """Examples screened with the list as it is now."""

    results: list  # of (example, ScreeningResult)

    @property
    def wrong(self):
        return [
            (example, result)
            for example, result in self.results
            if not outcome_is_right(example.expected, result.outcome)
        ]

    def counts(self, choices):
        """(label, right, of) for each expected result, in the order of `choices`."""
        rows = []
        for expected, label in choices:
            outcomes = [r.outcome for e, r in self.results if e.expected == expected]
            right = sum(outcome_is_right(expected, outcome) for outcome in outcomes)
            rows.append((label, right, len(outcomes)))
        return rows


def examples_check(examples, phrases=None):
    """Screen each example with today's list (or `phrases`)."""
    book = phrase_book(phrases or active_phrases())
    return ExamplesCheck([(example, book.screen(example.message)) for example in examples])
