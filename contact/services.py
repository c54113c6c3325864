"""Writes with rules and side effects: submitting, routing, handling and erasing inquiries.

An inquiry and the emails it needs are saved in one transaction; the emails themselves are
sent later by the worker (`manage.py send_notifications`), so a mail server that is down never
loses a message.

Every urgent inquiry is stored and flagged, however many come. What is limited is the email
they cause: at most one acknowledgement an hour to an address (a script must not make the
clinic mail a stranger forty times), and past CONTACT_URGENT_EMAILS_PER_HOUR urgent inquiries
an hour from one sender or network, one digest email to staff instead of one each.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic.models import ClinicDetails
from clinic.opening_hours import OpeningWeek
from clinic.outbox import admin_link, staff_email_queue

from . import spam
from .models import (
    ONE_HOUR,
    ContactSettings,
    Delivery,
    Inquiry,
    InquiryEvent,
    InquiryReply,
    Topic,
    parse_addresses,
)
from .screening import ScreeningResult

FRONT_DESK_GROUP = "Front desk"
# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: easy to read out over the phone.
REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
# A message sent again within this time is a resend, stored once.
DUPLICATE_WINDOW = ONE_HOUR


class TooManyInquiries(Exception):
    """This sender has reached the hourly limit: the message is not stored (the form says
    so, and keeps what they typed)."""


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
    """Add the staff notification (or a place in the urgent digest) and the acknowledgement
    to the outbox, once each."""
    if inquiry.is_urgent and urgent_emails_used_up(inquiry):
        hold_for_urgent_digest(inquiry)
    else:
        Delivery.objects.get_or_create(
            inquiry=inquiry,
            kind=Delivery.Kind.STAFF_NOTIFICATION,
            defaults={
                "recipients": route_recipients(topic=inquiry.topic, is_urgent=inquiry.is_urgent)
            },
        )
    if not acknowledged_recently(inquiry):
        Delivery.objects.get_or_create(
            inquiry=inquiry,
            kind=Delivery.Kind.ACKNOWLEDGEMENT,
            defaults={"recipients": [inquiry.email]},
        )


def acknowledged_recently(inquiry):
    """Was an acknowledgement to this address queued in the last hour, for another inquiry?

    The address is whatever the sender typed, perhaps a stranger's: the clinic writes to it
    at most once an hour. The thank-you page always shows the reference.
    """
    return (
        Delivery.objects.acknowledgements_to(inquiry.email, since=timezone.now() - ONE_HOUR)
        .exclude(inquiry=inquiry)
        .exists()
    )


def urgent_emails_used_up(inquiry):
    """Did staff already get CONTACT_URGENT_EMAILS_PER_HOUR urgent inquiries from this email
    address or this network in the hour before this one?"""
    earlier = (
        Inquiry.objects.urgent_not_spam()
        .filter(received_at__gte=inquiry.received_at - ONE_HOUR)
        .filter(received_at__lte=inquiry.received_at)
        .exclude(pk=inquiry.pk)
    )
    limit = settings.CONTACT_URGENT_EMAILS_PER_HOUR
    if earlier.filter(email=inquiry.email).count() >= limit:
        return True
    return bool(inquiry.client_hash) and (
        earlier.filter(client_hash=inquiry.client_hash).count() >= limit
    )


def next_digest_time(now):
    """Now, or CONTACT_URGENT_DIGEST_MINUTES after the last digest was sent."""
    last_sent = Delivery.objects.last_digest_sent_at()
    if last_sent is None:
        return now
    return max(now, last_sent + datetime.timedelta(minutes=settings.CONTACT_URGENT_DIGEST_MINUTES))


def hold_for_urgent_digest(inquiry):
    """Put the inquiry in the digest waiting to go to staff, starting one if none waits."""
    if inquiry.staff_digest_id is not None:
        return
    # Locked, so the worker cannot mark it sent between our reading it and joining it (it
    # waits for this transaction; then a digest no longer waiting is not found here).
    digest = (
        Delivery.objects.select_for_update()
        .filter(kind=Delivery.Kind.URGENT_DIGEST, status=Delivery.Status.PENDING)
        .order_by("-created_at", "-pk")
        .first()
    )
    if digest is None:
        now = timezone.now()
        digest = Delivery.objects.create(
            inquiry=None,
            kind=Delivery.Kind.URGENT_DIGEST,
            recipients=route_recipients(topic=inquiry.topic, is_urgent=True),
            next_attempt_at=next_digest_time(now),
        )
    inquiry.staff_digest = digest
    inquiry.save(update_fields=["staff_digest"])


def find_duplicate(*, email, topic, message):
    """The same message from the same address within the hour: a resend. Compared here, not
    in SQL: the message is stored encrypted (clinic/encryption.py)."""
    recent = Inquiry.objects.from_email(email).filter(
        topic=topic, received_at__gte=timezone.now() - DUPLICATE_WINDOW
    )
    return next((inquiry for inquiry in recent if inquiry.message == message), None)


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
    """Save an inquiry and queue its emails, in one transaction. Spam is kept, never emailed.

    Raises TooManyInquiries when a sender past the hourly limit sends a new (not urgent)
    message; a resend of one already stored is not counted against them.
    """
    # Lower case, so one sender's messages are found with a plain index lookup.
    email = email.strip().lower()
    duplicate = find_duplicate(email=email, topic=topic, message=message)
    if duplicate is not None:
        return duplicate
    screening = screening or ScreeningResult()
    # An urgent message is never refused, whatever the rate: only the email it causes is
    # limited (see queue_notifications).
    if not screening.is_urgent and spam.is_over_hourly_limit(email=email, client=client_hash):
        raise TooManyInquiries
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
        response_targets_set(inquiry)
        queue_notifications(inquiry)
    return inquiry


def response_targets_set(inquiry):
    """When the first answer is due, counted in opening hours from its arrival, and when
    staff are told a second time (as long again). Set once; unchanged by later edits to the
    hours or the topic's target."""
    if inquiry.respond_by is not None:
        return
    minutes = (
        ContactSettings.load().urgent_response_minutes
        if inquiry.is_urgent
        else inquiry.topic.response_target_minutes
    )
    target = datetime.timedelta(minutes=minutes)
    week = OpeningWeek.load()
    inquiry.respond_by = week.add_open_time(inquiry.received_at, target)
    if inquiry.respond_by is not None:
        inquiry.escalate_at = week.add_open_time(inquiry.respond_by, target)
    inquiry.save(update_fields=["respond_by", "escalate_at"])


