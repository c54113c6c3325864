"""The staff-email outbox: queued with the change, sent by the worker, retried, sent once."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from clinic.models import StaffEmail
from clinic.outbox import staff_email_queue, staff_emails_send_due

pytestmark = pytest.mark.django_db


def queue(**overrides):
    values = {"recipients": ["rev@example.org"], "subject": "Waiting for your review: A page"}
    values |= overrides
    return staff_email_queue(body="Please read it.", **values)


def test_a_queued_email_is_sent_by_the_worker_once(smtp_server):
    smtp_server.start()
    assert queue()
    call_command("send_notifications", "--once")
    call_command("send_notifications", "--once")
    [message] = smtp_server.handler.messages()
    assert message["Subject"] == "Waiting for your review: A page"
    assert message["To"] == "rev@example.org"
    assert StaffEmail.objects.get().status == StaffEmail.Status.SENT


def test_an_email_survives_a_mail_server_outage_and_arrives_once(smtp_server):
    queue()
    now = timezone.now()
    assert staff_emails_send_due(now=now) == (0, 1)  # the server is down
    email = StaffEmail.objects.get()
    assert email.status == StaffEmail.Status.PENDING
    assert email.attempts == 1 and "Error" in email.last_error
    assert staff_emails_send_due(now=now) == (0, 0)  # not due again until the backoff ends
    smtp_server.start()
    assert staff_emails_send_due(now=now + datetime.timedelta(minutes=2)) == (1, 0)
    assert staff_emails_send_due(now=now + datetime.timedelta(hours=2)) == (0, 0)
    assert len(smtp_server.handler.envelopes) == 1


def test_an_email_with_a_once_key_is_queued_once():
    assert queue(once_key="review-due:1")
    assert not queue(once_key="review-due:1")
    assert queue(once_key="review-due:2")
    assert StaffEmail.objects.count() == 2


def test_a_duplicate_once_key_leaves_the_callers_transaction_usable():
    queue(once_key="k")
    with transaction.atomic():
        assert not queue(once_key="k")
        assert queue()  # the caller goes on writing in the same transaction
    assert StaffEmail.objects.count() == 2


def test_nobody_to_tell_queues_nothing():
    assert not queue(recipients=["", ""])
    assert not StaffEmail.objects.exists()


def test_an_email_rolled_back_with_its_change_is_never_sent():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue()
        raise RuntimeError("the change failed")
    assert staff_emails_send_due() == (0, 0)
    assert mail.outbox == []


def test_a_subject_cannot_add_headers():
    queue(subject="Page\r\nBcc: everyone@example.org")
    staff_emails_send_due()
    [message] = mail.outbox
    assert message.subject == "Page Bcc: everyone@example.org"
