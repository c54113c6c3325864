"""The front desk answers from the inquiry page, in a real browser: a canned reply inserted,
edited and sent; the timeline shows it sent once the worker runs. Each page passes axe."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from contact.models import CannedReply, Inquiry, InquiryEvent

from . import journeys
from .test_admin_inbox import PASSWORD, inbox, sign_in  # noqa: F401 - a fixture
from .test_admin_screening import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_front_desk_sends_an_edited_canned_reply_and_sees_it_sent(
    new_context,
    site,
    inbox,  # noqa: F811 - the fixture
    browser_problems,
    mailoutbox,
):
    newest = inbox["NEW-EST"]
    CannedReply.objects.create(
        title="Parking",
        topic=newest.topic,
        body="Hello {name},\n\nThere is free parking behind {clinic_name}.",
    )
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, site)

    page.get_by_role("link", name="Inquiries", exact=True).click()
    page.get_by_role("link", name="NEW-EST").click()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Reply to the sender by email").click()
    assert_accessible(page)
    page.get_by_label("Start from a canned reply").select_option(label="Parking")
    page.get_by_role("button", name="Insert into the reply").click()
    box = page.get_by_label("Your reply (plain text, sent from the clinic's address)")
    expect(box).to_have_value("Hello Pat Example,\n\nThere is free parking behind Infusion Clinic.")
    box.fill(box.input_value() + "\n\nThe entrance is on Elm Street.")
    page.get_by_label("Waiting on patient: we asked them something").check()
    page.get_by_role("button", name="Send the reply to NEW-EST").click()

    expect(page.locator(".messagelist")).to_contain_text("Reply to NEW-EST saved")
    timeline = page.locator(".inquiry-timeline")
    expect(timeline).to_contain_text("The entrance is on Elm Street.")
    expect(timeline).to_contain_text("Waiting to send")
    newest.refresh_from_db()
    assert newest.status == Inquiry.Status.WAITING

    call_command("send_notifications", "--once")
    page.reload()
    expect(timeline).to_contain_text("(Sent ")
    [sent] = [m for m in mailoutbox if "NEW-EST" in m.subject]
    assert "The entrance is on Elm Street." in sent.body
    assert InquiryEvent.objects.filter(kind="replied", inquiry=newest).count() == 1
    browser_problems.assert_none(page)


def test_the_export_reason_and_canned_reply_pages_pass_axe(
    new_context,
    site,
    inbox,  # noqa: F811 - the fixture
):
    lead = inbox["MED-ICL"].assigned_to
    lead.groups.add(Group.objects.get(name="Front desk leads"))
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, site)
    page.goto(site + reverse("admin:contact_cannedreply_add"))
    expect(page.get_by_label("Title")).to_be_visible()
    assert_accessible(page)
    page.goto(site + reverse("admin:contact_inquiry_changelist"))
    page.locator("#result_list tbody tr").first.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("export_csv")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_label("Why are you exporting these inquiries?")).to_be_visible()
    assert_accessible(page)


def test_the_clinic_details_page_with_its_opening_periods_passes_axe(new_context, site):
    get_user_model().objects.create_superuser("sam.super", "sam@example.org", PASSWORD)
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    journeys.sign_in(page, site, "sam.super", PASSWORD)
    page.goto(site + reverse("admin:clinic_clinicdetails_changelist"))
    expect(page.get_by_label("Weekday").first).to_have_value("0")
    assert_accessible(page)
