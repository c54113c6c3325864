"""The public pages every browser audit visits: axe, reflow, text spacing, zoom, HTML validity.

The list is every URL in /sitemap.xml plus the pages below, which the sitemap does not list:
search results, an empty search and the 404 page. To audit a page in a particular state (a
form showing its errors, a thank-you page after a submission), add a ``PublicPage`` whose
``open`` function gets it there and returns the response of the last page load, e.g.::

    def contact_form_with_errors(page, base_url):
        page.goto(base_url + "/contact/")
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Send").click()
        return navigation.value

    STATE_PAGES.append(PublicPage("contact-with-errors", contact_form_with_errors))
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.request import urlopen

from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, Response

from .journeys import ContactForm

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@dataclass(frozen=True)
class PublicPage:
    name: str  # in reports and screenshot file names
    open: Callable[[Page, str], Response]  # (page, live server URL) -> the document's response
    status: int = 200


def visit(path):
    """Open a page by its address."""

    def open_page(page, base_url):
        return page.goto(base_url + path)

    return open_page


# Pages that are not in the sitemap.
FIXED_PAGES = [
    PublicPage("search-driving", visit("/search/?q=driving")),
    PublicPage("search-empty-query", visit("/search/?q=")),
    PublicPage("not-found", visit("/no-such-page/"), status=404),
]


def admin_login_locked_out(page, base_url):
    """The page after too many failed sign-ins (templates/portal/login_locked_out.html)."""
    page.goto(base_url + reverse("admin:login"))
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.get_by_label("Username").fill("someone")
        page.get_by_label("Password").fill("not-the-password")
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Log in").click()
        if navigation.value.status == 429:
            return navigation.value
    raise AssertionError(f"still no lockout after {settings.AXES_FAILURE_LIMIT} failures")


def contact_form_with_errors(page, base_url):
    form = ContactForm(page, base_url)
    form.open()
    return form.send()


def contact_form_urgent_notice(page, base_url):
    form = ContactForm(page, base_url)
    form.open()
    form.fill(message=ContactForm.URGENT_MESSAGE)
    return form.send()


def contact_form_medical_notice(page, base_url):
    form = ContactForm(page, base_url)
    form.open()
    form.fill(message=ContactForm.MEDICAL_MESSAGE)
    return form.send()


def contact_thank_you(page, base_url):
    form = ContactForm(page, base_url)
    form.open()
    form.fill()
    return form.send()


def contact_urgent_thank_you(page, base_url):
    contact_form_urgent_notice(page, base_url)
    return ContactForm(page, base_url).send(button="Send my message anyway")


# Pages in a state a visitor reaches by doing something (filling a form, ...). See above.
STATE_PAGES: list[PublicPage] = [
    PublicPage("admin-login-locked-out", admin_login_locked_out, status=429),
    PublicPage("contact-with-errors", contact_form_with_errors),
    PublicPage("contact-urgent-notice", contact_form_urgent_notice),
    PublicPage("contact-medical-notice", contact_form_medical_notice),
    PublicPage("contact-thank-you", contact_thank_you),
    PublicPage("contact-urgent-thank-you", contact_urgent_thank_you),
]


def name_for(path):
    """A file-name-safe name for a path: "/learn/after/" -> "learn-after", "/" -> "home"."""
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


def sitemap_paths(base_url):
    with urlopen(base_url + "/sitemap.xml", timeout=10) as response:  # noqa: S310 - live server
        tree = ET.fromstring(response.read())  # noqa: S314 - our own sitemap
    return [urlsplit(loc.text).path for loc in tree.iterfind("sm:url/sm:loc", SITEMAP_NS)]


def public_pages(base_url):
    """Every public page to audit: the sitemap's, then the fixed and state pages."""
    from_sitemap = [PublicPage(name_for(path), visit(path)) for path in sitemap_paths(base_url)]
    pages = [*from_sitemap, *FIXED_PAGES, *STATE_PAGES]
    names = [page.name for page in pages]
    assert len(names) == len(set(names)), f"two pages share a name: {names}"
    return pages
