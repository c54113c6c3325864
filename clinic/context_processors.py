from django.conf import settings

from .models import ClinicDetails


def clinic(request):
    return {"clinic": ClinicDetails.for_request(request)}


def site_url(request):
    """The site's public address, for canonical links: cached pages must not carry whichever
    host name or scheme the first visitor happened to use."""
    return {"site_url": settings.SITE_URL.rstrip("/")}
