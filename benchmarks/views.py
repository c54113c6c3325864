import functools
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse


@functools.cache
def _reference_bytes():
    return Path(settings.BENCHMARK_REFERENCE_FILE).read_bytes()


def benchmark_reference(request):
    """A bare view returning fixed bytes: what Django costs with no work at all."""
    return HttpResponse(_reference_bytes(), content_type="text/html; charset=utf-8")
