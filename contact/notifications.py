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
import functools

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from clinic.encryption import UnreadableText
from clinic.models import ClinicDetails
from clinic.outbox import admin_link, header_safe, outbox_send, outbox_send_due

from .models import ContactSettings, Delivery, Inquiry


def staff_subject(inquiry):
    flags = [
        label
        for flag, label in [(inquiry.is_urgent, "URGENT"), (inquiry.is_medical, "Medical")]
        if flag
    ]
    prefix = f"[{' / '.join(flags)}] " if flags else ""
    return header_safe(f"{prefix}{inquiry.topic.label} inquiry {inquiry.reference}")


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
    if delivery.kind == Delivery.Kind.REPLY:
        if isinstance(delivery.reply.body, UnreadableText):
            # Kept and retried: it goes once the key that wrote it is back, never as a notice.
            raise ValueError("The reply cannot be decrypted with the current keys.")
        # From the site's sending address, answered to the clinic's; the reference in the
        # subject lets the answer be matched to the inquiry.
        return EmailMessage(
            subject=header_safe(f"Your message to {clinic.name} (reference {inquiry.reference})"),
            body=render_to_string("contact/email/reply.txt", {**context, "reply": delivery.reply}),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=delivery.recipients,
            reply_to=[clinic.email],
        )
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


def describe(delivery):
    """How a delivery is named in logs: the inquiry's reference, never an address."""
    if delivery.inquiry_id is None:
        return f"urgent digest {delivery.pk}"
    return f"inquiry {delivery.inquiry.reference}"


def delivery_send(delivery, *, now):
    """Send one claimed delivery and record the result: True (sent), False (failed, will
    retry) or None (a digest with nothing left to tell, deleted)."""
    listed = None
    if delivery.kind == Delivery.Kind.URGENT_DIGEST:
        listed = digest_inquiries(delivery)
        if not listed:  # all marked spam or erased since
            delivery.delete()
            return None
    # The reference is enough for staff to find it; no address or message in logs.
    build = functools.partial(build_email, delivery, listed)
    if not outbox_send(delivery, build, now=now, name=describe(delivery)):
        return False
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


def deliveries_send_due(*, now=None):
    """Send every delivery that is due, urgent staff emails first. Returns (sent, failed)."""
    return outbox_send_due(
        Delivery.objects.select_related("inquiry__topic").in_send_order(), delivery_send, now=now
    )
