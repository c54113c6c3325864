"""Whole-page caching for the public pages, served at the edge of the stack, cleared the moment
staff change any content.

``PublicPageCacheMiddleware`` sits near the top of MIDDLEWARE (under GZipMiddleware, which
passes an already compressed response through untouched). A view marked ``cached_public_page``
is rendered once through the whole stack; its final response, with every header the middleware
below added (CSP, permissions, security, ETag), is stored together with its brotli and gzip
forms, compressed once. Later requests get the stored response before any other middleware
runs: no session, CSRF, CSP or compression work per request. Pages hold no secret (no form,
nothing from a session), which is also why no random padding against compression attacks is
needed.

Only anonymous GET and HEAD requests use it: a request carrying a session cookie (staff) always
goes through the whole stack, as does anything the settings would redirect (plain http with
SECURE_SSL_REDIRECT) or refuse (a host not in ALLOWED_HOSTS). Marked pages ignore query strings.

Every cached page, and the clinic details every page shows, is stored with the *content
version* it was made under. Saving or deleting anything patients read (each app names its
models with ``patients_read``) moves the version on, so every server sharing the cache (Redis
in production) stops serving the old pages at once: a page whose version is not the current
one is rendered again.

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

import threading
import time
from dataclasses import dataclass

import brotli
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import (
    get_conditional_response,
    has_vary_header,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import parse_http_date_safe
from django.utils.text import compress_string

CONTENT_VERSION_KEY = "portal:content-version"
# Every page is rendered again once a minute at most: a few dozen renders a minute in all.
CONTENT_VERSION_SECONDS = 60
# ":v2" names the shape of what is stored (a StoredPage under its version): change it when that
# changes, so servers of two releases sharing Redis never read each other's entries.
PAGE_KEY_PREFIX = "portal:page:v2:"
# Headers each stored form sets for itself.
PER_FORM_HEADERS = {"content-length", "content-encoding", "etag"}
# A request with none of these cannot be answered 304 (or 412).
CONDITIONAL_HEADERS = frozenset(
    ("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")
)
# As GZipMiddleware: smaller pages are not worth compressing.
COMPRESS_MIN_BYTES = 200
# Brotli's quality 11 takes about 80 ms for a page, quality 5 about 4 ms (still smaller than
# gzip): pages are compressed on a live request, once a content version.
BROTLI_QUALITY = 5
# Pages kept in each process's memory (about 50 KB each with their compressed forms). The public
# site has a few dozen pages; a table this size holds them all, and is emptied when full rather
# than tracking use.
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


def patients_read(*models, through=()):
    """Declare what patients read on cached pages (each app, in its ready()): saving or
    deleting any of these models, or changing one of the `through` many-to-many tables, starts
    a new content version once the change commits."""
    for model in models:
        uid = f"content-version-{model._meta.label}"
        post_save.connect(content_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(content_changed, sender=model, dispatch_uid=uid)
    for table in through:
        uid = f"content-version-{table._meta.label}"
        m2m_changed.connect(content_changed, sender=table, dispatch_uid=uid)


def get_current(key):
    """(the current content version, what `key` holds if stored under that version, or None):
    one round trip to the cache. A value stored under an older version is out of date."""
    found = cache.get_many([CONTENT_VERSION_KEY, key])
    version = found.get(CONTENT_VERSION_KEY) or _start_content_version()
    stored = found.get(key)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == version:
        return version, stored[1]
    return version, None


def set_current(key, value, version):
    """Store `value` as current under `version` (read before it was made): if content changed
    meanwhile, the next read sees a newer version and makes it again."""
    cache.set(key, (version, value), CONTENT_VERSION_SECONDS)


def forget_process_pages():
    with _process_pages_lock:
        _process_pages.clear()


def _keep_in_process(key, version, page):
    with _process_pages_lock:
        if len(_process_pages) >= PROCESS_PAGES_MAX:
            _process_pages.clear()
        _process_pages[key] = (version, page)


def _cached_page(key):
    """(current content version, the stored page or None): one round trip to the cache, two
    when this process holds a copy that is out of date."""
    in_process = _process_pages.get(key)
    if in_process is not None:
        version = content_version()
        if in_process[0] == version:
            return in_process
    version, page = get_current(key)
    if page is not None:
        _keep_in_process(key, version, page)
    return version, page


def forget_stale_entries(cache):
    """Redo the write a Redis outage may have swallowed (clinic/cache.py calls this when Redis
    answers again, with its own client: anything with set()).

    A staff save during the outage could not store its new content version, so pages and
    clinic details cached before it would be served as current. Nobody knows whether a save
    happened, so always start a new version: every page renders once more.
    """
    start_new_content_version(cache)


def _accepted_encodings(header):
    """The content codings an Accept-Encoding header accepts: listed, and not with q=0."""
    accepted = set()
    for part in header.lower().split(","):
        coding, _, parameters = part.partition(";")
        weight = parameters.strip().removeprefix("q=") if "q=" in parameters else "1"
        try:
            if float(weight) > 0:
                accepted.add(coding.strip())
        except ValueError:
            pass  # a malformed weight: as if not listed
    return accepted


def _compressed_forms(body):
    """{encoding: bytes} for each compression that makes the page smaller, best first."""
    if len(body) < COMPRESS_MIN_BYTES:
        return {}
    forms = {"br": brotli.compress(body, quality=BROTLI_QUALITY), "gzip": compress_string(body)}
    return {encoding: data for encoding, data in forms.items() if len(data) < len(body)}


@dataclass(frozen=True)
class StoredPage:
    """A public page's final response: its headers as the whole stack set them, its body, and
    the body compressed once in each encoding browsers ask for."""

    headers: tuple
    body: bytes
    compressed: dict
    etag: str
    last_modified: int | None

    @classmethod
    def of(cls, response):
        body = response.content
        if not response.has_header("ETag"):
            set_response_etag(response)
        compressed = _compressed_forms(body)
        if compressed:
            patch_vary_headers(response, ("Accept-Encoding",))
        headers = tuple(
            (name, value)
            for name, value in response.items()
            if name.lower() not in PER_FORM_HEADERS
        )
        last_modified = response.get("Last-Modified")
        return cls(
            headers=headers,
            body=body,
            compressed=compressed,
            etag=response["ETag"],
            last_modified=parse_http_date_safe(last_modified) if last_modified else None,
        )

    def response_for(self, request):
        """The stored response in the best form the request accepts, or 304 Not Modified."""
        response = HttpResponse(self.body, headers=self.headers)
        response["ETag"] = self.etag
        accepted = _accepted_encodings(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        for encoding, data in self.compressed.items():
            if encoding in accepted:
                response.content = data
                response["Content-Encoding"] = encoding
                # Another representation of the same page: a weak validator (as GZipMiddleware).
                response["ETag"] = self.etag if self.etag.startswith("W/") else f"W/{self.etag}"
                break
        response["Content-Length"] = str(len(response.content))
        if not CONDITIONAL_HEADERS.intersection(request.META):
            return response
        return get_conditional_response(
            request, etag=response["ETag"], last_modified=self.last_modified, response=response
        )


def cached_public_page(view):
    """Mark a view's page as public: the same for every visitor (no form with a CSRF token,
    nothing from the session) whatever the query string says. PublicPageCacheMiddleware
    stores it. Switched off with DJANGO_PAGE_CACHE_SECONDS=0."""
    view.public_page = True
    return view


def _is_public_page(path):
    try:
        return getattr(resolve(path).func, "public_page", False)
    except Resolver404:
        return False


def _storable(response):
    """Only a plain 200 that sets no cookie and depends on no cookie (as Django's own cache
    middleware decides)."""
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not has_vary_header(response, "Cookie")
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


class PublicPageCacheMiddleware:
    """Serve a stored public page before the rest of the stack runs; store one on a miss."""

    def __init__(self, get_response):
        self.get_response = get_response
        # Read once, as Django's own middleware does: settings are fixed while a process runs.
        self.enabled = bool(settings.PAGE_CACHE_SECONDS)
        self.session_cookie = settings.SESSION_COOKIE_NAME
        self.never_cached = (settings.STATIC_URL, f"/{settings.ADMIN_URL}")
        self.redirects_http = settings.SECURE_SSL_REDIRECT

    def may_use_cache(self, request):
        if not self.enabled or request.method not in ("GET", "HEAD"):
            return False
        if self.session_cookie in request.COOKIES:
            return False  # staff: previews, and pages must never be mixed up with a session's
        if request.path.startswith(self.never_cached):
            return False
        if self.redirects_http and not request.is_secure():
            return False  # SecurityMiddleware redirects it
        request.get_host()  # a host not in ALLOWED_HOSTS: 400, as without the cache
        return True

    def __call__(self, request):
        if not self.may_use_cache(request):
            return self.get_response(request)
        # The path, not the query string: a campaign link's ?utm_source=... gets the cached page,
        # and made-up query strings cannot fill the cache. The scheme too: HSTS is only sent
        # over https.
        key = f"{PAGE_KEY_PREFIX}{request.scheme}:{request.path}"
        if key not in _process_pages and not _is_public_page(request.path_info):
            return self.get_response(request)  # a form, a search, a 404: nothing to read
        version, stored = _cached_page(key)
        if stored is None:
            response = self.get_response(request)
            if not _storable(response):
                return response
            # Stored with the version read before rendering: if staff changed something
            # meanwhile, the next request sees a newer version and renders again.
            stored = StoredPage.of(response)
            set_current(key, stored, version)
            _keep_in_process(key, version, stored)
        return stored.response_for(request)
