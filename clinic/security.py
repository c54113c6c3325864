"""Site-wide security helpers that the settings point at."""

from django.conf import settings


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
    return request.META.get("REMOTE_ADDR")