def inquiry_answered(inquiry, *, at=None):
    """Record the first answer (a reply, a note of a call, waiting or closed)."""
    if inquiry.first_response_at is None:
        inquiry.first_response_at = at or timezone.now()
        inquiry.save(update_fields=["first_response_at"])


def event_record(*, inquiry, by, kind, detail="", actor_name=""):
    """Add a line to the access record. `detail` must never carry the sender's words. `by`
    is the staff member; None for a server command, named by `actor_name`."""
    return InquiryEvent.objects.create(
        inquiry=inquiry,
        reference=inquiry.reference if inquiry is not None else "",
        actor=by,
        actor_name=by.get_username() if by is not None else actor_name,
        kind=kind,
        detail=detail[:300],
    )


def inquiry_assign(*, inquiry, user, by):
    """Give the inquiry to `user` (None: to nobody); a new one is in progress from now."""
    if user is not None and not user.groups.filter(name=FRONT_DESK_GROUP).exists():
        raise ValidationError("Inquiries can be given only to Front desk staff.")
    inquiry.assigned_to = user
    inquiry.save(update_fields=["assigned_to", "updated_at"])
    event_record(
        inquiry=inquiry,
        by=by,
        kind=InquiryEvent.Kind.ASSIGNED,
        detail=f"to {user.get_username()}" if user is not None else "to nobody",
    )
    if inquiry.status == Inquiry.Status.NEW and user is not None:
        inquiry_set_status(inquiry=inquiry, status=Inquiry.Status.IN_PROGRESS, by=by)
    return inquiry


