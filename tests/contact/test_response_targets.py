"""First-response targets in opening hours, the inbox's "due in / overdue by", and overdue
emails sent once each."""

import datetime
import io
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from clinic.models import StaffEmail
from contact import services
from contact.models import ContactSettings, Inquiry, InquiryNote
from contact.screening import ScreeningResult

NEW_YORK = ZoneInfo("America/New_York")
URGENT = ScreeningResult(urgent_matches=["suicid"])


def at(day, hour, minute=0):
    """2027-03-01 is a Monday; the default week is Monday to Friday, 8:00 to 17:00."""
    return datetime.datetime(2027, 3, day, hour, minute, tzinfo=NEW_YORK)


@pytest.fixture(autouse=True)
def new_york(settings):
    settings.TIME_ZONE = "America/New_York"


def submit_at(moment, topic, **kwargs):
    # A message of its own each time: the same one again would be stored once (a resend).
    with time_machine.travel(moment, tick=False):
        return services.inquiry_submit(
            topic=topic,
            name="Pat",
            email="pat@example.com",
            message=f"Can I park? (sent {moment:%a %H:%M})",
            **kwargs,
        )


def alerts_at(moment):
    with time_machine.travel(moment, tick=False):
        call_command("send_overdue_alerts", stdout=io.StringIO())
    return list(StaffEmail.objects.order_by("pk"))


@pytest.mark.django_db
def test_a_friday_evening_message_is_due_one_working_day_later(topic):
    inquiry = submit_at(at(5, 18), topic)  # Friday 6 pm; the topic's target is 480 minutes
    assert inquiry.respond_by == at(8, 16)  # Monday 8:00 + 8 h of opening hours
    assert inquiry.escalate_at == at(9, 15)  # 8 h more: 1 on Monday, 7 on Tuesday


@pytest.mark.django_db
def test_an_urgent_message_is_due_30_minutes_into_opening_hours(topic):
    inquiry = submit_at(at(6, 10), topic, screening=URGENT)  # Saturday
    assert inquiry.respond_by == at(8, 8, 30)
    settings = ContactSettings.load()
    settings.urgent_response_minutes = 15
    settings.save()
    assert submit_at(at(1, 9), topic, screening=URGENT).respond_by == at(1, 9, 15)


@pytest.mark.django_db
def test_overdue_staff_are_told_once_then_once_more_at_the_second_deadline(topic):
    inquiry = submit_at(at(1, 9), topic)  # due Monday 17:00, escalated Tuesday 16:00
    assert alerts_at(at(1, 16, 59)) == []
    [first] = alerts_at(at(1, 17, 1))
    assert first.subject == f"Overdue: inquiry {inquiry.reference} (Rescheduling)"
    assert first.recipients == ["scheduling@example.org"]
    assert "Pat" not in first.body and "Can I park?" not in first.body  # no personal data
    for hour in (18, 22):
        assert len(alerts_at(at(1, hour))) == 1  # not again
    assert len(alerts_at(at(2, 15, 59))) == 1
    emails = alerts_at(at(2, 16, 5))
    assert [e.subject.split(":")[0] for e in emails] == ["Overdue", "Still no answer"]
    assert len(alerts_at(at(3, 12))) == 2  # nothing a third time


@pytest.mark.django_db
def test_an_answer_stops_the_alerts(topic, front_desk_user):
    answered_by_reply = submit_at(at(1, 9), topic)
    services.inquiry_reply_send(inquiry=answered_by_reply, by=front_desk_user, body="Yes.")
    noted = services.inquiry_submit(
        topic=topic, name="Kim", email="kim@example.com", message="Where is the entrance?"
    )
    services.inquiry_note_add(
        note=InquiryNote(inquiry=noted, text="Called them back."), by=front_desk_user
    )
    assigned_only = submit_at(at(1, 9, 5), topic)
    services.inquiry_assign(inquiry=assigned_only, user=front_desk_user, by=front_desk_user)
    emails = alerts_at(at(3, 9))
    # Being assigned is not an answer: that one is still overdue, the others are not.
    assert [e.subject for e in emails] == [
        f"Still no answer: inquiry {assigned_only.reference} (Rescheduling)"
    ]


@pytest.mark.django_db
def test_urgent_overdue_alerts_also_reach_the_urgent_list(topic):
    settings = ContactSettings.load()
    settings.urgent_recipients = "oncall@example.org"
    settings.save()
    inquiry = submit_at(at(1, 9), topic, screening=URGENT)
    [alert] = alerts_at(at(1, 9, 31))
    assert alert.subject.startswith(f"[URGENT] Overdue: inquiry {inquiry.reference}")
    assert alert.recipients == ["oncall@example.org", "scheduling@example.org"]


@pytest.mark.django_db
def test_the_inbox_shows_due_in_and_overdue_by_and_sorts_the_most_overdue_first(
    client, topic, front_desk_user
):
    later = submit_at(at(1, 10), topic)  # due Tuesday 9:00 (7 h on Monday, 1 on Tuesday)
    sooner = submit_at(at(1, 9), topic)  # due Monday 17:00
    newest = submit_at(at(1, 11), topic)
    services.inquiry_reply_send(inquiry=newest, by=front_desk_user, body="Done.")
    with time_machine.travel(at(1, 18), tick=False):
        client.force_login(front_desk_user)  # a session of that day
        html = client.get(reverse("admin:contact_inquiry_changelist")).content.decode()
    order = [html.index(i.reference) for i in (sooner, later, newest)]
    assert order == sorted(order)
    row = html[html.index(sooner.reference) :]
    assert "Overdue by 1\xa0hour" in row.split("</tr>")[0]
    assert "Due in 15\xa0hours" in html[html.index(later.reference) :].split("</tr>")[0]
    assert "Answered" in html[html.index(newest.reference) :].split("</tr>")[0]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_overdue_email_once(topic):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: the race needs PostgreSQL")
    for hour in (9, 10, 11):
        submit_at(at(1, hour), topic)
    start = threading.Barrier(2)

    def run():
        try:
            start.wait()
            services.overdue_alerts_queue(now=at(2, 16))
        finally:
            connection.close()

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join()
    keys = list(StaffEmail.objects.values_list("once_key", flat=True))
    assert len(keys) == 3 and len(set(keys)) == 3
    assert Inquiry.objects.count() == 3
