"""Emails about the review workflow: who is told what, and review reminders sent once."""

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from clinic.models import StaffEmail
from education import services
from education.models import EducationPage
from tests.factories import UserFactory

from .factories import EducationPageFactory, FAQFactory, editor, reviewer, signed_off

pytestmark = pytest.mark.django_db


def emails():
    return list(StaffEmail.objects.order_by("pk"))


@pytest.fixture
def people():
    return {
        "edna": editor("edna"),
        "rhea": reviewer("rhea"),
        "ray": reviewer("ray"),
        # A superuser is not a reviewer: nobody is told about pages just for being one.
        "boss": UserFactory(username="boss", is_superuser=True),
    }


@pytest.fixture
def draft(people):
    return EducationPageFactory(
        title="Before your infusion", status=EducationPage.Status.DRAFT, author=people["edna"]
    )


def test_submitting_tells_every_reviewer_but_the_submitter(people, draft):
    services.page_submit_for_review(page=draft, user=people["edna"], comment="New FAQ on food.")
    [email] = emails()
    assert email.recipients == ["ray@example.org", "rhea@example.org"]
    assert email.subject == "Waiting for your review: Before your infusion"
    assert "edna submitted" in email.body and "New FAQ on food." in email.body
    assert f"/admin/education/educationpage/{draft.pk}/change/" in email.body

    services.page_request_changes(page=draft, user=people["rhea"], comment="Fix the FAQ.")
    services.page_submit_for_review(page=draft, user=people["rhea"])
    assert emails()[-1].recipients == ["ray@example.org"]  # rhea is not told about her own


def test_an_inactive_reviewer_or_one_without_an_address_is_not_told(people, draft):
    people["ray"].is_active = False
    people["ray"].save()
    people["rhea"].email = ""
    people["rhea"].save()
    services.page_submit_for_review(page=draft, user=people["edna"])
    assert emails() == []


def test_asking_for_changes_tells_the_author_with_the_comment(people, draft):
    services.page_submit_for_review(page=draft, user=people["edna"])
    services.page_request_changes(
        page=draft, user=people["rhea"], comment="Say how long to fast before."
    )
    email = emails()[-1]
    assert email.recipients == ["edna@example.org"]
    assert email.subject == "Changes asked for: Before your infusion"
    assert "Say how long to fast before." in email.body and "rhea asked" in email.body


def test_publishing_tells_the_author_but_not_a_reviewer_publishing_their_own(people, draft):
    services.page_publish(page=draft, user=people["rhea"])
    assert [(e.recipients, e.subject) for e in emails()] == [
        (["edna@example.org"], "Published: Before your infusion")
    ]
    own = EducationPageFactory(status=EducationPage.Status.DRAFT, author=people["rhea"])
    services.page_publish(page=own, user=people["rhea"])
    assert len(emails()) == 1


def test_publishing_draft_changes_tells_whoever_made_the_changes(people):
    live = EducationPageFactory(title="After your infusion", author=people["rhea"])
    services.page_revision_record(page=live)
    copy = services.page_draft_start(page=live, user=people["edna"])
    services.page_publish_changes(draft=copy, user=people["ray"])
    email = emails()[-1]
    assert email.recipients == ["edna@example.org"]
    assert email.subject == "Changes published: After your infusion"
    assert "published your changes" in email.body


def test_a_refused_action_tells_nobody(people, draft):
    FAQFactory(page=draft, answer="[[Fill in: the fasting hours]]")
    with pytest.raises(ValidationError):
        services.page_publish(page=draft, user=people["rhea"])
    with pytest.raises(ValidationError):
        services.page_request_changes(page=draft, user=people["rhea"], comment="x")  # a draft
    assert emails() == []


def reminders():
    return [e for e in emails() if e.subject.startswith("Clinical reviews")]


def run_reminders_on(day):
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(7, 0)), tick=False):
        call_command("send_review_reminders", stdout=io.StringIO())


