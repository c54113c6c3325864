"""With Redis down, patients still get every page, and nothing stale once it is back.

The outage is real: the cache points at a port nothing listens on, at a server that accepts
connections and never answers, or at a relay in front of the real Redis that the test cuts and
restores (the recovery tests need the real Redis, as tests/portal/test_caching.py does).
"""

import contextlib
import datetime
import logging
import socket
import threading
import time
import uuid
from urllib.parse import urlsplit

import pytest
import redis
import time_machine
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django_redis import get_redis_connection

from clinic.cache import WARNING_INTERVAL_SECONDS, forget_outages
from clinic.caching import CONTENT_VERSION_KEY, content_version
from clinic.models import ClinicDetails
from contact.models import Inquiry
from contact.spam import client_hash
from education.models import EducationPage
from tests.contact.factories import TopicFactory, form_data
from tests.education.factories import EducationPageFactory

from .redis_cache import REDIS_TEST_URL, redis_cache_settings, require_redis


def free_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _fresh_process():
    """What a process knows of outages is per process: each test starts as a new process."""
    forget_outages()
    yield
    forget_outages()


@pytest.fixture
def redis_down():
    """The cache is Redis on a port where nothing listens."""
    with override_settings(CACHES=redis_cache_settings(free_port())):
        yield


@pytest.fixture
def topic(db):
    return TopicFactory(label="Rescheduling", recipients="scheduling@example.org")


def cache_warnings(caplog):
    return [r for r in caplog.records if r.name == "clinic.cache" and r.levelno >= logging.WARNING]


