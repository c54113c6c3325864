"""Emails to staff about the review workflow, queued in the clinic's outbox.

Each is queued in the same transaction as the change it tells about (services.py), so it is
sent if and only if the change happened; the email worker (send_notifications) sends it.
Nobody is told about their own action.
"""

import datetime
import logging

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic.outbox import admin_link, staff_email_queue

from .models import EducationPage, ReviewReminder

logger = logging.getLogger(__name__)
REVIEW_PERMISSION = "education.review_educationpage"
# The reminders before a review is due, in days, then "overdue" the day after the due date.
REMINDER_DAYS = [ReviewReminder.Stage.MONTH, ReviewReminder.Stage.WEEK]


def reviewer_addresses(*, but=None):
    """The clinical reviewers' addresses: active accounts given the review permission
    (through a group or directly). Superusers are not counted as reviewers."""
    reviewers = (
        get_user_model()
        .objects.with_perm(
            REVIEW_PERMISSION,
            include_superusers=False,
            backend="django.contrib.auth.backends.ModelBackend",
        )
        .filter(is_active=True)
        .exclude(email="")
    )
    if but is not None:
        reviewers = reviewers.exclude(pk=but.pk)
    return list(reviewers.values_list("email", flat=True))


def editor_addresses(page, *, but):
    """The page's author, who made it (or its draft changes), unless they did this."""
    author = page.author
    if author is None or author.pk == but.pk or not author.is_active or not author.email:
        return []
    return [author.email]


def name_of(user):
    return user.get_full_name() or user.get_username()


def page_link(page):
    return admin_link(reverse("admin:education_educationpage_change", args=[page.pk]))


def _queue(template, *, recipients, subject, **context):
    body = render_to_string(f"education/email/{template}.txt", context)
    return staff_email_queue(recipients=recipients, subject=subject, body=body)


def notify_submitted(page, *, by, comment=""):
    _queue(
        "submitted",
        recipients=reviewer_addresses(but=by),
        subject=f"Waiting for your review: {page.title}",
        page=page,
        by=name_of(by),
        comment=comment.strip(),
        link=page_link(page),
    )


def notify_changes_requested(page, *, by, comment):
    _queue(
        "changes_requested",
        recipients=editor_addresses(page, but=by),
        subject=f"Changes asked for: {page.title}",
        page=page,
        by=name_of(by),
        comment=comment.strip(),
        link=page_link(page),
    )


def notify_published(page, *, by, editor, changes=False):
    """`page` is the live page; `editor` the page (or the draft copy) whose author is told."""
    _queue(
        "published",
        recipients=editor_addresses(editor, but=by),
        subject=f"{'Changes published' if changes else 'Published'}: {page.title}",
        page=page,
        by=name_of(by),
        changes=changes,
        link=page_link(page),
    )


def reminder_stage(due_on, today):
    """Which reminder a review due on `due_on` is at today, or None (more than 30 days off)."""
    days_left = (due_on - today).days
    if days_left < 0:
        return ReviewReminder.Stage.OVERDUE
    for stage in sorted(REMINDER_DAYS):
        if days_left <= stage:
            return stage
    return None


def _reminder_claim(page, stage, today):
    """Record that this page's reminder for this stage is sent; False if it already was (by
    an earlier run or one running now: the unique row decides)."""
    try:
        with transaction.atomic():
            ReviewReminder.objects.create(
                page=page, due_on=page.next_review_due, stage=stage, sent_on=today
            )
    except IntegrityError:
        return False
    return True


@transaction.atomic
def review_reminders_queue(*, today=None):
    """Queue one email to the reviewers listing the live pages whose review has just come
    within 30 or 7 days of its due date, or just became overdue. Each page's reminder for
    each stage goes once. Returns the number of pages in the email."""
    today = today or timezone.localdate()
    recipients = reviewer_addresses()
    if not recipients:  # nobody to tell: keep the reminders for when someone can be told
        logger.warning("Review reminders not sent: no clinical reviewer has an email address.")
        return 0
    horizon = today + datetime.timedelta(days=max(REMINDER_DAYS))
    pages = (
        EducationPage.objects.published()
        .filter(next_review_due__isnull=False, next_review_due__lte=horizon)
        .order_by("next_review_due", "title")
    )
    reminded = []
    for page in pages:
        stage = reminder_stage(page.next_review_due, today)
        if _reminder_claim(page, stage, today):
            reminded.append({"page": page, "stage": stage, "link": page_link(page)})
    if not reminded:
        return 0
    overdue = sum(1 for item in reminded if item["stage"] == ReviewReminder.Stage.OVERDUE)
    counts = [
        f"{count} {label}"
        for count, label in [(overdue, "overdue"), (len(reminded) - overdue, "due soon")]
        if count
    ]
    _queue(
        "review_due",
        recipients=recipients,
        subject=f"Clinical reviews: {' and '.join(counts)}",
        reminded=reminded,
        today=today,
        list_link=admin_link(reverse("admin:index")),
    )
    return len(reminded)
