"""Search over published pages.

PostgreSQL: full-text search with ranking and highlighted snippets (django.contrib.postgres);
at most RANKED_CANDIDATES matches are ranked.
Other databases (SQLite in development): every word must appear; title matches rank first.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, Q, Window
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import EducationPage

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
MAX_RESULTS = 10  # each shown result costs a headline: about 0.5 ms on PostgreSQL
RANKED_CANDIDATES = 200
SIMPLE_CANDIDATES = 200
SNIPPET_CHARS = 180
# Control characters no page contains: they mark matches until the snippet is escaped.
_START, _STOP = "\x02", "\x03"


@dataclass
class SearchResult:
    page: EducationPage
    snippet: SafeString


def clean_query(raw):
    """The words worth searching for: letters and digits only, a few of them, never an error."""
    return re.findall(r"\w+", (raw or "")[:MAX_QUERY_LENGTH])[:MAX_WORDS]


def search_pages(raw_query):
    """The best MAX_RESULTS matches, and whether more pages match than that."""
    words = clean_query(raw_query)
    if not words:
        return [], False
    if connection.vendor == "postgresql":
        return _search_postgres(words)
    return _search_simple(words)


def _highlighted(text):
    """Escape text, then turn the match markers into <mark> tags."""
    html = escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped on the line above; only our tags added


def _search_postgres(words):
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank

    query = SearchQuery(" ".join(words), search_type="websearch", config="english")
    # Ranking reads each match's whole stored document (TOASTed, a few kB): with thousands of
    # matches that was most of the time. So only the first RANKED_CANDIDATES matches found
    # are ranked; below that many matches (every real search of the clinic's pages) the
    # ranking is exact.
    candidates = (
        EducationPage.objects.published()
        .filter(search_vector=query)  # the stored document, through its GIN index
        .order_by()  # whichever it finds first: sorting them all would read them all
        .values("pk")[:RANKED_CANDIDATES]
    )
    pages = (
        EducationPage.objects.filter(pk__in=candidates)
        .only("title", "slug")  # all the results list shows
        .annotate(
            rank=SearchRank(F("search_vector"), query),
            # How many were ranked, counted before the LIMIT: are there more than we show?
            ranked=Window(Count("pk")),
            # Computed by PostgreSQL after the sort and LIMIT: for the rows shown only.
            headline=SearchHeadline(
                "body_text",
                query,
                config="english",
                start_sel=_START,
                stop_sel=_STOP,
                max_words=30,
                min_words=12,
            ),
        )
        .order_by("-rank", "title")[:MAX_RESULTS]
    )
    results = [SearchResult(page=page, snippet=_highlighted(page.headline)) for page in pages]
    return results, bool(pages) and pages[0].ranked > MAX_RESULTS


def _search_simple(words):
    """Every word must appear; pages are ranked in Python by where and how often they match."""
    condition = Q()
    for word in words:
        condition &= (
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body_text__icontains=word)
        )
    candidates = (
        EducationPage.objects.published().for_display().filter(condition)[:SIMPLE_CANDIDATES]
    )
    pattern = _words_pattern(words)

    def score(page):
        return (
            10 * len(pattern.findall(page.title))
            + 3 * len(pattern.findall(page.summary))
            + len(pattern.findall(page.body_text))
        )

    ranked = sorted(candidates, key=lambda page: (-score(page), page.title))
    results = [
        SearchResult(page=page, snippet=_simple_snippet(page, pattern))
        for page in ranked[:MAX_RESULTS]
    ]
    return results, len(ranked) > MAX_RESULTS


def _words_pattern(words):
    return re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)


def _simple_snippet(page, pattern):
    text = " ".join(page.body_text.split())
    found = pattern.search(text)
    if not found:
        return _highlighted(page.summary)
    start = max(0, found.start() - SNIPPET_CHARS // 3)
    if start:  # begin at a word, not halfway through one
        start = text.find(" ", start, found.start()) + 1 or found.start()
    window = text[start : start + SNIPPET_CHARS]
    window = (
        ("... " if start else "") + window + (" ..." if len(text) > start + SNIPPET_CHARS else "")
    )
    return _highlighted(pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", window))
