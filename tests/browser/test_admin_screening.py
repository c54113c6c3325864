"""Clinical reviewers check phrase edits in a real browser: the pages pass axe (WCAG 2.2 AA)
and a check shows which examples the edit would change, saving nothing."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from contact.models import ScreeningExample, ScreeningPhrase

from .journeys import sign_in
from .test_accessibility import ADMIN_AXE_OPTIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-password"


@pytest.fixture
def reviewer_page(new_context, site):
    user = get_user_model().objects.create_user(
        "rita.reviewer", "rita@example.org", PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Clinical reviewers"))
    page = new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(page, site, "rita.reviewer", PASSWORD)
    return page


def assert_accessible(page):
    results = Axe().run(page, options=ADMIN_AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


def test_a_reviewer_checks_a_new_phrase_against_the_examples(reviewer_page, site, browser_problems):
    page = reviewer_page
    ScreeningExample.objects.create(message="my parakeet plan is ready", expected="urgent")
    phrases_before = ScreeningPhrase.objects.count()

    page.goto(site + reverse("admin:contact_screeningphrase_add"))
    assert_accessible(page)
    page.get_by_label("Phrase").fill("parakeet plan")
    page.get_by_label("Kind").select_option("urgent")
    page.get_by_role("button", name="Check against the examples (saves nothing)").click()

    impact = page.locator(".screening-impact")
    expect(impact).to_contain_text("Would now be right (1)")
    expect(impact).to_contain_text("my parakeet plan is ready")
    expect(page.locator(".errorlist.nonfield")).to_contain_text("Not saved yet")
    assert ScreeningPhrase.objects.count() == phrases_before
    assert_accessible(page)

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("1 now right")
    assert ScreeningPhrase.objects.filter(phrase="parakeet plan", kind="urgent").exists()
    browser_problems.assert_none(page, "screening phrase check")


def test_the_examples_pages_say_right_or_wrong_in_words(reviewer_page, site, browser_problems):
    page = reviewer_page
    ScreeningExample.objects.create(message="the budgie seed is hidden", expected="urgent")
    page.goto(site + reverse("admin:contact_screeningexample_changelist") + "?q=budgie")
    expect(page.locator("#result_list")).to_contain_text("Wrong: no notice")
    assert_accessible(page)

    page.get_by_role("link", name="Check the examples").click()
    last = page.get_by_role("link", name="Next examples")
    while last.count():
        last.click()
    wrong = page.locator("table", has=page.locator("caption", has_text="gets wrong"))
    expect(wrong).to_contain_text("the budgie seed is hidden")
    assert_accessible(page)
    browser_problems.assert_none(page, "screening examples")
