"""The second step of signing in, in a real browser: setting up an app, then the code page.
Both pass axe (WCAG 2.2 AA) and work under the site's CSP."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory, current_code

from .test_admin_screening import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_staff_set_up_an_app_keep_recovery_codes_and_next_time_type_a_code(
    new_context, site, browser_problems
):
    UserFactory(username="nina", groups=["Front desk"])
    assert Group.objects.filter(name="Front desk").exists()
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(site + reverse("admin:login"))
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("figure")).to_contain_text("QR code for your authenticator app")
    assert_accessible(page)
    device = TOTPDevice.objects.get(user__username="nina")
    page.get_by_label("Code from the app").fill(current_code(device))
    page.get_by_role("button", name="Turn on the second step").click()
    expect(page.get_by_text("Your second step is on.")).to_be_visible()
    assert page.locator(".two-factor-codes li").count() == 10
    assert_accessible(page)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.goto(site + reverse("admin:login"))
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_label("Code", exact=True)).to_be_visible()
    assert_accessible(page)
    browser_problems.assert_none(page)
