"""Cached pages are never stale: every change staff make shows on the next request.

Run against the in-memory cache, and against Redis (the cache several servers share), which
must be reachable in CI.
"""

import gzip
import time

import brotli
import pytest
import time_machine
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from clinic.caching import CONTENT_VERSION_KEY, CONTENT_VERSION_SECONDS, PAGE_KEY_PREFIX
from clinic.models import ClinicDetails
from education.models import EducationPage
from tests.education.factories import EducationPageFactory, FAQFactory, reviewer

from .redis_cache import redis_cache_settings, require_redis


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request):
    if request.param == "locmem":
        yield
        return
    require_redis()
    with override_settings(CACHES=redis_cache_settings()):  # what production uses
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
    cache.delete(f"{PAGE_KEY_PREFIX}http:{page.get_absolute_url()}")
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


@pytest.mark.django_db
def test_a_lost_version_change_leaves_old_pages_in_service_for_a_minute_at_most(client):
    page = EducationPageFactory(title="Rendered before the change")
    client.get(page.get_absolute_url())
    # The page changed, and the write of a new content version never reached the cache (or a
    # new release changed the templates): nothing here moved the version on.
    EducationPage.objects.filter(pk=page.pk).update(title="Rendered after the change")
    assert "before the change" in client.get(page.get_absolute_url()).content.decode()
    later = time.time() + CONTENT_VERSION_SECONDS + 1
    with time_machine.travel(later, tick=False):
        assert "after the change" in client.get(page.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_campaign_links_get_the_cached_page(shared_cache, client, django_assert_num_queries):
    page = EducationPageFactory()
    client.get(page.get_absolute_url())
    with django_assert_num_queries(0):
        response = client.get(page.get_absolute_url(), {"utm_source": "newsletter"})
    assert response.status_code == 200
    assert page.title in response.content.decode()


PUBLIC_PAGES = ["home", "location", "privacy", "language_help"]


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["gzip, deflate", ""])
@pytest.mark.parametrize("secure", [False, True])
def test_a_page_served_from_the_cache_has_every_header_it_has_when_rendered(
    settings, encoding, secure, django_assert_num_queries
):
    details = ClinicDetails.load()
    details.map_embed_url = "https://maps.example.com/embed?q=clinic"  # the CSP names its host
    details.save()
    paths = [reverse(name) for name in PUBLIC_PAGES] + [EducationPageFactory().get_absolute_url()]
    headers = {"accept-encoding": encoding} if encoding else {}

    def visit(client, path):
        response = client.get(path, headers=headers, secure=secure)
        assert response.status_code == 200, path
        body = response.content
        if response.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        # The length differs by the compressor's random padding when rendered each time.
        return {k: v for k, v in response.items() if k != "Content-Length"}, body

    # A client's middleware reads the setting when the client first sends a request.
    settings.PAGE_CACHE_SECONDS = 0
    uncached = Client()
    rendered = {path: visit(uncached, path) for path in paths}
    settings.PAGE_CACHE_SECONDS = 3600
    cached = Client()
    for path in paths:
        visit(cached, path)  # stored
        with django_assert_num_queries(0):  # served from the cache
            assert visit(cached, path) == rendered[path], path
    if encoding:
        assert rendered[paths[0]][0]["Content-Encoding"] == "gzip"


@pytest.mark.django_db
def test_browsers_that_take_brotli_get_it_with_the_same_headers_otherwise(client):
    path = EducationPageFactory().get_absolute_url()
    client.get(path)
    as_gzip = client.get(path, headers={"accept-encoding": "gzip, deflate"})
    as_brotli = client.get(path, headers={"accept-encoding": "gzip, deflate, br"})
    assert as_brotli["Content-Encoding"] == "br"
    assert brotli.decompress(as_brotli.content) == gzip.decompress(as_gzip.content)
    assert len(as_brotli.content) < len(as_gzip.content)

    def other_headers(response):
        return {
            k: v for k, v in response.items() if k not in ("Content-Encoding", "Content-Length")
        }

    assert other_headers(as_brotli) == other_headers(as_gzip)


@pytest.mark.django_db
def test_the_compressed_form_is_made_once_and_answers_conditional_requests(client):
    path = EducationPageFactory().get_absolute_url()
    first = client.get(path, headers={"accept-encoding": "gzip"})
    second = client.get(path, headers={"accept-encoding": "gzip"})
    assert first["Content-Encoding"] == second["Content-Encoding"] == "gzip"
    # Rendered each time, the random padding would make every response differ.
    assert first.content == second.content
    assert gzip.decompress(second.content) == client.get(path).content
    assert int(second["Content-Length"]) == len(second.content)
    repeat = client.get(path, headers={"accept-encoding": "gzip", "if-none-match": first["ETag"]})
    assert repeat.status_code == 304 and repeat["ETag"] == first["ETag"]
    since = client.get(path, headers={"if-modified-since": first["Last-Modified"]})
    assert since.status_code == 304


@pytest.mark.django_db
def test_staff_with_a_session_always_get_the_page_rendered_for_them(client):
    page = EducationPageFactory(title="Cached title")
    client.get(page.get_absolute_url())
    # Changed with no new content version: only a page rendered now can show it.
    EducationPage.objects.filter(pk=page.pk).update(title="Title in the database")
    assert "Cached title" in client.get(page.get_absolute_url()).content.decode()
    client.force_login(reviewer())
    assert "Title in the database" in client.get(page.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_what_the_stack_would_refuse_or_redirect_is_not_served_from_the_cache(client, settings):
    client.get(reverse("home"))
    assert client.get(reverse("home"), headers={"host": "evil.example"}).status_code == 400
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get(reverse("home"))  # a new client: its middleware reads the setting
    assert response.status_code == 301 and response["Location"].startswith("https://")


@pytest.mark.django_db
def test_a_browser_refusing_brotli_with_q_0_gets_gzip(client):
    path = EducationPageFactory().get_absolute_url()
    client.get(path)
    response = client.get(path, headers={"accept-encoding": "br;q=0, gzip;q=0.5"})
    assert response["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in client.get(path, headers={"accept-encoding": "br;q=0"})


@pytest.mark.django_db
def test_pages_that_are_never_cached_read_nothing_from_the_page_cache(client, cache_reads):
    def page_keys_read():
        return [key for keys in cache_reads for key in keys if key.startswith(PAGE_KEY_PREFIX)]

    for path in ("/search/?q=driving", "/contact/", "/no-such-page/", reverse("healthz")):
        client.get(path)
    assert not page_keys_read()
    client.get(reverse("home"))
    assert page_keys_read()


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.clinic.private_page_urls")
@pytest.mark.parametrize(
    ("path", "stored"),
    [("/varies-on-cookie/", False), ("/private/", False), ("/no-store/", False), ("/plain/", True)],
)
def test_a_marked_page_that_varies_on_cookies_or_is_private_is_never_stored(path, stored):
    client = Client()
    client.get(path)
    second = client.get(path).content.decode()
    assert ("Rendered 1 times." in second) is stored
