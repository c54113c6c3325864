import functools
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.urls import path


@functools.cache
def _page_bytes():
    return Path(settings.BARE_PAGE_FILE).read_bytes()


def page(request):
    return HttpResponse(_page_bytes(), content_type="text/html; charset=utf-8")


urlpatterns = [path("", page)]
