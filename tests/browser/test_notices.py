"""The notices in a real browser: every public page's footer links to each of them, each
language's tagline is read in its own language and direction, and the taglines' admin pages
pass axe (WCAG 2.2 AA)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from clinic.models import LanguageTagline
from tests.factories import PRIVACY_PRACTICES_URL

from .journeys import sign_in
from .pages import sitemap_paths
from .test_admin_screening import PASSWORD, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_public_page_links_to_each_notice_in_its_footer(page, site, browser_problems):
    notices = {
        "Privacy on this website": reverse("privacy"),
        "Notice of Privacy Practices": PRIVACY_PRACTICES_URL,
        "Free language help": reverse("language_help"),
        "Nondiscrimination notice": reverse("nondiscrimination"),
        "Accessibility": reverse("accessibility"),
    }
    paths = sitemap_paths(site)
    assert set(notices.values()) - {PRIVACY_PRACTICES_URL} <= set(paths)
    for path in paths:
        response = page.goto(site + path)
        assert response.status == 200, path
        footer = page.locator("footer.site-footer")
        for name, href in notices.items():
            link = footer.get_by_role("link", name=name)
            expect(link).to_have_attribute("href", href)
    browser_problems.assert_none(page, "footers")


def test_each_tagline_is_read_in_its_own_language_and_direction(page, site, browser_problems):
    page.goto(site + reverse("language_help"))
    shown = page.locator(".language-taglines > li").evaluate_all(
        """(items) => items.map((item) => ({
            lang: item.lang,
            direction: getComputedStyle(item).direction,
            heading: item.querySelector("h3").innerText,
        }))"""
    )
    expected = [
        {
            "lang": tagline.language_code,
            "direction": tagline.direction,
            "heading": tagline.own_name,
        }
        for tagline in LanguageTagline.objects.all()
    ]
    assert shown == expected and len(shown) == 15
    assert {"lang": "ar", "direction": "rtl", "heading": "العربية"} in shown
    # The phone number reads left to right inside the right-to-left paragraph.
    number = page.locator('li[lang="ar"] a[href^="tel:"]')
    assert number.evaluate("(link) => getComputedStyle(link).direction") == "ltr"
    browser_problems.assert_none(page, "language help")


def test_the_taglines_list_and_a_right_to_left_tagline_pass_axe(new_context, site):
    get_user_model().objects.create_superuser("sam.super", "sam@example.org", PASSWORD)
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, site, "sam.super", PASSWORD)
    page.goto(site + reverse("admin:clinic_languagetagline_changelist"))
    expect(page.get_by_role("link", name="Arabic")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Arabic").click()
    expect(page.get_by_label("Writing direction")).to_have_value("rtl")
    assert_accessible(page)
