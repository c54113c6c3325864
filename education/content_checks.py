"""Plain-language checks on patient text, shared by the tests and the admin.

The reading grade is Flesch-Kincaid (textstat); sentences are counted here because a grade is
an average and hides the one long sentence a reader gets lost in.
"""

import re

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


def shared_runs(text, source, length=10):
    """Runs of `length` words that appear, in order, in both texts (copying, not facts)."""

    def runs(value):
        found = words(value)
        return {" ".join(found[i : i + length]) for i in range(len(found) - length + 1)}

    return runs(text) & runs(source)
