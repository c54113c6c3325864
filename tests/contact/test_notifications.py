import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from clinic.outbox import header_safe, outbox_claim, retry_delay
from contact.models import Delivery, Inquiry
from contact.notifications import build_email, deliveries_send_due
from contact.screening import ScreeningResult
from contact.services import inquiry_submit

from .factories import TopicFactory


def submit(topic, **kwargs):
    fields = {
        "name": "Pat Example",
        "email": "pat@example.com",
        "message": "Is there parking for a wheelchair van?",
        **kwargs,
    }
    return inquiry_submit(topic=topic, **fields)


@pytest.mark.django_db
def test_every_email_arrives_when_smtp_is_down_then_up(smtp_server, topic):
    inquiry = submit(topic)
    # The mail server is down: the inquiry is safe, the emails wait with their error.
    assert deliveries_send_due() == (0, 2)
    assert Inquiry.objects.filter(pk=inquiry.pk).exists()
    for delivery in Delivery.objects.all():
        assert delivery.status == Delivery.Status.PENDING
        assert delivery.attempts == 1
        assert "ConnectionRefusedError" in delivery.last_error
        assert delivery.next_attempt_at > timezone.now()
    # Not due again until the backoff has passed.
    assert deliveries_send_due() == (0, 0)

    smtp_server.start()
    later = timezone.now() + datetime.timedelta(minutes=2)
    assert deliveries_send_due(now=later) == (2, 0)
    # An email recorded as sent is not sent again, however often the worker runs.
    assert deliveries_send_due(now=later + datetime.timedelta(hours=2)) == (0, 0)

    received = smtp_server.handler.envelopes
    assert sorted(envelope.rcpt_tos[0] for envelope in received) == [
        "pat@example.com",
        "scheduling@example.org",
    ]
    assert all(len(envelope.rcpt_tos) == 1 for envelope in received)
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


@pytest.mark.django_db
def test_the_worker_command_sends_what_is_due(smtp_server, topic):
    smtp_server.start()
    submit(topic)
    call_command("send_notifications", "--once")
    assert len(smtp_server.handler.envelopes) == 2


def test_backoff_doubles_and_is_capped_at_an_hour():
    delays = [retry_delay(attempt).total_seconds() for attempt in range(1, 10)]
    assert delays[:4] == [60, 120, 240, 480]
    assert max(delays) == 3600


@pytest.mark.django_db
def test_staff_email_has_topic_reference_flags_and_admin_link_but_no_message(topic):
    inquiry = submit(
        topic,
        message="I feel suicidal since my last visit",
        screening=ScreeningResult(urgent_matches=["suicid"]),
    )
    submit_staff = inquiry.deliveries.get(kind=Delivery.Kind.STAFF_NOTIFICATION)
    message = build_email(submit_staff)
    assert message.subject == f"[URGENT] Rescheduling inquiry {inquiry.reference}"
    assert f"/admin/contact/inquiry/{inquiry.pk}/change/" in message.body
    assert "URGENT" in message.body
    assert "suicidal" not in message.body
    assert "Pat Example" not in message.body and "pat@example.com" not in message.body


@pytest.mark.django_db
def test_staff_email_carries_the_message_only_when_the_setting_says_so(topic, settings):
    settings.CONTACT_EMAIL_INCLUDES_MESSAGE = True
    inquiry = submit(topic)
    message = build_email(inquiry.deliveries.get(kind=Delivery.Kind.STAFF_NOTIFICATION))
    assert "Is there parking for a wheelchair van?" in message.body


@pytest.mark.django_db
def test_acknowledgement_has_the_reference_and_next_steps_but_no_copy_of_the_message(topic):
    inquiry = submit(topic)
    message = build_email(inquiry.deliveries.get(kind=Delivery.Kind.ACKNOWLEDGEMENT))
    assert message.to == ["pat@example.com"]
    assert inquiry.reference in message.subject and inquiry.reference in message.body
    assert "We usually reply within one working day." in message.body
    assert "call 911" in message.body and "988" in message.body
    assert "wheelchair" not in message.body


@pytest.mark.django_db
def test_no_newline_from_any_field_reaches_an_email_header(smtp_server):
    smtp_server.start()
    # Staff typed a topic label with a line break: it goes into the subject.
    topic = TopicFactory(label="Billing\r\nBcc: victim@example.org", recipients="b@example.org")
    submit(topic)
    assert deliveries_send_due() == (2, 0)
    for envelope in smtp_server.handler.envelopes:
        assert "victim@example.org" not in envelope.rcpt_tos
    for message in smtp_server.handler.messages():
        assert message["Bcc"] is None
        assert "\n" not in message["Subject"] and "\r" not in message["Subject"]


def test_header_safe_turns_control_characters_into_spaces():
    assert header_safe("a\r\nb\tc\x00d") == "a b c d"
    assert len(header_safe("x" * 500)) == 150


