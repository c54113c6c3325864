"""The contact form and the front desk, in a real browser."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from contact.models import Inquiry, InquiryNote, Topic
from contact.services import inquiry_submit

from .journeys import ContactForm, PatientJourney, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-password"

# Shows whether the focused element has a visible focus indicator (an outline or a ring).
FOCUS_STATE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const ringed = style.boxShadow && style.boxShadow !== "none";
  return {id: el.id, tag: el.tagName.toLowerCase(), type: el.type || "",
          name: el.getAttribute("name") || "", text: (el.innerText || "").trim().slice(0, 40),
          visible: outlined || ringed};
}"""


def test_patient_asks_a_question_fixes_a_mistake_and_gets_a_reference(page, site):
    journey = PatientJourney(page, site)
    journey.start_at_home()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contact us").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact us")
    expect(page.get_by_text("Please include non-medical questions only")).to_be_visible()

    form = ContactForm(page, site)
    form.fill(email="pat@example")  # a mistake: no ".com"
    form.send()
    summary = form.error_summary()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please check your email address")
    expect(page.get_by_label("Your message")).to_have_value("Is there parking near the clinic?")

    summary.get_by_role("link", name=re.compile("email address")).click()
    email = page.get_by_label("Email address")
    expect(email).to_be_focused()
    email.fill("pat@example.com")
    form.send()

    reference = form.reference_on_thank_you_page()
    inquiry = Inquiry.objects.get(reference=reference)
    assert inquiry.email == "pat@example.com" and inquiry.status == Inquiry.Status.NEW
    # Reloading the thank-you page sends nothing again.
    page.reload()
    assert form.reference_on_thank_you_page() == reference
    assert Inquiry.objects.count() == 1


def test_urgent_words_show_the_urgent_card_before_sending(page, site):
    form = ContactForm(page, site)
    form.open()
    form.fill(message=ContactForm.URGENT_MESSAGE)
    form.send()
    notice = page.locator("#screening-notice")
    expect(notice).to_be_focused()
    expect(notice).to_contain_text("If you need help now")
    expect(notice.get_by_role("link", name="911")).to_have_attribute("href", "tel:911")
    assert not Inquiry.objects.exists()

    form.send(button="Send my message anyway")
    form.reference_on_thank_you_page(urgent=True)
    # The thank-you page leads with help now, not with when we usually reply.
    help_now = page.get_by_role("region", name="Help you can get right now")
    expect(help_now.get_by_role("link", name="911")).to_have_attribute("href", "tel:911")
    expect(help_now.get_by_role("link", name="988")).to_have_attribute("href", "tel:988")
    expect(page.get_by_text("We usually reply within one working day")).to_have_count(0)
    assert Inquiry.objects.get().is_urgent


def test_keyboard_only_patient_sends_the_form_with_focus_always_visible(page, site):
    ContactForm(page, site).open()
    keyboard = page.keyboard
    seen = []

    def tab(key="Tab"):
        keyboard.press(key)
        state = page.evaluate(FOCUS_STATE)
        seen.append(state)
        assert state["visible"], f"focus is not visible on {state}"
        return state

    # From the top of the page, Tab until the first field (skip link, help and menu links).
    for _ in range(30):
        if tab()["id"] == "id_name":
            break
    else:
        raise AssertionError(f"never reached the name field: {seen}")
    keyboard.type("Kim Keyboard")
    assert tab()["id"] == "id_email"
    keyboard.type("kim@example.com")
    assert tab()["id"] == "id_phone"
    # Shift-Tab goes back, Tab comes forward again.
    assert tab("Shift+Tab")["id"] == "id_email"
    assert tab()["id"] == "id_phone"
    assert tab()["id"] == "id_reply_by_0"  # the checked answer of "How should we reply?"
    state = tab()
    assert state["name"] == "topic"
    keyboard.press("Space")  # choose the first topic
    assert tab()["id"] == "id_message"
    keyboard.type("Can I bring my own headphones?")
    assert tab()["id"] == "id_understands_not_medical"
    keyboard.press("Space")
    state = tab()
    assert state["tag"] == "button" and state["text"] == "Send my question", state
    with page.expect_navigation():
        keyboard.press("Enter")
    ContactForm(page, site).reference_on_thank_you_page()
    inquiry = Inquiry.objects.get()
    assert inquiry.name == "Kim Keyboard" and inquiry.topic == Topic.objects.order_by("order")[0]


def test_front_desk_assigns_notes_and_closes_the_newest_inquiry(new_context, site):
    desk = get_user_model().objects.create_user("dana", "dana@example.org", PASSWORD, is_staff=True)
    desk.groups.add(Group.objects.get(name="Front desk"))
    topic = Topic.objects.get(label="Scheduling")
    inquiry_submit(topic=topic, name="Older", email="old@example.com", message="Older one")
    newest = inquiry_submit(
        topic=topic, name="Pat", email="pat@example.com", message="Can I move to Friday?"
    )

    page = new_context().new_page()
    sign_in(page, site, "dana", PASSWORD)
    page.get_by_role("link", name="Inquiries", exact=True).click()

    # Its row, wherever the inbox order puts it: within opening hours the older one is due
    # first and comes first; outside them both are due at the same time and the newest leads.
    row = page.locator("#result_list tbody tr", has_text=newest.reference)
    expect(row).to_have_count(1)
    row.get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Assign to me")
    page.get_by_role("button", name="Go", exact=True).click()
    expect(page.get_by_text("Assigned 1 to you.")).to_be_visible()

    page.get_by_role("link", name=newest.reference).click()
    expect(page.get_by_text("Can I move to Friday?")).to_be_visible()
    page.locator("textarea[name='notes-0-text']").fill("Called back, moved to Friday 10 am.")
    page.get_by_label("Status:").select_option(label="Closed")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    newest.refresh_from_db()
    assert newest.assigned_to == desk
    assert newest.status == Inquiry.Status.CLOSED and newest.closed_at is not None
    note = InquiryNote.objects.get()
    assert note.author == desk and note.text == "Called back, moved to Friday 10 am."
