"""The email outbox worker: claims each due email, sends it, records the result, retries.

Every outbox (the contact form's Delivery, StaffEmail here) is a table of Outbox rows. The
worker claims a row under a lease so several workers never send one email at once, sends it
outside any transaction, then records it as sent or schedules a retry with exponential
backoff. One bad address or message never stops the worker: every email after it would wait
forever.
"""

import datetime
import functools
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import StaffEmail

logger = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 60
LONGEST_RETRY_SECONDS = 3600
# Longer than any send should take (EMAIL_TIMEOUT), so two workers do not send one email at
# the same time. (A worker that dies after the server accepted an email, before recording it,
# still sends it again once the lease runs out: delivery is at least once.)
CLAIM_LEASE = datetime.timedelta(minutes=5)
BATCH_SIZE = 100


def header_safe(text, max_length=150):
    """One line of plain text for an email header: control characters become spaces."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return " ".join(cleaned.split())[:max_length]


def retry_delay(attempts):
    """60 s after the first failure, doubling each time, never more than an hour."""
    return datetime.timedelta(
        seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), LONGEST_RETRY_SECONDS)
    )


def admin_link(path):
    return settings.SITE_URL.rstrip("/") + path


def outbox_claim(queryset, pk, *, now):
    """Take one due email for this worker: push its next attempt past a lease, so no other
    worker takes it while this one sends. Returns None if it is no longer due or is taken."""
    with transaction.atomic():
        item = (
            queryset.due(now=now)
            .select_for_update(skip_locked=True, of=("self",))
            .filter(pk=pk)
            .first()
        )
        if item is None:
            return None
        item.next_attempt_at = now + CLAIM_LEASE
        item.save(update_fields=["next_attempt_at"])
    return item


def outbox_send(item, build_message, *, now, name):
    """Build (`build_message()`) and send the claimed `item`'s email and record the result:
    True if sent (the caller saves it), False if building or sending failed and it will be
    retried. `name` says which email it was in the log, never an address."""
    item.attempts += 1
    try:
        build_message().send()
    except Exception as error:  # noqa: BLE001 - see the module docstring
        item.last_error = f"{type(error).__name__}: {error}"[:1000]
        item.next_attempt_at = now + retry_delay(item.attempts)
        item.save(update_fields=["attempts", "last_error", "next_attempt_at"])
        logger.warning(
            "Email for %s not sent (attempt %d): %s", name, item.attempts, type(error).__name__
        )
        return False
    item.status = item.Status.SENT
    item.sent_at = now
    item.last_error = ""
    return True


def outbox_send_due(queryset, send_one, *, now=None, batch_size=BATCH_SIZE):
    """Send every email in `queryset` (in its order) that is due, in batches until none is
    left: `send_one(item, now=...)` sends one claimed email and returns True (sent), False
    (failed, will retry) or None (nothing left to send). Safe with several workers. Returns
    (sent, failed)."""
    sent = failed = 0
    while True:
        batch_now = now or timezone.now()
        due_ids = list(queryset.due(now=batch_now).values_list("pk", flat=True)[:batch_size])
        handled = 0
        for pk in due_ids:
            item = outbox_claim(queryset, pk, now=batch_now)
            if item is None:  # another worker has it, or it was sent meanwhile
                continue
            result = send_one(item, now=batch_now)
            handled += 1
            if result:
                sent += 1
            elif result is False:
                failed += 1
        # Each email handled is no longer due (sent, or its next try is later), so this
        # ends; a batch in which other workers had every email ends it too.
        if not handled:
            return sent, failed


def staff_email_queue(*, recipients, subject, body, once_key=None):
    """Queue an email to staff, in the caller's transaction. With `once_key`, an email with
    the same key queued before (by any run or worker) means this one is not: returns whether
    it was queued."""
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return False
    email = StaffEmail(
        recipients=recipients, subject=header_safe(subject), body=body, once_key=once_key
    )
    if once_key is None:
        email.save()
        return True
    try:
        with transaction.atomic():  # a savepoint: a duplicate key leaves the caller's work
            email.save()
    except IntegrityError:
        return False
    return True


def staff_email_message(email):
    return EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=email.recipients,
    )


def staff_email_send(email, *, now):
    build = functools.partial(staff_email_message, email)
    if outbox_send(email, build, now=now, name=f"staff email {email.pk}"):
        email.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return True
    return False


def staff_emails_send_due(*, now=None):
    return outbox_send_due(
        StaffEmail.objects.order_by("next_attempt_at", "pk"), staff_email_send, now=now
    )
