"""The site's URLs plus one view that fails, to see the 500 page as a patient would."""

from django.urls import path

from portal.urls import handler500
from portal.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("a deliberate failure for the 500 page test")


urlpatterns = [*site_urlpatterns, path("boom/", boom)]

__all__ = ["handler500", "urlpatterns"]
