"""Cached pages are never stale: every change staff make shows on the next request.

Run against the in-memory cache, and against Redis (the cache several servers share), which
must be reachable in CI.
"""

import os
import time

import pytest
import redis
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from clinic.cache import FailSoftRedisCache
from clinic.caching import CONTENT_VERSION_KEY, CONTENT_VERSION_SECONDS
from clinic.models import ClinicDetails
from education.models import EducationPage
from tests.education.factories import EducationPageFactory, FAQFactory, reviewer

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def _redis_available():
    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False
    return True


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request):
    if request.param == "locmem":
        yield
        return
    if not _redis_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_TEST_URL}: CI needs it.")
        pytest.skip(f"Redis is not reachable at {REDIS_TEST_URL}")
    redis_cache = {
        "default": {
            "BACKEND": "clinic.cache.FailSoftRedisCache",  # what production uses
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": "portal-tests",
        }
    }
    with override_settings(CACHES=redis_cache):
        cache.clear()
        yield
        cache.clear()


@pytest.mark.django_db
def test_second_visit_is_served_from_the_cache_without_queries(
    shared_cache, client, django_assert_num_queries
):
    page = EducationPageFactory()
    FAQFactory(page=page)
    client.get(page.get_absolute_url())
    with django_assert_num_queries(0):
        response = client.get(page.get_absolute_url())
    assert response.status_code == 200
    assert page.title in response.content.decode()
    assert response["Last-Modified"]


@pytest.mark.django_db
def test_edited_page_is_fresh_on_the_next_request(shared_cache, client, commit):
    page = EducationPageFactory(body="The old wording.")
    assert "The old wording." in client.get(page.get_absolute_url()).content.decode()
    page.body = "The new wording."
    commit(page.save)
    html = client.get(page.get_absolute_url()).content.decode()
    assert "The new wording." in html and "The old wording." not in html


@pytest.mark.django_db
def test_published_page_appears_on_the_cached_home_page_at_once(shared_cache, client, commit):
    draft = EducationPageFactory(title="Brand new page", status=EducationPage.Status.DRAFT)
    assert "Brand new page" not in client.get(reverse("home")).content.decode()
    from education.services import page_publish

    commit(lambda: page_publish(page=draft, user=reviewer()))
    assert "Brand new page" in client.get(reverse("home")).content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_unpublished_page_disappears_at_once(shared_cache, client, commit):
    page = EducationPageFactory(title="Soon gone")
    assert client.get(page.get_absolute_url()).status_code == 200
    assert "Soon gone" in client.get(reverse("home")).content.decode()
    page.status = EducationPage.Status.DRAFT
    commit(page.save)
    assert client.get(page.get_absolute_url()).status_code == 404
    assert "Soon gone" not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_faq_edit_and_clinic_details_edit_show_at_once(shared_cache, client, commit):
    page = EducationPageFactory()
    faq = FAQFactory(page=page, question="Old question?")
    client.get(page.get_absolute_url())
    faq.question = "New question?"
    commit(faq.save)
    assert "New question?" in client.get(page.get_absolute_url()).content.decode()

    details = ClinicDetails.load()
    details.name = "Renamed Clinic"
    commit(details.save)
    assert "Renamed Clinic" in client.get(page.get_absolute_url()).content.decode()
    assert "Renamed Clinic" in client.get(reverse("location")).content.decode()


@pytest.mark.django_db
def test_page_cache_can_be_switched_off(settings, client, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    page = EducationPageFactory()
    client.get(page.get_absolute_url())
    # page and topic, FAQs, references, related pages, the next page of the journey
    with django_assert_num_queries(5):
        client.get(page.get_absolute_url())


@pytest.mark.django_db
def test_busy_page_is_served_from_process_memory_without_fetching_it_again(
    shared_cache, client, django_assert_num_queries
):
    page = EducationPageFactory(title="Kept in memory")
    client.get(page.get_absolute_url())
    # Only the small version key is read from the shared cache now: the page's own entry,
    # gone from the shared cache, is not needed while the content version is unchanged.
    cache.delete(f"portal:page:{page.get_absolute_url()}")
    with django_assert_num_queries(0):
        response = client.get(page.get_absolute_url())
    assert "Kept in memory" in response.content.decode()


@pytest.mark.django_db
def test_change_made_through_another_server_is_never_hidden_by_process_memory(shared_cache, client):
    page = EducationPageFactory(title="Old title")
    client.get(page.get_absolute_url())
    client.get(page.get_absolute_url())
    # Another server saved the page: the database changed and it started a new content
    # version in the shared cache. Nothing ran in this process.
    EducationPage.objects.filter(pk=page.pk).update(title="New title")
    cache.set(CONTENT_VERSION_KEY, cache.get(CONTENT_VERSION_KEY) + 1, None)
    html = client.get(page.get_absolute_url()).content.decode()
    assert "New title" in html and "Old title" not in html


@pytest.mark.django_db
def test_cached_page_keeps_the_etag_it_was_rendered_with(shared_cache, client):
    page = EducationPageFactory()
    first = client.get(page.get_absolute_url())
    second = client.get(page.get_absolute_url())
    assert first["ETag"] and first["ETag"] == second["ETag"]
    repeat = client.get(page.get_absolute_url(), headers={"if-none-match": first["ETag"]})
    assert repeat.status_code == 304


def test_redis_backend_reuses_one_client_instead_of_building_one_per_command():
    backend = FailSoftRedisCache(REDIS_TEST_URL, {"KEY_PREFIX": "portal-tests"})
    first = backend._cache.get_client("a-key")
    assert backend._cache.get_client("another-key") is first
    assert backend._cache.get_client("a-key", write=True) is first  # one server: one pool


@pytest.mark.django_db
def test_a_lost_version_change_leaves_old_pages_in_service_for_a_minute_at_most(
    client, monkeypatch
):
    page = EducationPageFactory(title="Rendered before the change")
    client.get(page.get_absolute_url())
    # The page changed, and the write of a new content version never reached the cache (or a
    # new release changed the templates): nothing here moved the version on.
    EducationPage.objects.filter(pk=page.pk).update(title="Rendered after the change")
    assert "before the change" in client.get(page.get_absolute_url()).content.decode()
    later = time.time() + CONTENT_VERSION_SECONDS + 1
    monkeypatch.setattr("django.core.cache.backends.locmem.time.time", lambda: later)
    assert "after the change" in client.get(page.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_campaign_links_get_the_cached_page(shared_cache, client, django_assert_num_queries):
    page = EducationPageFactory()
    client.get(page.get_absolute_url())
    with django_assert_num_queries(0):
        response = client.get(page.get_absolute_url(), {"utm_source": "newsletter"})
    assert response.status_code == 200
    assert page.title in response.content.decode()
