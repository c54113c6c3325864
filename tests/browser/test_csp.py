"""The Content-Security-Policy as the browser enforces it.

Every browser test fails on a CSP violation (tests/browser/conftest.py). These tests show the
watch catches them, that the policy blocks what it should, and that the admin runs under it.
"""

import http.server
import threading

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from education.models import EducationPage
from tests.admin_pages import admin_urls_with_page_views

from .conftest import MAP_EMBED_URL
from .journeys import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

FAKE_MAP = "<!doctype html><title>Map</title><p>A map of the clinic</p>"


def test_injected_inline_script_and_style_are_blocked_and_reported(page, site, browser_problems):
    page.goto(site + "/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
          document.body.setAttribute("style", "background: red");
        }"""
    )
    seen = "\n".join(browser_problems.take(page))
    assert "script-src-elem blocked inline" in seen
    assert "style-src-attr blocked inline" in seen
    assert page.evaluate("() => window.injected") is None


def test_map_frame_loads_from_the_clinic_maps_origin_and_no_other(page, site, browser_problems):
    page.route("https://maps.example.com/**", lambda route: route.fulfill(body=FAKE_MAP))
    page.route("https://elsewhere.example/**", lambda route: route.fulfill(body=FAKE_MAP))
    page.goto(site + "/location/")
    expect(page.locator("iframe")).to_have_count(0)  # nothing loads until asked

    page.get_by_role("button", name="Show the map").click()
    frame = page.frame_locator("iframe[title^='Map showing where']")
    expect(frame.get_by_text("A map of the clinic")).to_be_visible()
    assert page.locator("iframe").get_attribute("src") == MAP_EMBED_URL
    assert browser_problems.take(page) == []

    page.evaluate(
        """() => {
          const frame = document.createElement("iframe");
          frame.src = "https://elsewhere.example/embed";
          document.body.append(frame);
        }"""
    )
    page.wait_for_timeout(200)
    seen = "\n".join(browser_problems.take(page))
    assert "frame-src blocked https://elsewhere.example" in seen


@pytest.fixture
def other_site():
    """Another web site (another origin, on this machine), serving the HTML it is given."""
    pages = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield pages, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_no_other_site_can_frame_the_portal(page, site, browser_problems, other_site):
    pages, other_origin = other_site
    pages["/framer"] = f'<!doctype html><title>Other</title><iframe src="{site}/"></iframe>'
    page.goto(other_origin + "/framer")
    page.wait_for_timeout(300)
    seen = "\n".join(browser_problems.take(page))
    assert f"Framing '{site}/' violates" in seen
    assert "frame-ancestors 'none'" in seen
    frame = page.frames[1]
    assert "Welcome to" not in frame.content()


def test_every_admin_page_works_under_the_csp(page, site, browser_problems):
    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", "a-long-password")
    sign_in(page, site, "boss", "a-long-password")

    urls = admin_urls_with_page_views(boss, EducationPage.objects.first())
    for url in urls:
        response = page.goto(site + url)
        assert response.ok, url
        browser_problems.assert_none(page, url)