def inquiry_set_status(*, inquiry, status, by):
    if status == inquiry.status:
        return inquiry
    before = inquiry.get_status_display()
    inquiry.set_status(status)
    inquiry.save(update_fields=["status", "closed_at", "updated_at"])
    if status in (Inquiry.Status.WAITING, Inquiry.Status.CLOSED):
        inquiry_answered(inquiry)
    event_record(
        inquiry=inquiry,
        by=by,
        kind=InquiryEvent.Kind.STATUS,
        detail=f"{before} to {inquiry.get_status_display()}",
    )
    return inquiry


@transaction.atomic
def inquiry_mark_spam(*, inquiry, by):
    # Emails not yet sent about spam are dropped (sent ones cannot be unsent), but a reply
    # staff wrote goes as written.
    inquiry.deliveries.filter(status=Delivery.Status.PENDING).exclude(
        kind=Delivery.Kind.REPLY
    ).delete()
    inquiry.spam_reason = inquiry.spam_reason or "marked as spam by staff"
    inquiry.set_status(Inquiry.Status.SPAM)
    inquiry.save(update_fields=["spam_reason", "status", "closed_at", "updated_at"])
    event_record(inquiry=inquiry, by=by, kind=InquiryEvent.Kind.SPAM)
    return inquiry


@transaction.atomic
def inquiry_mark_not_spam(*, inquiry, by):
    """A false positive: treat it as new and send the emails it never got."""
    inquiry.spam_reason = ""
    inquiry.set_status(Inquiry.Status.NEW)
    inquiry.save(update_fields=["spam_reason", "status", "closed_at", "updated_at"])
    response_targets_set(inquiry)
    queue_notifications(inquiry)
    event_record(inquiry=inquiry, by=by, kind=InquiryEvent.Kind.NOT_SPAM)
    return inquiry


DUPLICATE_REPLY_WINDOW = datetime.timedelta(minutes=2)
# What staff may set as they send a reply: waiting for the sender's answer, or done.
REPLY_THEN_STATUSES = [Inquiry.Status.WAITING, Inquiry.Status.CLOSED]


@transaction.atomic
def inquiry_reply_send(*, inquiry, by, body, then_status=None):
    """Queue an email reply to the sender, saved with the inquiry and sent by the outbox
    worker (retried until the mail server takes it). Returns the reply."""
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError("Write the reply first: it is empty.")
    if len(body) > InquiryReply._meta.get_field("body").max_length:
        raise ValidationError("The reply is too long: 5,000 characters at most.")
    if inquiry.status == Inquiry.Status.SPAM:
        raise ValidationError("This inquiry is marked as spam: move it to the inbox first.")
    if then_status not in (None, "", *REPLY_THEN_STATUSES):
        raise ValidationError("A reply can leave the inquiry waiting on the sender, or closed.")
    # The same reply sent twice in a row (a double click) is one reply, one email. The
    # inquiry is locked above, so the second request sees the first's reply.
    recent = inquiry.replies.filter(
        author=by, created_at__gte=timezone.now() - DUPLICATE_REPLY_WINDOW
    )
    twin = next((reply for reply in recent if reply.body == body), None)  # encrypted: here
    if twin is not None:
        return twin
    reply = InquiryReply.objects.create(inquiry=inquiry, author=by, body=body)
    Delivery.objects.create(
        inquiry=inquiry, kind=Delivery.Kind.REPLY, reply=reply, recipients=[inquiry.email]
    )
    event_record(inquiry=inquiry, by=by, kind=InquiryEvent.Kind.REPLIED)
    inquiry_answered(inquiry)
    if then_status:
        inquiry_set_status(inquiry=inquiry, status=then_status, by=by)
    elif inquiry.status == Inquiry.Status.NEW:
        inquiry_set_status(inquiry=inquiry, status=Inquiry.Status.IN_PROGRESS, by=by)
    return reply


