"""Whole-page caching for the public pages, cleared the moment staff change any content.

Every cached page is stored with the *content version* it was rendered under. Saving or
deleting anything patients read (pages, FAQs, references, topics, clinic details) moves the
version on, so every server sharing the cache (Redis in production) stops serving the old pages
at once: a page whose version is not the current one is rendered again. The version and the
page are read together, in one round trip to the cache.

If the cache was down when staff saved, the new version was never stored: when Redis answers
again, ``forget_stale_entries`` starts a new version before anything is read (portal/cache.py).
"""

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse

from .models import CLINIC_DETAILS_CACHE_KEY

CONTENT_VERSION_KEY = "portal:content-version"
CACHED_HEADERS = ("Content-Type", "Last-Modified")


def content_version():
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:
        version = time.time_ns()
        # add(): if another process set a version first, use theirs.
        if not cache.add(CONTENT_VERSION_KEY, version, None):
            version = cache.get(CONTENT_VERSION_KEY, version)
    return version


def content_changed(**kwargs):
    """Signal receiver: after the change commits, start a new content version."""
    transaction.on_commit(lambda: cache.set(CONTENT_VERSION_KEY, time.time_ns(), None))


def forget_stale_entries(sender, backend, **kwargs):
    """cache_recovered receiver: redo the writes an outage may have swallowed.

    A staff save during the outage could not store its new content version nor clear the clinic
    details, so pages and details cached before it would be served as current. Nobody knows
    whether a save happened, so always start a new version: every page renders once more.
    """
    backend.set(CONTENT_VERSION_KEY, time.time_ns(), None)
    backend.delete(CLINIC_DETAILS_CACHE_KEY)


def cached_public_page(view):
    """Serve a public GET page from the cache; render and store it on a miss.

    Only for pages that look the same to every visitor (no forms with CSRF tokens, nothing
    from the session). Switched off with DJANGO_PAGE_CACHE_SECONDS=0.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        timeout = settings.PAGE_CACHE_SECONDS
        if not timeout or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        key = f"portal:page:{request.get_full_path()}"
        found = cache.get_many([CONTENT_VERSION_KEY, key])
        version = found.get(CONTENT_VERSION_KEY) or content_version()
        stored = found.get(key)
        if stored is not None and stored[0] == version:
            _, content, headers = stored
            return HttpResponse(content, headers=headers)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "render"):
                response.render()
            headers = {name: response[name] for name in CACHED_HEADERS if name in response}
            # Stored with the version read before rendering: if staff changed something
            # meanwhile, the next request sees a newer version and renders again.
            cache.set(key, (version, response.content, headers), timeout)
        return response

    return wrapper
