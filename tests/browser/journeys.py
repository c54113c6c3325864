"""Journeys through the site as people take them, one step a method.

A test strings the steps together; a new leg (the contact form, say) is a new method here and
one more line in the test.
"""

import re
import secrets

from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, current_code, second_factor_device


class PatientJourney:
    """A patient (or a family member) reading about their treatment."""

    def __init__(self, page: Page, base_url: str):
        self.page = page
        self.base_url = base_url

    def start_at_home(self):
        self.page.goto(self.base_url + "/")
        expect(self.page.get_by_role("heading", level=1)).to_contain_text("Welcome to")

    def open_page_from_home(self, title):
        """Follow a page's link in the home page's step-by-step list."""
        self.page.locator(".journey").get_by_role("link", name=title, exact=True).click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text(title)

    def jump_to_section(self, title):
        """Follow a link in the page's contents list; the section is targeted and in view."""
        contents = self.page.get_by_role("navigation", name="On this page")
        contents.get_by_role("link", name=title).click()
        heading = self.page.get_by_role("heading", name=title, level=2)
        anchor = heading.get_attribute("id")
        assert anchor
        expect(self.page).to_have_url(re.compile(f"#{re.escape(anchor)}$"))
        expect(heading).to_be_in_viewport()
        assert heading.evaluate("element => element.matches(':target')")

    def open_question(self, question):
        """Open an FAQ (a native <details>): its answer shows."""
        faq = self.page.locator("details.faq").filter(has_text=question)
        answer = faq.locator(".faq__answer")
        expect(answer).to_be_hidden()
        faq.get_by_text(question).click()
        expect(faq).to_have_attribute("open", "")
        expect(answer).to_be_visible()
        return answer

    def search_for(self, words):
        """Search from the header's Search page; return the result links."""
        self.page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
        box = self.page.get_by_role("searchbox", name="Search")
        box.fill(words)
        box.press("Enter")
        expect(self.page).to_have_url(re.compile(rf"/search/\?q={words}$"))
        return self.page.locator(".search-results").get_by_role("link")


class ContactForm:
    """The contact form, filled in the way a person does it with a mouse or a finger."""

    URGENT_MESSAGE = "Since my infusion yesterday I have chest pain. Can I come in?"
    MEDICAL_MESSAGE = "Should I take my antidepressant dose on the morning of my visit?"

    def __init__(self, page: Page, base_url: str):
        self.page = page
        self.base_url = base_url

    def open(self):
        return self.page.goto(self.base_url + "/contact/")

    def fill(self, *, email="pat@example.com", message="Is there parking near the clinic?"):
        self.page.get_by_label("Your name").fill("Pat Example")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_role("radio", name="Directions and parking").check()
        self.page.get_by_label("Your message").fill(message)
        self.page.get_by_label("I understand this form is not for medical questions").check()

    def send(self, button="Send my question"):
        with self.page.expect_navigation() as navigation:
            self.page.get_by_role("button", name=button).click()
        return navigation.value

    def error_summary(self):
        return self.page.get_by_role("alert").filter(has_text="Please check")

    def reference_on_thank_you_page(self, *, urgent=False):
        expect(self.page.get_by_role("heading", level=1)).to_have_text(
            "We have your message. If you need help now, please do not wait for our reply."
            if urgent
            else "Thank you. We have your message."
        )
        reference = self.page.locator(".inquiry-reference").inner_text().strip()
        assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", reference), reference
        return reference


def second_step_code(user):
    """A code that signs `user` in now: their app's current code, or, when that code was
    used in this 30-second step already (a second sign-in in one test), a fresh recovery
    code (each works once)."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_static.models import StaticDevice

    device = second_factor_device(user)
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if device.last_t is None or device.last_t < totp.t():
        return current_code(device)
    recovery, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes")
    return recovery.token_set.create(token=secrets.token_hex(5)).token


def sign_in(page: Page, base_url: str, username: str, password: str = PASSWORD):
    """Both steps of signing in to the admin, as staff do: password, then the code."""
    user = get_user_model().objects.get(username=username)
    second_factor_device(user)
    page.goto(base_url + reverse("admin:login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code", exact=True).fill(second_step_code(user))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
