import pytest
from django.core.cache import cache

from clinic.caching import forget_process_pages


def pytest_addoption(parser):
    # Here, not in tests/browser/conftest.py: options must be known before tests are collected.
    parser.addoption(
        "--chromium",
        default="/usr/bin/chromium",
        help="the Chromium the browser tests drive (default: Debian's, /usr/bin/chromium)",
    )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches, so cached pages never leak between tests."""
    cache.clear()
    forget_process_pages()
    yield
    cache.clear()
    forget_process_pages()


@pytest.fixture
def admin_client_logged_in(client, django_user_model):
    user = django_user_model.objects.create_superuser("boss", "boss@example.org", "a-long-password")
    client.force_login(user)
    return client