@pytest.mark.django_db
def test_console_and_locmem_backends_work_too(topic):
    submit(topic)
    assert deliveries_send_due() == (2, 0)
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_one_email_that_cannot_be_built_never_stops_the_others(topic, caplog):
    # An address the form now refuses, stored before (or by another way in): the worker
    # must record the failure on that one email and go on with the rest.
    bad = submit(topic, email="pat@ex\ufffdample.com")
    good = submit(topic, email="kim@example.com", message="Another question")
    with caplog.at_level("WARNING"):
        assert deliveries_send_due() == (3, 1)
    failed = bad.deliveries.get(kind=Delivery.Kind.ACKNOWLEDGEMENT)
    assert failed.status == Delivery.Status.PENDING and "Error" in failed.last_error
    assert set(good.deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert "ex\ufffdample" not in caplog.text and "pat@" not in caplog.text
    assert bad.reference in caplog.text


@pytest.mark.django_db
def test_a_claimed_email_is_not_taken_by_a_second_worker(topic):
    inquiry = submit(topic)
    now = timezone.now()
    first = inquiry.deliveries.first()
    assert outbox_claim(Delivery.objects.all(), first.pk, now=now) is not None
    # While this worker sends it, it is not due for any other.
    assert outbox_claim(Delivery.objects.all(), first.pk, now=now) is None
    assert first.pk not in Delivery.objects.due(now=now).values_list("pk", flat=True)
    # A worker that died mid-send leaves it to be retried once the lease runs out.
    later = now + datetime.timedelta(minutes=10)
    assert first.pk in Delivery.objects.due(now=later).values_list("pk", flat=True)


URGENT = ScreeningResult(urgent_matches=["suicid"])


@pytest.mark.django_db
def test_urgent_staff_emails_go_before_older_ordinary_ones(smtp_server, topic):
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    for n in range(3):
        submit(topic, email=f"early{n}@example.com", message=f"Parking question {n}")
    Delivery.objects.update(next_attempt_at=hour_ago)  # due for an hour already
    urgent = submit(topic, email="kim@example.com", message="I feel suicidal", screening=URGENT)
    smtp_server.start()
    assert deliveries_send_due(now=timezone.now() + datetime.timedelta(seconds=1)) == (8, 0)
    subjects = [message["Subject"] for message in smtp_server.handler.messages()]
    assert subjects[0] == f"[URGENT] Rescheduling inquiry {urgent.reference}"
    assert all("URGENT" not in subject for subject in subjects[1:])


@pytest.mark.django_db
def test_the_worker_command_sends_everything_due_not_only_the_first_hundred(smtp_server, topic):
    for n in range(65):  # 130 emails
        submit(topic, email=f"person{n}@example.com", message=f"Question {n}")
    smtp_server.start()
    call_command("send_notifications", "--once", stdout=io.StringIO())
    assert len(smtp_server.handler.envelopes) == 130
    assert not Delivery.objects.filter(status=Delivery.Status.PENDING).exists()


def digest_bodies(smtp_server):
    return [
        message.get_payload(decode=True).decode()
        for message in smtp_server.handler.messages()
        if "digest" in message["Subject"]
    ]


@pytest.mark.django_db
def test_an_urgent_inquiry_that_joins_a_digest_while_it_is_sent_goes_in_the_next(
    smtp_server, topic, settings, monkeypatch
):
    from contact import notifications

    settings.CONTACT_URGENT_EMAILS_PER_HOUR = 1
    urgent = {"screening": URGENT, "client_hash": "net-1"}
    submit(topic, message="I feel suicidal (1)", **urgent)
    held = submit(topic, message="I feel suicidal (2)", **urgent)
    assert held.staff_digest is not None and not held.deliveries.filter(kind="staff").exists()
    joined_late = []
    real_digest_inquiries = notifications.digest_inquiries

    def list_then_another_arrives(delivery):
        listed = real_digest_inquiries(delivery)
        if not joined_late:  # while the first digest is being sent
            joined_late.append(submit(topic, message="I feel suicidal (3)", **urgent))
        return listed

    monkeypatch.setattr(notifications, "digest_inquiries", list_then_another_arrives)
    smtp_server.start()
    now = timezone.now()
    deliveries_send_due(now=now)
    [first] = digest_bodies(smtp_server)
    assert held.reference in first and joined_late[0].reference not in first
    joined_late[0].refresh_from_db()
    following = joined_late[0].staff_digest
    assert following.status == Delivery.Status.PENDING and following.next_attempt_at > now

    deliveries_send_due(now=now + datetime.timedelta(minutes=6))
    assert joined_late[0].reference in digest_bodies(smtp_server)[1]


@pytest.mark.django_db
def test_a_digest_whose_inquiries_were_all_marked_spam_is_not_sent(
    smtp_server, topic, settings, front_desk_user
):
    from contact.services import inquiry_mark_spam

    settings.CONTACT_URGENT_EMAILS_PER_HOUR = 0
    held = submit(topic, message="I feel suicidal", screening=URGENT)
    digest = held.staff_digest
    inquiry_mark_spam(inquiry=held, by=front_desk_user)
    smtp_server.start()
    deliveries_send_due()
    assert digest_bodies(smtp_server) == []
    assert not Delivery.objects.filter(pk=digest.pk).exists()


@pytest.mark.django_db
def test_the_digest_email_says_urgent_and_lists_references_but_no_message(topic, settings):
    settings.CONTACT_URGENT_EMAILS_PER_HOUR = 0
    first = submit(topic, message="I feel suicidal", screening=URGENT)
    second = submit(topic, email="kim@example.com", message="Overdose", screening=URGENT)
    assert first.staff_digest == second.staff_digest
    message = build_email(first.staff_digest)
    assert message.subject == "[URGENT] 2 more urgent inquiries (digest)"
    assert first.reference in message.body and second.reference in message.body
    assert "/admin/contact/inquiry/?is_urgent__exact=1" in message.body
    assert "suicidal" not in message.body and "pat@example.com" not in message.body
