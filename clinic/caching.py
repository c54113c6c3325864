"""Whole-page caching for the public pages, cleared the moment staff change any content.

Every cached page is stored with the *content version* it was rendered under. Saving or
deleting anything patients read (pages, FAQs, references, topics, clinic details) moves the
version on, so every server sharing the cache (Redis in production) stops serving the old pages
at once: a page whose version is not the current one is rendered again.

Each request reads the current version from the shared cache, always: that one small read is
what keeps every server in step. The page itself is also kept in a small table in this
process's memory, with the version it was rendered under, and served from there only when that
version is the current one; so a process's copy can never be older than what the shared cache
says is current, and a busy page costs one tiny cache read instead of fetching and unpickling
the whole page on every request.

If the cache was down when staff saved, the new version was never stored: when Redis answers
again, ``forget_stale_entries`` starts a new version before anything is read (clinic/cache.py).
And a version lives for CONTENT_VERSION_SECONDS at most, then the next request starts a new one:
so a lost write of a new version (the only process that knew of the outage stopped, say), or a
release whose templates changed, can leave old pages in service for that long, never longer.
"""

import functools
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import set_response_etag

from .models import CLINIC_DETAILS_CACHE_KEY

CONTENT_VERSION_KEY = "portal:content-version"
# Every page is rendered again once a minute at most: a few dozen renders a minute in all.
CONTENT_VERSION_SECONDS = 60
CACHED_HEADERS = ("Content-Type", "Last-Modified", "ETag")
# Pages kept in each process's memory (about 15 KB each). The public site has a few dozen
# pages; a table this size holds them all, and is emptied when full rather than tracking use.
PROCESS_PAGES_MAX = 500

_process_pages = {}
_process_pages_lock = threading.Lock()


def content_version():
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:
        version = _start_content_version()
    return version


def _start_content_version():
    version = time.time_ns()
    # add(): if another process set a version first, use theirs.
    if not cache.add(CONTENT_VERSION_KEY, version, CONTENT_VERSION_SECONDS):
        version = cache.get(CONTENT_VERSION_KEY, version)
    return version


def content_changed(**kwargs):
    """Signal receiver: after the change commits, start a new content version."""
    transaction.on_commit(start_new_content_version)


def start_new_content_version(backend=cache):
    backend.set(CONTENT_VERSION_KEY, time.time_ns(), CONTENT_VERSION_SECONDS)


def forget_process_pages():
    with _process_pages_lock:
        _process_pages.clear()


def _keep_in_process(key, stored):
    with _process_pages_lock:
        if len(_process_pages) >= PROCESS_PAGES_MAX:
            _process_pages.clear()
        _process_pages[key] = stored


def _cached_page(key):
    """(current content version, the stored page or None): one round trip to the cache, two
    when this process holds a copy that is out of date."""
    in_process = _process_pages.get(key)
    if in_process is not None:
        version = content_version()
        if in_process[0] == version:
            return version, in_process
    found = cache.get_many([CONTENT_VERSION_KEY, key])
    version = found.get(CONTENT_VERSION_KEY) or _start_content_version()
    stored = found.get(key)
    if stored is not None and stored[0] == version:
        _keep_in_process(key, stored)
        return version, stored
    return version, None


def forget_stale_entries(sender, backend, **kwargs):
    """cache_recovered receiver: redo the writes an outage may have swallowed.

    A staff save during the outage could not store its new content version nor clear the clinic
    details, so pages and details cached before it would be served as current. Nobody knows
    whether a save happened, so always start a new version: every page renders once more.
    """
    start_new_content_version(backend)
    backend.delete(CLINIC_DETAILS_CACHE_KEY)


def cached_public_page(view):
    """Serve a public GET page from the cache; render and store it on a miss.

    Only for pages that look the same to every visitor (no forms with CSRF tokens, nothing
    from the session) and whatever the query string says. Switched off with
    DJANGO_PAGE_CACHE_SECONDS=0.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        timeout = settings.PAGE_CACHE_SECONDS
        if not timeout or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        # The path alone: these pages ignore query strings, so a campaign link's ?utm_source=...
        # gets the cached page, and made-up query strings cannot fill the cache.
        key = f"portal:page:{request.path}"
        version, stored = _cached_page(key)
        if stored is not None:
            _, content, headers = stored
            return HttpResponse(content, headers=headers)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "render"):
                response.render()
            # The ETag is worked out once here, not on every request served from the cache.
            set_response_etag(response)
            headers = {name: response[name] for name in CACHED_HEADERS if name in response}
            # Stored with the version read before rendering: if staff changed something
            # meanwhile, the next request sees a newer version and renders again.
            stored = (version, response.content, headers)
            cache.set(key, stored, timeout)
            _keep_in_process(key, stored)
        return response

    return wrapper
