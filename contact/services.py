"""Writes with rules and side effects: submitting, routing, handling and erasing inquiries.

An inquiry and the emails it needs are saved in one transaction; the emails themselves are
sent later by the worker (`manage.py send_notifications`), so a mail server that is down never
loses a message.
"""

import datetime
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.models import ClinicDetails

from .models import ContactSettings, Delivery, Inquiry, Topic, parse_addresses
from .screening import ScreeningResult

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: easy to read out over the phone.
REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
DUPLICATE_WINDOW = datetime.timedelta(hours=1)


def new_reference():
    letters = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"{letters[:3]}-{letters[3:]}"


def group_addresses(group):
    if group is None:
        return []
    users = get_user_model().objects.filter(groups=group, is_active=True).exclude(email="")
    return list(users.values_list("email", flat=True))


def route_recipients(*, topic, is_urgent):
    """Who is told about an inquiry: the topic's staff, and the urgent list when urgent.

    Never empty: with nobody configured, the clinic's own address gets it.
    """
    recipients = [*parse_addresses(topic.recipients), *group_addresses(topic.staff_group)]
    if is_urgent:
        contact_settings = ContactSettings.load()
        recipients += parse_addresses(contact_settings.urgent_recipients)
        recipients += group_addresses(contact_settings.urgent_staff_group)
    recipients = list(dict.fromkeys(address.lower() for address in recipients))
    return recipients or [ClinicDetails.cached().email]


def queue_notifications(inquiry):
    """Add the staff notification and the acknowledgement to the outbox (once each)."""
    for kind, recipients in [
        (
            Delivery.Kind.STAFF_NOTIFICATION,
            route_recipients(topic=inquiry.topic, is_urgent=inquiry.is_urgent),
        ),
        (Delivery.Kind.ACKNOWLEDGEMENT, [inquiry.email]),
    ]:
        Delivery.objects.get_or_create(
            inquiry=inquiry, kind=kind, defaults={"recipients": recipients}
        )


def find_duplicate(*, email, topic, message):
    """The same message from the same address within the hour: a resend."""
    return (
        Inquiry.objects.from_email(email)
        .filter(topic=topic, message=message, received_at__gte=timezone.now() - DUPLICATE_WINDOW)
        .first()
    )


def submission_key(*, form_token, email, topic, message):
    parts = [form_token, email, str(topic.pk), message]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


@transaction.atomic
def inquiry_submit(
    *,
    topic: Topic,
    name: str,
    email: str,
    message: str,
    phone: str = "",
    reply_by: str = Inquiry.ReplyBy.EMAIL,
    screening: ScreeningResult | None = None,
    spam_reason: str = "",
    client_hash: str = "",
    form_token: str = "",
) -> Inquiry:
    """Save an inquiry and queue its emails, in one transaction. Spam is kept, never emailed."""
    # Lower case, so one sender's messages are found with a plain index lookup.
    email = email.strip().lower()
    duplicate = find_duplicate(email=email, topic=topic, message=message)
    if duplicate is not None:
        return duplicate
    screening = screening or ScreeningResult()
    key = submission_key(form_token=form_token, email=email, topic=topic, message=message)
    inquiry = Inquiry(
        submission_key=key,
        topic=topic,
        name=name,
        email=email,
        phone=phone,
        reply_by=reply_by,
        message=message,
        is_urgent=screening.is_urgent,
        is_medical=screening.is_medical,
        screening_matches=screening.summary,
        status=Inquiry.Status.SPAM if spam_reason else Inquiry.Status.NEW,
        spam_reason=spam_reason,
        client_hash=client_hash,
    )
    inquiry.full_clean(exclude=["reference", "submission_key"])
    for _ in range(10):
        inquiry.reference = new_reference()
        try:
            with transaction.atomic():
                inquiry.save()
            break
        except IntegrityError:
            # The same submission, saved a moment ago by a second click's request.
            twin = Inquiry.objects.filter(submission_key=key).first()
            if twin is not None:
                return twin
            # Otherwise, one in hundreds of millions: the reference is taken. Draw another.
    else:
        raise RuntimeError("Could not find a free inquiry reference.")
    if not spam_reason:
        queue_notifications(inquiry)
    return inquiry


def inquiry_assign(*, inquiry, user):
    inquiry.assigned_to = user
    if inquiry.status == Inquiry.Status.NEW:
        inquiry.status = Inquiry.Status.IN_PROGRESS
    inquiry.save(update_fields=["assigned_to", "status", "updated_at"])
    return inquiry


def inquiry_set_status(*, inquiry, status):
    inquiry.set_status(status)
    inquiry.save(update_fields=["status", "closed_at", "updated_at"])
    return inquiry


@transaction.atomic
def inquiry_mark_spam(*, inquiry):
    # Emails not yet sent about spam are dropped; sent ones cannot be unsent.
    inquiry.deliveries.filter(status=Delivery.Status.PENDING).delete()
    inquiry.spam_reason = inquiry.spam_reason or "marked as spam by staff"
    inquiry.set_status(Inquiry.Status.SPAM)
    inquiry.save(update_fields=["spam_reason", "status", "closed_at", "updated_at"])
    return inquiry


@transaction.atomic
def inquiry_mark_not_spam(*, inquiry):
    """A false positive: treat it as new and send the emails it never got."""
    inquiry.spam_reason = ""
    inquiry.set_status(Inquiry.Status.NEW)
    inquiry.save(update_fields=["spam_reason", "status", "closed_at", "updated_at"])
    queue_notifications(inquiry)
    return inquiry


def inquiries_purge(*, now=None, dry_run=False):
    """Delete what the clinic no longer needs. Returns how many inquiries go, by status."""
    due = Inquiry.objects.due_for_deletion(now=now)
    counts = {
        Inquiry.Status.CLOSED: due.filter(status=Inquiry.Status.CLOSED).count(),
        Inquiry.Status.SPAM: due.filter(status=Inquiry.Status.SPAM).count(),
    }
    if not dry_run:
        with transaction.atomic():
            due.delete()
            # The salt behind these hashes is gone after two days; drop the hashes too.
            two_days_ago = (now or timezone.now()) - datetime.timedelta(days=2)
            Inquiry.objects.filter(received_at__lt=two_days_ago).exclude(client_hash="").update(
                client_hash=""
            )
    return counts


def inquiries_erase_email(*, email, dry_run=False):
    """Erase everything held about one sender: their inquiries, notes and queued emails."""
    inquiries = Inquiry.objects.from_email(email)
    count = inquiries.count()
    if not dry_run:
        inquiries.delete()
    return count