@pytest.fixture
def reviewed_page(people):
    page = EducationPageFactory(title="Side effects")
    return signed_off(page, on=datetime.date(2027, 3, 1), by=people["rhea"])


def test_review_reminders_30_and_7_days_before_and_once_overdue_each_sent_once(
    people, reviewed_page
):
    due = reviewed_page.next_review_due
    day = datetime.timedelta(days=1)
    sent_on = {}
    # Every day from 40 days before to 10 days after, twice a day: three emails in all.
    for offset in range(-40, 11):
        for _run in range(2):
            before = len(reminders())
            run_reminders_on(due + offset * day)
            if len(reminders()) > before:
                sent_on[offset] = reminders()[-1]
    assert sorted(sent_on) == [-30, -7, 1]
    written = f"{due.day} {due:%B %Y}"
    assert f"due {written}" in sent_on[-30].body
    assert sent_on[-30].subject == "Clinical reviews: 1 due soon"
    assert f"due {written}" in sent_on[-7].body
    assert f"overdue since {written}" in sent_on[1].body
    assert sent_on[1].subject == "Clinical reviews: 1 overdue"
    assert all(e.recipients == ["ray@example.org", "rhea@example.org"] for e in reminders())
    assert f"/admin/education/educationpage/{reviewed_page.pk}/change/" in sent_on[1].body


def test_a_missed_day_still_sends_the_reminder_due_and_skips_none_later(reviewed_page):
    due = reviewed_page.next_review_due
    run_reminders_on(due - datetime.timedelta(days=20))  # the 30-day reminder, late
    run_reminders_on(due - datetime.timedelta(days=3))  # the 7-day one, late
    run_reminders_on(due + datetime.timedelta(days=40))  # overdue, late
    assert len(reminders()) == 3


def test_a_page_first_seen_a_week_before_gets_only_the_7_day_reminder(reviewed_page):
    run_reminders_on(reviewed_page.next_review_due - datetime.timedelta(days=5))
    run_reminders_on(reviewed_page.next_review_due)
    assert len(reminders()) == 1


def test_a_new_sign_off_starts_the_reminders_again(people, reviewed_page):
    first_due = reviewed_page.next_review_due
    run_reminders_on(first_due - datetime.timedelta(days=30))
    renewed = signed_off(reviewed_page, on=first_due, by=people["ray"])
    run_reminders_on(first_due - datetime.timedelta(days=29))  # the old date is gone
    assert len(reminders()) == 1
    run_reminders_on(renewed.next_review_due - datetime.timedelta(days=30))
    assert len(reminders()) == 2


def test_pages_at_the_same_stage_share_one_email(people, reviewed_page):
    signed_off(EducationPageFactory(title="Costs"), on=datetime.date(2027, 3, 1), by=people["ray"])
    draft = signed_off(
        EducationPageFactory(title="Unpublished", status=EducationPage.Status.DRAFT),
        on=datetime.date(2027, 3, 1),
        by=people["ray"],
    )
    run_reminders_on(reviewed_page.next_review_due - datetime.timedelta(days=30))
    [email] = reminders()
    assert email.subject == "Clinical reviews: 2 due soon"
    assert "Costs" in email.body and "Side effects" in email.body
    assert draft.title not in email.body  # patients do not read it: no review is due


def test_with_no_reviewer_to_tell_the_reminders_wait(people, reviewed_page):
    for name in ("rhea", "ray"):
        people[name].groups.clear()
    run_reminders_on(reviewed_page.next_review_due - datetime.timedelta(days=30))
    assert reminders() == []
    reviewer("rosa")
    run_reminders_on(reviewed_page.next_review_due - datetime.timedelta(days=29))
    [email] = reminders()
    assert email.recipients == ["rosa@example.org"]


def test_an_email_queued_for_a_change_that_fails_to_save_is_rolled_back(people, draft):
    draft.title = "x" * 500  # too long: the page's own validation refuses it at save
    with pytest.raises(ValidationError):
        services.page_publish(page=draft, user=people["rhea"])
    assert emails() == []
