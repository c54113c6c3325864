"""The outbox worker: builds each queued email from clean values and sends it, with retries.

Emails are built when they are sent, from the inquiry as it is then, so nothing about a
patient is copied into the outbox. A failed send is retried with exponential backoff until
it succeeds; the admin shows each delivery's state and last error. Emails about urgent
inquiries go first.

Delivery is at least once, not exactly once: an email is marked sent only after the mail
server accepted it, so if the worker dies or the database fails between the two, the email is
sent again on the next try. That is the right trade for a clinic: a rare duplicate, never a
lost message.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic.models import ClinicDetails

from .models import ContactSettings, Delivery, Inquiry

logger = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 60
LONGEST_RETRY_SECONDS = 3600
# Longer than any send should take (EMAIL_TIMEOUT), so two workers do not send one email at
# the same time. (A worker that dies after the server accepted an email, before recording it,
# still sends it again once the lease runs out: see above.)
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


def staff_subject(inquiry):
    flags = [
        label
        for flag, label in [(inquiry.is_urgent, "URGENT"), (inquiry.is_medical, "Medical")]
        if flag
    ]
    prefix = f"[{' / '.join(flags)}] " if flags else ""
    return header_safe(f"{prefix}{inquiry.topic.label} inquiry {inquiry.reference}")


def admin_link(path):
    return settings.SITE_URL.rstrip("/") + path


def digest_inquiries(delivery):
    """The inquiries an urgent digest tells staff about: those pointing at it, but spam."""
    return list(
        delivery.digest_inquiries.exclude(status=Inquiry.Status.SPAM)
        .select_related("topic")
        .order_by("received_at", "pk")
    )


def build_digest_email(delivery, inquiries):
    subject = header_safe(f"[URGENT] {len(inquiries)} more urgent inquiries (digest)")
    body = render_to_string(
        "contact/email/urgent_digest.txt",
        {
            "inquiries": inquiries,
            "emails_per_hour": settings.CONTACT_URGENT_EMAILS_PER_HOUR,
            "list_url": admin_link(reverse("admin:contact_inquiry_changelist"))
            + "?is_urgent__exact=1",
        },
    )
    return EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=delivery.recipients
    )


def build_email(delivery, inquiries=None):
    if delivery.kind == Delivery.Kind.URGENT_DIGEST:
        return build_digest_email(delivery, inquiries or digest_inquiries(delivery))
    inquiry = delivery.inquiry
    clinic = ClinicDetails.cached()
    context = {
        "inquiry": inquiry,
        "clinic": clinic,
        "contact_settings": ContactSettings.load(),
        "include_message": settings.CONTACT_EMAIL_INCLUDES_MESSAGE,
        "admin_url": admin_link(reverse("admin:contact_inquiry_change", args=[inquiry.pk])),
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


def describe(delivery):
    """How a delivery is named in logs: the inquiry's reference, never an address."""
    if delivery.inquiry_id is None:
        return f"urgent digest {delivery.pk}"
    return f"inquiry {delivery.inquiry.reference}"


def delivery_send(delivery, *, now=None):
    """Send one claimed delivery, outside any transaction, and record the result.

    Returns True (sent), False (failed, will retry) or None (a digest with nothing left to
    tell, deleted). Any failure is recorded on the delivery and retried later: one bad address
    or message must never stop the worker, or every email after it would wait forever.
    """
    now = now or timezone.now()
    listed = None
    if delivery.kind == Delivery.Kind.URGENT_DIGEST:
        listed = digest_inquiries(delivery)
        if not listed:  # all marked spam or erased since
            delivery.delete()
            return None
    delivery.attempts += 1
    try:
        build_email(delivery, listed).send()
    except Exception as error:  # noqa: BLE001 - see above
        delivery.last_error = f"{type(error).__name__}: {error}"[:1000]
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        delivery.save(update_fields=["attempts", "last_error", "next_attempt_at"])
        # The reference is enough for staff to find it; no address or message in logs.
        logger.warning(
            "Email for %s not sent (attempt %d): %s",
            describe(delivery),
            delivery.attempts,
            type(error).__name__,
        )
        return False
    delivery.status = Delivery.Status.SENT
    delivery.sent_at = now
    delivery.last_error = ""
    if listed is None:
        delivery.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    else:
        digest_mark_sent(delivery, listed=listed, now=now)
    return True


def digest_mark_sent(delivery, *, listed, now):
    """Record a sent digest; inquiries that joined it after its email was built go on to the
    next digest, so none is left without an email to staff."""
    with transaction.atomic():
        # Locked, so no inquiry joins it while we look (services.hold_for_urgent_digest).
        Delivery.objects.select_for_update().filter(pk=delivery.pk).first()
        delivery.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        late = list(
            delivery.digest_inquiries.exclude(pk__in=[inquiry.pk for inquiry in listed])
            .exclude(status=Inquiry.Status.SPAM)
            .order_by("received_at", "pk")
        )
        if late:
            following = Delivery.objects.create(
                kind=Delivery.Kind.URGENT_DIGEST,
                recipients=delivery.recipients,
                next_attempt_at=now
                + datetime.timedelta(minutes=settings.CONTACT_URGENT_DIGEST_MINUTES),
            )
            Inquiry.objects.filter(pk__in=[inquiry.pk for inquiry in late]).update(
                staff_digest=following
            )


def deliveries_send_due(*, now=None, batch_size=BATCH_SIZE):
    """Send every delivery that is due, urgent staff emails first, in batches until none is
    left. Safe with several workers. Returns (sent, failed)."""
    sent = failed = 0
    while True:
        batch_now = now or timezone.now()
        due_ids = list(
            Delivery.objects.due(now=batch_now)
            .in_send_order()
            .values_list("pk", flat=True)[:batch_size]
        )
        handled = 0
        for delivery_id in due_ids:
            delivery = delivery_claim(delivery_id, now=batch_now)
            if delivery is None:  # another worker has it, or it was sent meanwhile
                continue
            result = delivery_send(delivery, now=batch_now)
            handled += 1
            if result:
                sent += 1
            elif result is False:
                failed += 1
        # Each email handled is no longer due (sent, or its next try is later), so this
        # ends; a batch in which other workers had every email ends it too.
        if not handled:
            return sent, failed
