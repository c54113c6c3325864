"""Pages marked public that must still never be stored (tests/clinic/test_caching.py)."""

from django.http import HttpResponse
from django.urls import path

from clinic.caching import cached_public_page


def make_page(header, value):
    def page(request):
        page.renders += 1
        return HttpResponse(f"<p>Rendered {page.renders} times.</p>" * 20, headers={header: value})

    page.renders = 0
    return cached_public_page(page)


urlpatterns = [
    path("varies-on-cookie/", make_page("Vary", "Cookie")),
    path("private/", make_page("Cache-Control", "private")),
    path("no-store/", make_page("Cache-Control", "no-store")),
    path("plain/", make_page("X-Plain", "yes")),
]