def export_record(*, inquiries, by, reason):
    """One access-record line for each inquiry exported: who, when and why."""
    rows = inquiries.order_by().values_list("pk", "reference").iterator(chunk_size=2000)
    now = timezone.now()
    batch = []
    for pk, reference in rows:
        batch.append(
            InquiryEvent(
                inquiry_id=pk,
                reference=reference,
                actor=by,
                actor_name=by.get_username(),
                kind=InquiryEvent.Kind.EXPORTED,
                detail=f"Reason: {reason}"[:300],
                at=now,
            )
        )
        if len(batch) == 2000:
            InquiryEvent.objects.bulk_create(batch)
            batch = []
    InquiryEvent.objects.bulk_create(batch)


def inquiry_note_add(*, note, by):
    """Save a new internal note (a call made, a detail found): it counts as an answer."""
    note.author = by
    note.save()
    event_record(inquiry=note.inquiry, by=by, kind=InquiryEvent.Kind.NOTE)
    inquiry_answered(note.inquiry)
    return note


OVERDUE_FIRST, OVERDUE_AGAIN = 1, 2


@transaction.atomic
def overdue_alerts_queue(*, now=None):
    """Email the topic's staff (and the urgent list, for urgent ones) about each open inquiry
    past its first-response target with no answer: once when it becomes overdue, and once
    more if it is still unanswered at its second deadline. Each email goes once, however
    often or concurrently this runs (StaffEmail.once_key). Returns how many were queued."""
    now = now or timezone.now()
    overdue = Inquiry.objects.filter(
        status__in=[Inquiry.Status.NEW, Inquiry.Status.IN_PROGRESS],
        first_response_at__isnull=True,
        respond_by__lte=now,
    ).select_related("topic")
    queued = 0
    for inquiry in overdue:
        again = inquiry.escalate_at is not None and inquiry.escalate_at <= now
        stage = OVERDUE_AGAIN if again else OVERDUE_FIRST
        body = render_to_string(
            "contact/email/overdue.txt",
            {
                "inquiry": inquiry,
                "again": again,
                "respond_by": timezone.localtime(inquiry.respond_by),
                "admin_url": admin_link(reverse("admin:contact_inquiry_change", args=[inquiry.pk])),
            },
        )
        flag = "[URGENT] " if inquiry.is_urgent else ""
        queued += staff_email_queue(
            recipients=route_recipients(topic=inquiry.topic, is_urgent=inquiry.is_urgent),
            subject=f"{flag}{'Still no answer' if again else 'Overdue'}: inquiry "
            f"{inquiry.reference} ({inquiry.topic.label})",
            body=body,
            once_key=f"inquiry-overdue:{inquiry.pk}:{stage}",
        )
    return queued


def canned_reply_values(inquiry):
    """What a canned reply's placeholders stand for, for this inquiry."""
    clinic = ClinicDetails.cached()
    return {
        "{name}": inquiry.name,
        "{reference}": inquiry.reference,
        "{clinic_name}": clinic.name,
        "{clinic_phone}": clinic.phone,
        "{clinic_email}": clinic.email,
        "{clinic_address}": ", ".join(clinic.address_lines),
        "{opening_hours}": "; ".join(clinic.opening_hours_lines),
    }


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
            # Sent digests whose inquiries are all gone: nothing left to show.
            Delivery.objects.filter(
                kind=Delivery.Kind.URGENT_DIGEST,
                status=Delivery.Status.SENT,
                digest_inquiries__isnull=True,
            ).delete()
            # The salt behind these hashes is gone after two days; drop the hashes too.
            two_days_ago = (now or timezone.now()) - datetime.timedelta(days=2)
            Inquiry.objects.filter(received_at__lt=two_days_ago).exclude(client_hash="").update(
                client_hash=""
            )
    return counts


def inquiries_erase_email(*, email, dry_run=False, by=None, actor_name="purge_inquiries"):
    """Erase everything held about one sender: their inquiries, notes, replies and queued
    emails. The access record keeps each erased inquiry's reference, never its contents."""
    inquiries = Inquiry.objects.from_email(email)
    count = inquiries.count()
    if not dry_run:
        with transaction.atomic():
            for inquiry in inquiries.only("pk", "reference"):
                event_record(
                    inquiry=inquiry, by=by, kind=InquiryEvent.Kind.ERASED, actor_name=actor_name
                )
            inquiries.delete()
    return count
