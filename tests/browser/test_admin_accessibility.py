"""Every model's admin pages pass axe (WCAG 2.2 A/AA), as the public pages do: each list, add
and change page, with every collapsed section opened, and an education page's history, an old
version and its preview. The admin's own views are not listed here: the export reason,
revisions and compare, screening check and sign-in pages have axe checks in their own browser
tests."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model

from education.models import EducationPage
from tests.admin_pages import admin_urls_with_page_views

from .journeys import sign_in
from .test_accessibility import ADMIN_AXE_OPTIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_axe_finds_no_wcag_violation_on_any_admin_page(page, site, browser_problems):
    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", "a-long-password")
    sign_in(page, site, "boss", "a-long-password")
    urls = admin_urls_with_page_views(boss, EducationPage.objects.first())
    axe = Axe()
    failures = []
    for url in urls:
        response = page.goto(site + url)
        assert response.ok, url
        # Collapsed sections (Related pages, say) are <details>: axe skips what is closed.
        page.eval_on_selector_all("details", "sections => sections.forEach((s) => s.open = true)")
        results = axe.run(page, options=ADMIN_AXE_OPTIONS)
        if results.violations_count:
            failures.append(f"{url}: {results.generate_report()}")
    assert not failures, f"{len(failures)} of {len(urls)} admin pages:\n\n" + "\n\n".join(failures)
    assert len(urls) >= 50  # every model's pages, not a handful
