"""Plain-language checks on patient text, shared by the tests and the admin.

The reading grade is Flesch-Kincaid (textstat); sentences are counted here because a grade is
an average and hides the one long sentence a reader gets lost in.
"""

import hashlib
import re
from pathlib import Path

MAX_SENTENCE_WORDS = 25
WORD = re.compile(r"[\w$%]+(?:['\u2019\-.][\w]+)*")
# A sentence ends at . ! ? followed by a space, and at every line end (list items, headings
# and table cells are sentences of their own to a reader).
SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+|\n+")


def words(text):
    return WORD.findall(text.lower())


def sentences(text):
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def long_sentences(text, limit=MAX_SENTENCE_WORDS):
    """Sentences of more than `limit` words."""
    return [s for s in sentences(text) if len(words(s)) > limit]


COPY_RUN_WORDS = 10


def word_runs(text, length=COPY_RUN_WORDS):
    found = words(text)
    return {" ".join(found[i : i + length]) for i in range(len(found) - length + 1)}


def shared_runs(text, source, length=COPY_RUN_WORDS):
    """Runs of `length` words that appear, in order, in both texts (copying, not facts)."""
    return word_runs(text, length) & word_runs(source, length)


def run_digest(run):
    return hashlib.sha256(run.encode()).hexdigest()[:16]


def copied_runs(text, source_digests):
    """Runs of ten words of `text` whose digests are among the source's (see run_digest):
    the copy check without keeping the source articles' own sentences in the repository."""
    return {run for run in word_runs(text) if run_digest(run) in source_digests}


def write_source_digests(source_dir, out_path):
    """Store the digests of every ten-word run of the source articles (make source-digests)."""
    text = "\n".join(path.read_text() for path in sorted(Path(source_dir).glob("*.txt")))
    digests = sorted({run_digest(run) for run in word_runs(text)})
    header = (
        "# Digests (sha256, first 16 hex) of every run of ten words in the source articles\n"
        "# (../shared/seeds/*.txt), for the copy check: no sentence of theirs is kept here.\n"
        "# Made by: make source-digests\n"
    )
    Path(out_path).write_text(header + "\n".join(digests) + "\n")
    return len(digests)
