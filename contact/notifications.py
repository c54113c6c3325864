"""The outbox worker: builds each queued email from clean values and sends it, with retries.

Emails are built when they are sent, from the inquiry as it is then, so nothing about a
patient is copied into the outbox. A failed send is retried with exponential backoff until
it succeeds; the admin shows each delivery's state and last error.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.models import ClinicDetails

from .models import ContactSettings, Delivery

logger = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 60
LONGEST_RETRY_SECONDS = 3600
# Longer than any send can take (EMAIL_TIMEOUT), so a claimed email is never sent twice.
CLAIM_LEASE = datetime.timedelta(minutes=5)


def header_safe(text, max_length=150):
    """One line of plain text for an email header: control characters become spaces."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return " ".join(cleaned.split())[:max_length]


def retry_delay(attempts):
    """60 s after the first failure, doubling each time, never more than an hour."""
    return datetime.timedelta(
        seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), LONGEST_RETRY_SECONDS)
    )


def staff_subject(inquiry):
    flags = [
        label
        for flag, label in [(inquiry.is_urgent, "URGENT"), (inquiry.is_medical, "Medical")]
        if flag
    ]
    prefix = f"[{' / '.join(flags)}] " if flags else ""
    return header_safe(f"{prefix}{inquiry.topic.label} inquiry {inquiry.reference}")


def build_email(delivery):
    inquiry = delivery.inquiry
    clinic = ClinicDetails.cached()
    context = {
        "inquiry": inquiry,
        "clinic": clinic,
        "contact_settings": ContactSettings.load(),
        "include_message": settings.CONTACT_EMAIL_INCLUDES_MESSAGE,
        "admin_url": settings.SITE_URL.rstrip("/")
        + reverse("admin:contact_inquiry_change", args=[inquiry.pk]),
    }
    if delivery.kind == Delivery.Kind.STAFF_NOTIFICATION:
        subject = staff_subject(inquiry)
        body = render_to_string("contact/email/staff_notification.txt", context)
    else:
        subject = header_safe(f"We received your message (reference {inquiry.reference})")
        body = render_to_string("contact/email/acknowledgement.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=delivery.recipients,
    )


def delivery_claim(delivery_id, *, now):
    """Take one due delivery for this worker: push its next attempt past a lease, so no other
    worker takes it while this one sends. A worker that dies mid-send leaves it to be
    retried when the lease runs out. Returns None if it is no longer due or is taken."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.due(now=now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("inquiry__topic")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return None
        delivery.next_attempt_at = now + CLAIM_LEASE
        delivery.save(update_fields=["next_attempt_at"])
    return delivery


def delivery_send(delivery, *, now=None):
    """Send one claimed delivery, outside any transaction, and record the result.

    Any failure is recorded on the delivery and retried later: one bad address or message
    must never stop the worker, or every email after it would wait forever.
    """
    now = now or timezone.now()
    delivery.attempts += 1
    try:
        build_email(delivery).send()
    except Exception as error:  # noqa: BLE001 - see above
        delivery.last_error = f"{type(error).__name__}: {error}"[:1000]
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        delivery.save(update_fields=["attempts", "last_error", "next_attempt_at"])
        # The reference is enough for staff to find it; no address or message in logs.
        logger.warning(
            "Email for inquiry %s not sent (attempt %d): %s",
            delivery.inquiry.reference,
            delivery.attempts,
            type(error).__name__,
        )
        return False
    delivery.status = Delivery.Status.SENT
    delivery.sent_at = now
    delivery.last_error = ""
    delivery.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return True


def deliveries_send_due(*, now=None, limit=100):
    """Send every delivery that is due. Safe with several workers. Returns (sent, failed)."""
    now = now or timezone.now()
    sent = failed = 0
    due_ids = list(Delivery.objects.due(now=now).values_list("pk", flat=True)[:limit])
    for delivery_id in due_ids:
        delivery = delivery_claim(delivery_id, now=now)
        if delivery is None:  # another worker has it, or it was sent meanwhile
            continue
        if delivery_send(delivery, now=now):
            sent += 1
        else:
            failed += 1
    return sent, failed
