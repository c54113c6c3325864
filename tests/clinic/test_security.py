"""Security on the server side: headers, admin lockout, staff session expiry, CSRF on forms."""

import datetime
import importlib
from html.parser import HTMLParser
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, clear_url_caches, get_resolver, resolve, reverse
from django.utils import timezone

import portal.urls
from clinic.models import ClinicDetails
from clinic.security import client_ip_address, warn_of_missing_forwarding
from tests.admin_pages import admin_urls_for
from tests.education.factories import EducationPageFactory, FAQFactory, ReferenceFactory, editor
from tests.factories import current_code, second_factor_device
from tests.portal.test_settings import production_env, run_django

from .conftest import NO_INLINE_ROWS

PASSWORD = "a-long-password"  # what tests/education/factories.py gives staff users


def csp_directives(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.fixture
def education_page(db):
    page = EducationPageFactory(slug="after-your-infusion", title="After your infusion")
    FAQFactory(page=page)
    ReferenceFactory(page=page)
    return page


SAMPLE_PAGES = {
    "home": lambda: reverse("home"),
    "education page": lambda: reverse("education:page", args=["after-your-infusion"]),
    "search": lambda: reverse("search") + "?q=driving",
    "location": lambda: reverse("location"),
    "404": lambda: "/no-such-page/",
    "admin login": lambda: reverse("admin:login"),
}


# --- Headers -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLE_PAGES)
def test_every_security_header_is_on_the_page(client, education_page, name):
    url = SAMPLE_PAGES[name]()
    # Twice: the second visit to a cached page is served from the cache and must carry them too.
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == (404 if name == "404" else 200)

        policy = csp_directives(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["img-src"] == ["'self'", "data:"]
        assert policy["frame-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["form-action"] == ["'self'"]
        assert policy["base-uri"] == ["'none'"]
        assert policy["object-src"] == ["'none'"]
        assert "unsafe" not in response["Content-Security-Policy"]

        permissions = {
            feature.split("=")[0]: feature.split("=")[1]
            for feature in response["Permissions-Policy"].split(", ")
        }
        assert permissions == {"camera": "()", "microphone": "()", "geolocation": "()"}
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_hsts_is_sent_over_https_for_a_year_with_subdomains_and_preload(client):
    response = client.get(reverse("home"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    # Browsers ignore HSTS over plain HTTP, and Django only sends it over HTTPS.
    assert "Strict-Transport-Security" not in client.get(reverse("home"))


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_and_the_session_cookie_is_http_only(client):
    editor("nurse")
    login_page = client.get(reverse("admin:login"), secure=True)
    assert login_page.cookies["csrftoken"]["secure"] is True
    response = client.post(
        reverse("admin:login"), {"username": "nurse", "password": PASSWORD}, secure=True
    )
    assert response.status_code == 302
    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["secure"] is True
    assert session_cookie["httponly"] is True


def test_production_defaults_make_cookies_secure_and_send_hsts():
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_SSL_REDIRECT)"
    )
    result = run_django(production_env(), "shell", "-v", "0", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "31536000", "True"]


# --- The location page's map frame ---------------------------------------------------------


@pytest.mark.parametrize(
    ("map_url", "frame_src"),
    [
        ("https://maps.example.com/embed?q=clinic", ["https://maps.example.com"]),
        ("https://Maps.Example.com:8443/embed", ["https://maps.example.com:8443"]),
        ("", ["'none'"]),
        # Not https, or not a plain host name: no map, and no frame allowed.
        ("http://maps.example.com/embed", ["'none'"]),
        ("https://maps.example.com;script-src *", ["'none'"]),
        ("https://user@maps.example.com/embed", ["https://maps.example.com"]),
    ],
)
@pytest.mark.django_db
def test_location_page_allows_only_the_clinic_maps_origin_as_a_frame(client, map_url, frame_src):
    details = ClinicDetails.load()
    details.map_embed_url = map_url
    details.save()
    for _ in range(2):  # rendered, then from the page cache
        response = client.get(reverse("location"))
        assert csp_directives(response)["frame-src"] == frame_src
        assert ("Show the map" in response.content.decode()) == (frame_src != ["'none'"])
    # Every other page allows no frame, whatever the clinic's map.
    assert csp_directives(client.get(reverse("home")))["frame-src"] == ["'none'"]


@pytest.mark.django_db
def test_clinic_details_refuse_a_map_address_that_is_not_https(admin_client_logged_in):
    details = ClinicDetails.load()
    url = reverse("admin:clinic_clinicdetails_change", args=[details.pk])
    form = {
        field: getattr(details, field)
        for field in [
            "name",
            "phone",
            "email",
            "street_address",
            "opening_hours",
            "written_directions",
            "directions_url",
            "emergency_number",
            "crisis_line_number",
            "crisis_line_name",
            "nondiscrimination_text",
        ]
    }
    form.update(NO_INLINE_ROWS)
    response = admin_client_logged_in.post(
        url, {**form, "map_embed_url": "http://maps.example.com/embed"}
    )
    assert response.status_code == 200
    assert "https:// embed address from the maps site" in response.content.decode()
    response = admin_client_logged_in.post(
        url, {**form, "map_embed_url": "https://maps.example.com/embed"}
    )
    assert response.status_code == 302
    assert ClinicDetails.load().map_origin == "https://maps.example.com"


# --- Admin login: lockout after repeated failures ------------------------------------------


def log_in(client, username, password, address="203.0.113.10"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def log_in_with_second_step(client, user, password):
    """Both steps, as staff do: the password, then the code from their app."""
    device = second_factor_device(user)
    response = log_in(client, user.get_username(), password)
    client.post(reverse("admin:two_factor_verify"), {"code": current_code(device)})
    return response


def fail_until_locked(client, username, address="203.0.113.10"):
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        response = log_in(client, username, "wrong-password", address)
        if attempt < settings.AXES_FAILURE_LIMIT:
            assert response.status_code == 200  # the login form again, with its error
            assert "Please enter the correct username and password" in response.content.decode()
    return response


@pytest.mark.django_db
def test_five_failed_logins_lock_that_username_from_that_address(client):
    assert settings.AXES_FAILURE_LIMIT == 5
    editor("nurse")
    locked = fail_until_locked(client, "nurse")
    assert locked.status_code == 429

    # Even the right password is refused now, with the lockout page.
    response = log_in(client, "nurse", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Sign-in is paused for a while" in html
    assert "There were 5 unsuccessful tries to sign in as <strong>nurse</strong>" in html
    assert "Wait 30 minutes, then try again." in html
    assert '<aside class="urgent-help" aria-label="Urgent help">' in html
    assert 'href="tel:988"' in html
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_four_failures_then_the_right_password_still_logs_in(client):
    editor("nurse")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "nurse", "wrong-password")
    response = log_in(client, "nurse", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


@pytest.mark.django_db
def test_lockout_is_by_username_and_address_together(client):
    editor("nurse")
    editor("doctor")
    fail_until_locked(client, "nurse", address="203.0.113.10")

    # The same person from another address (say, at home) is not locked out...
    assert log_in(Client(), "nurse", PASSWORD, address="198.51.100.7").status_code == 302
    # ...and a colleague at the same front desk (same address) is not either.
    assert log_in(Client(), "doctor", PASSWORD, address="203.0.113.10").status_code == 302
    # But the locked combination stays locked.
    assert log_in(Client(), "nurse", PASSWORD, address="203.0.113.10").status_code == 429


@pytest.mark.django_db
def test_lockout_ends_after_the_cool_off_period(client):
    editor("nurse")
    fail_until_locked(client, "nurse")
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60

    # 29 minutes later: still locked.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=29))
    assert log_in(client, "nurse", PASSWORD).status_code == 429
    # 31 minutes later: the right password works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=31))
    assert log_in(client, "nurse", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_superuser_unlocks_a_locked_out_colleague_in_the_admin(client, admin_client_logged_in):
    editor("nurse")
    fail_until_locked(client, "nurse")
    attempt = AccessAttempt.objects.get(username="nurse")

    changelist = reverse("admin:axes_accessattempt_changelist")
    listing = admin_client_logged_in.get(changelist)
    assert listing.status_code == 200
    assert "nurse" in listing.content.decode()
    response = admin_client_logged_in.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()

    assert log_in(client, "nurse", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_content_editors_cannot_see_or_clear_login_attempts(client):
    editor("nurse")
    fail_until_locked(Client(), "nurse")
    client.force_login(editor("someone-else"))
    response = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 403
    assert AccessAttempt.objects.filter(username="nurse").exists()


def test_failure_limit_cool_off_and_session_age_come_from_the_environment():
    code = (
        "from django.conf import settings as s; "
        "print(s.AXES_FAILURE_LIMIT, int(s.AXES_COOLOFF_TIME.total_seconds()), "
        "s.SESSION_COOKIE_AGE, s.TRUSTED_PROXY_COUNT)"
    )
    defaults = run_django(production_env(), "shell", "-v", "0", "-c", code)
    assert defaults.returncode == 0, defaults.stderr
    assert defaults.stdout.split() == ["5", "1800", "1800", "0"]

    changed = run_django(
        production_env(
            DJANGO_AXES_FAILURE_LIMIT="8",
            DJANGO_AXES_COOLOFF_MINUTES="90",
            DJANGO_SESSION_COOKIE_AGE="600",
            DJANGO_TRUSTED_PROXY_COUNT="1",
        ),
        "shell",
        "-v",
        "0",
        "-c",
        code,
    )
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.split() == ["8", "5400", "600", "1"]


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "", "10.0.0.9"),
        # Without a trusted proxy, X-Forwarded-For is the visitor's own claim: ignored.
        (0, "198.51.100.7", "10.0.0.9"),
        (1, "198.51.100.7", "198.51.100.7"),
        # A visitor who sends their own header cannot choose the address that is counted.
        (1, "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        (2, "1.2.3.4, 198.51.100.7, 192.0.2.1", "198.51.100.7"),
        # Fewer entries than proxies: the request did not come through them all.
        (2, "198.51.100.7", "10.0.0.9"),
    ],
)
def test_client_address_counts_only_what_trusted_proxies_added(
    rf, proxies, forwarded_for, expected
):
    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded_for)
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_ip_address(request) == expected


@pytest.fixture
def new_process_warnings():
    """The warning as a new process gives it, and no warning given here kept for later tests."""
    warn_of_missing_forwarding.cache_clear()
    yield
    warn_of_missing_forwarding.cache_clear()


def test_a_proxy_count_with_requests_missing_the_header_is_warned_of_once(
    rf, caplog, new_process_warnings
):
    with override_settings(TRUSTED_PROXY_COUNT=1), caplog.at_level("WARNING"):
        client_ip_address(rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4"))
        assert caplog.records == []  # through the proxy: nothing to say
        for _ in range(3):
            client_ip_address(rf.get("/", REMOTE_ADDR="203.0.113.5"))
    [warning] = [r for r in caplog.records if r.name == "clinic.security"]
    message = warning.getMessage()
    assert "DJANGO_TRUSTED_PROXY_COUNT is 1" in message and "0 X-Forwarded-For" in message
    assert "203.0.113.5" not in message  # no visitor's address in the log


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_lockout_counts_the_visitors_address_not_the_proxys(client):
    editor("nurse")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("admin:login"),
            {"username": "nurse", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",  # the load balancer
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"
    # Another visitor behind the same load balancer can still sign in as nurse.
    other = client.post(
        reverse("admin:login"),
        {"username": "nurse", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.44",
    )
    assert other.status_code == 302


# --- The admin at another address ----------------------------------------------------------


@pytest.fixture
def admin_at(settings):
    """Rebuild the URLconf with the admin at another path, as DJANGO_ADMIN_URL would."""

    def move(path):
        settings.ADMIN_URL = path
        importlib.reload(portal.urls)
        clear_url_caches()

    yield move
    settings.ADMIN_URL = "admin/"
    importlib.reload(portal.urls)
    clear_url_caches()


@pytest.mark.django_db
def test_admin_works_at_the_path_set_by_the_environment(client, admin_at):
    admin_at("clinic-staff-7f3a/")
    assert reverse("admin:index") == "/clinic-staff-7f3a/"
    assert client.get("/admin/login/").status_code == 404
    assert client.get("/clinic-staff-7f3a/login/").status_code == 200

    device = second_factor_device(editor("nurse"))
    response = client.post(
        "/clinic-staff-7f3a/login/",
        {"username": "nurse", "password": PASSWORD, "next": "/clinic-staff-7f3a/"},
    )
    assert response.status_code == 302
    second_step = client.get("/clinic-staff-7f3a/login/?next=/clinic-staff-7f3a/")
    assert second_step.url == "/clinic-staff-7f3a/two-factor/?next=/clinic-staff-7f3a/"
    client.post(second_step.url, {"code": current_code(device), "next": "/clinic-staff-7f3a/"})
    assert client.get("/clinic-staff-7f3a/").status_code == 200


def test_admin_url_is_read_from_the_environment():
    code = "from django.urls import reverse; print(reverse('admin:index'))"
    env = production_env(DJANGO_ADMIN_URL="back-office/")
    result = run_django(env, "shell", "-v", "0", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "/back-office/"


# --- Staff sessions end after inactivity ---------------------------------------------------


@pytest.mark.django_db
def test_staff_session_ends_after_30_minutes_without_a_request(client):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    nurse = editor("nurse")
    start = timezone.now()

    def at(minutes):
        return mock.patch("django.utils.timezone.now", return_value=start + minutes)

    with at(datetime.timedelta(0)):
        assert log_in_with_second_step(client, nurse, PASSWORD).status_code == 302
    # Each request moves the expiry on: 25 + 25 minutes is fine, as long as each gap is short.
    with at(datetime.timedelta(minutes=25)):
        assert client.get(reverse("admin:index")).status_code == 200
    with at(datetime.timedelta(minutes=50)):
        assert client.get(reverse("admin:index")).status_code == 200
    # 31 minutes after the last request, the session is gone: back to the login page.
    with at(datetime.timedelta(minutes=81)):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("name", [name for name in SAMPLE_PAGES if name != "admin login"])
def test_patients_get_no_session_and_no_cookie(client, education_page, name):
    response = client.get(SAMPLE_PAGES[name]())
    assert not response.cookies
    assert "Set-Cookie" not in response


# --- Forms: every state change is a POST with a CSRF token ---------------------------------


class FormCollector(HTMLParser):
    """Each <form> on a page: its method, action and whether it carries a CSRF token."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._open = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._open = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action") or "",
                "csrf": False,
                "id": attrs.get("id", ""),
            }
            self.forms.append(self._open)
        elif (
            tag == "input"
            and self._open is not None
            and attrs.get("name") == "csrfmiddlewaretoken"
            and attrs.get("value")
        ):
            self._open["csrf"] = True

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def forms_on(html):
    collector = FormCollector()
    collector.feed(html)
    return collector.forms


# GET forms that only read: they filter or search, and the view behind them changes nothing.
READ_ONLY_FORM_VIEWS = {"search"}


def is_read_only_target(url):
    match = resolve(url.split("?")[0])
    if match.view_name in READ_ONLY_FORM_VIEWS:
        return True
    # The admin's list pages: their search box and filters are GET forms.
    return match.namespace == "admin" and match.url_name.endswith("_changelist")


def public_url_names(patterns=None, namespace=""):
    """Every named URL of the site outside the admin, by walking the URLconf."""
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= public_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


# One page (or more) for each named public URL; a new URL fails the walk below until it is
# listed here, so no page escapes the form check.
PUBLIC_URL_SAMPLES = {
    "home": [lambda: reverse("home")],
    "location": [lambda: reverse("location")],
    "privacy": [lambda: reverse("privacy")],
    "accessibility": [lambda: reverse("accessibility")],
    # A 404 until staff approve its text (tests/clinic/test_notices.py shows it approved).
    "nondiscrimination": [lambda: reverse("nondiscrimination")],
    "language_help": [lambda: reverse("language_help")],
    "healthz": [lambda: reverse("healthz")],
    "education:topic": [lambda: reverse("education:topic", args=["after"])],
    "education:page": [lambda: reverse("education:page", args=["after-your-infusion"])],
    "search": [
        lambda: reverse("search"),
        lambda: reverse("search") + "?q=driving",
        lambda: reverse("search") + "?q=%21%21",
    ],
    "glossary": [lambda: reverse("glossary")],
    "sitemap": [lambda: reverse("sitemap")],
    "robots": [lambda: reverse("robots")],
    "contact:form": [lambda: reverse("contact:form")],
    # Without a submission it sends the visitor back to the form, which is then checked.
    "contact:sent": [lambda: reverse("contact:sent")],
}


def test_every_public_url_has_a_sample_page_for_the_form_check():
    missing = public_url_names() - set(PUBLIC_URL_SAMPLES)
    assert not missing, f"add a sample page to PUBLIC_URL_SAMPLES for: {sorted(missing)}"


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.mark.django_db
def test_every_form_posts_with_a_csrf_token_or_only_reads(
    client, education_page, django_user_model
):
    ClinicDetails.load()
    editor("nurse")
    fail_until_locked(Client(), "nurse")  # so the login attempts list has a row
    pages = [sample() for samples in PUBLIC_URL_SAMPLES.values() for sample in samples]
    pages += ["/no-such-page/", reverse("admin:login")]

    before = row_counts()
    checked_forms = 0
    for url in pages:
        response = client.get(url, follow=True)
        assert response.status_code in (200, 404), url
        for form in forms_on(response.content.decode()):
            checked_forms += 1
            if form["method"] == "post":
                assert form["csrf"], f"POST form {form} on {url} has no CSRF token"
            else:
                assert is_read_only_target(form["action"] or url), f"GET form {form} on {url}"
    # Looking at public pages changes nothing in the database.
    assert row_counts() == before

    admin_user = django_user_model.objects.create_superuser("boss", "boss@example.org", PASSWORD)
    client.force_login(admin_user)
    for url in admin_urls_for(admin_user):
        response = client.get(url, follow=True)  # clinic details' list goes to its one record
        assert response.status_code == 200, url
        url = response.request["PATH_INFO"]
        for form in forms_on(response.content.decode()):
            checked_forms += 1
            if form["method"] == "post":
                assert form["csrf"], f"POST form {form} on {url} has no CSRF token"
            else:
                assert is_read_only_target(form["action"] or url), f"GET form {form} on {url}"
    assert checked_forms > 20  # the walk really found forms


@pytest.mark.django_db
def test_a_post_without_the_csrf_token_is_refused():
    editor("nurse")
    client = Client(enforce_csrf_checks=True)
    refused = client.post(reverse("admin:login"), {"username": "nurse", "password": PASSWORD})
    assert refused.status_code == 403

    token = client.get(reverse("admin:login")).context["csrf_token"]
    accepted = client.post(
        reverse("admin:login"),
        {"username": "nurse", "password": PASSWORD, "csrfmiddlewaretoken": str(token)},
    )
    assert accepted.status_code == 302


@pytest.mark.django_db
def test_admin_log_out_is_a_post_only(admin_client_logged_in):
    assert admin_client_logged_in.get(reverse("admin:logout")).status_code == 405
    assert admin_client_logged_in.post(reverse("admin:logout")).status_code == 200