@pytest.mark.django_db
def test_public_pages_are_served_from_the_database_when_redis_is_down(redis_down, client, topic):
    page = EducationPageFactory(title="After your infusion")
    for url in (reverse("home"), page.get_absolute_url(), reverse("location"), "/contact/"):
        for _ in range(2):  # the second visit would be the cached one
            response = client.get(url)
            assert response.status_code == 200, url
    assert "After your infusion" in client.get(page.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_contact_form_is_saved_when_redis_is_down(redis_down, client, topic):
    response = client.post("/contact/", form_data(topic))
    assert response.status_code == 302
    assert response["Location"] == reverse("contact:sent")
    inquiry = Inquiry.objects.get()
    assert inquiry.status == Inquiry.Status.NEW
    # No salt without the cache: the IP address is not counted, never hashed under no key.
    assert inquiry.client_hash == ""
    assert inquiry.reference in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_every_cache_call_answers_as_a_miss_or_a_skipped_write_when_redis_is_down(redis_down):
    assert cache.get("key") is None
    assert cache.get("key", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert not cache.has_key("key")
    assert not cache.add("key", 1)  # not stored, so a caller reads it back: a miss
    assert not cache.set("key", 1)
    assert not cache.set_many({"a": 1, "b": 2})
    assert not cache.delete("key")
    assert not cache.touch("key")
    assert cache.get_or_set("key", "computed") == "computed"
    assert cache.incr("counter") is None  # nothing counted: callers treat None as unknown
    assert cache.decr("counter") is None
    # What the site builds on those answers stays safe:
    assert content_version()  # a fresh version, so no cached page can match it
    assert client_hash("203.0.113.9") == ""  # no salt: the address is not counted


def test_a_command_django_redis_passes_through_unwrapped_still_answers_as_a_miss(redis_down):
    assert not cache.touch("key")  # the first command: nothing had opened the breaker yet
    assert cache.get("key", "fallback") == "fallback"


@pytest.mark.django_db
def test_outage_is_logged_once_without_personal_data(client, topic, caplog):
    # No breaker here (retry at once), so every cache call goes to the dead Redis and fails:
    # only the warning's own rate limit keeps the log quiet.
    with override_settings(CACHES=redis_cache_settings(free_port(), retry_after=0)):
        caplog.set_level(logging.INFO)
        for _ in range(3):
            assert client.get(reverse("home")).status_code == 200
        assert client.get("/search/?q=driving+home").status_code == 200
        data = form_data(topic, name="Jordan Quincy", email="jordan.quincy@example.com")
        assert client.post("/contact/", data).status_code == 302

        warnings = cache_warnings(caplog)
        assert len(warnings) == 1
        message = warnings[0].getMessage()
        assert "Cache unavailable (ConnectionError" in message
        for private in ("driving", "Jordan", "jordan.quincy", "portal:page", "/search/"):
            assert private not in message

        # A minute later, the next failure warns again, with a count.
        with time_machine.travel(datetime.timedelta(seconds=WARNING_INTERVAL_SECONDS + 1)):
            client.get(reverse("home"))
        warnings = cache_warnings(caplog)
        assert len(warnings) == 2
        assert "failed command(s)" in warnings[1].getMessage()


@pytest.fixture
def silent_redis():
    """A 'Redis' that accepts connections and never answers (hung, or a black hole)."""
    with socket.create_server(("127.0.0.1", 0), backlog=64) as server:
        yield server


def connections_made(server):
    """How many connections reached the server: the kernel accepted them for it, and they wait
    in its queue (even those the client has closed since)."""
    server.setblocking(False)
    count = 0
    while True:
        try:
            connection, _ = server.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


@pytest.mark.django_db
def test_a_hung_redis_costs_one_timeout_then_nothing_until_the_retry(silent_redis, client, topic):
    page = EducationPageFactory()
    port = silent_redis.getsockname()[1]
    with override_settings(CACHES=redis_cache_settings(port, retry_after=60)):
        for _ in range(11):
            assert client.get(page.get_absolute_url()).status_code == 200
    # A page makes several cache calls, and each would wait for the timeout (after which the
    # client drops its connection and opens a new one): with the breaker open after the first,
    # Redis is not contacted again until the retry.
    assert connections_made(silent_redis) == 1


class RedisLink:
    """A TCP relay in front of the real Redis that a test cuts and restores.

    Like a network outage: the backend keeps its state and its connection pool across it, and
    Redis keeps its data, so pages cached before the outage are still there afterwards.
    """

    def __init__(self, upstream):
        self.upstream = upstream
        self.port = free_port()
        self._listener = None
        self._sockets = []
        self._lock = threading.Lock()

    def up(self):
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.05)
        self._accepting = threading.Thread(target=self._accept, args=(self._listener,))
        self._accepting.start()

    def down(self):
        if self._listener is None:
            return
        self._listener = None
        self._accepting.join()  # the listener is closed: connecting is refused from now on
        with self._lock:
            for sock in self._sockets:
                self._close(sock)
            self._sockets.clear()

    def _accept(self, listener):
        with listener:
            while self._listener is listener:
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                client.settimeout(None)
                upstream = socket.create_connection(self.upstream)
                with self._lock:
                    self._sockets += [client, upstream]
                for source, target in ((client, upstream), (upstream, client)):
                    pump = threading.Thread(target=self._pump, args=(source, target), daemon=True)
                    pump.start()

    def _pump(self, source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        self._close(source)
        self._close(target)

    @staticmethod
    def _close(sock):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


@pytest.fixture
def redis_link():
    """The cache is the real Redis, through a link the test can cut, under its own key prefix."""
    require_redis()
    parts = urlsplit(REDIS_TEST_URL)
    direct = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    link = RedisLink((parts.hostname, parts.port or 6379))
    link.up()
    prefix = f"portal-outage-tests-{uuid.uuid4().hex}"
    try:
        with override_settings(
            CACHES=redis_cache_settings(link.port, retry_after=0.1, prefix=prefix)
        ):
            yield link
    finally:
        link.down()
        # Only this test's keys: others share this Redis.
        for key in direct.scan_iter(match=f"{prefix}:*"):
            direct.delete(key)
        direct.close()


def wait_for_retry():
    time.sleep(0.2)  # past RETRY_AFTER_SECONDS (0.1)


@pytest.mark.django_db
def test_content_changed_while_redis_was_down_is_not_served_stale_when_it_is_back(
    redis_link, client, commit, django_assert_num_queries
):
    page = EducationPageFactory(body="The old wording.")
    assert "The old wording." in client.get(page.get_absolute_url()).content.decode()
    assert "Infusion Clinic" in client.get(reverse("location")).content.decode()

    redis_link.down()
    # Staff change the page and the clinic's name: the new content version and the clearing
    # of the clinic details cannot reach Redis.
    page.body = "The new wording."
    commit(page.save)
    details = ClinicDetails.load()
    details.name = "Renamed Clinic"
    commit(details.save)
    assert "The new wording." in client.get(page.get_absolute_url()).content.decode()

    redis_link.up()
    wait_for_retry()
    # The old page and details are still in Redis, under the version that was current.
    html = client.get(page.get_absolute_url()).content.decode()
    assert "The new wording." in html and "The old wording." not in html
    assert "Renamed Clinic" in html
    assert "Renamed Clinic" in client.get(reverse("location")).content.decode()
    # And the cache is used again.
    with django_assert_num_queries(0):
        assert "The new wording." in client.get(page.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_save_whose_version_write_is_lost_mid_outage_is_not_served_stale(
    redis_link, client, commit
):
    page = EducationPageFactory(title="Title before the outage")
    client.get(reverse("home"))
    client.get(page.get_absolute_url())

    # Redis goes away between requests: the backend only learns it from the failed write.
    redis_link.down()
    page.title = "Title saved during the outage"
    commit(page.save)
    redis_link.up()
    wait_for_retry()

    for url in (reverse("home"), page.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "Title saved during the outage" in html
        assert "Title before the outage" not in html


@pytest.mark.django_db
def test_an_outage_one_thread_saw_is_recovered_from_by_every_thread(redis_link, client):
    """runserver and gthread workers serve each request on some thread, each with its own
    cache backend: the thread that lost a write is rarely the next one to read."""
    page = EducationPageFactory(title="Title before the outage")
    client.get(page.get_absolute_url())

    redis_link.down()
    EducationPage.objects.filter(pk=page.pk).update(title="Title saved during the outage")
    # The staff save's new content version is written on another thread, and lost.
    writer = threading.Thread(target=lambda: cache.set(CONTENT_VERSION_KEY, time.time_ns(), None))
    writer.start()
    writer.join()
    redis_link.up()
    wait_for_retry()
    # This thread's connection broke with the link; a thread that connects after the outage
    # (runserver starts one a request) has a sound one, and nothing tells it of the outage.
    get_redis_connection("default").connection_pool.disconnect()

    html = client.get(page.get_absolute_url()).content.decode()
    assert "Title saved during the outage" in html
