"""Site-wide security helpers that the settings point at."""

import functools
import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def client_ip_address(request):
    """The visitor's address, for counting failed logins (django-axes).

    Behind DJANGO_TRUSTED_PROXY_COUNT proxies, each proxy appends the address it received the
    request from to X-Forwarded-For, so the visitor's address is that many entries from the
    right. Entries further left were written by the visitor and could be anything, so they
    are never used. Without proxies, X-Forwarded-For is ignored entirely.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
        warn_of_missing_forwarding(proxies, len(forwarded))
    return request.META.get("REMOTE_ADDR")


@functools.cache  # once a process for each count: a handful of warnings at most
def warn_of_missing_forwarding(proxies, found):
    """DJANGO_TRUSTED_PROXY_COUNT says requests come through proxies, but one
    came with fewer X-Forwarded-For entries. Either the count is wrong, or the site can be
    reached around the proxies, where anyone can write their own X-Forwarded-For and so
    choose the address that login lockouts and the contact form's limits count."""
    logger.warning(
        "DJANGO_TRUSTED_PROXY_COUNT is %d, but a request arrived with %d X-Forwarded-For "
        "entries: check the count, and that the site cannot be reached around the proxies. "
        "Until then such requests are counted by the connecting address.",
        proxies,
        found,
    )
