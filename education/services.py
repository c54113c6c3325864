"""Changes to education pages that carry rules: who may publish, review, submit.

Every rule is checked here, on the server, whatever the admin shows or hides.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from . import notifications
from .fingerprints import page_fingerprint
from .markup import Glossary, GlossaryEntry, placeholders
from .models import (
    FAQ,
    REVIEW_INTERVAL_DAYS,
    EducationPage,
    GlossaryTerm,
    PageRevision,
    Reference,
    ReviewComment,
    ReviewerProfile,
    Topic,
    unfilled_message,
)

PUBLISH_PERMISSION = "education.publish_educationpage"
REVIEW_PERMISSION = "education.review_educationpage"


def can_publish(user):
    return user.has_perm(PUBLISH_PERMISSION)


def can_review(user):
    return user.has_perm(REVIEW_PERMISSION)


def can_restore(user):
    return user.has_perm("education.change_educationpage")


def check_status_change(*, user, old_status, new_status):
    """Raise PermissionDenied if `user` may not move a page from one status to another."""
    if old_status == new_status:
        return
    published = EducationPage.Status.PUBLISHED
    if published in (old_status, new_status) and not can_publish(user):
        raise PermissionDenied("Only clinical reviewers can publish or unpublish a page.")


# What each workflow action does, in the words the admin's buttons and confirmations use.
PAGE_ACTIONS = {
    "submit": {
        "label": "Submit for review",
        "confirm": "Submit this page for clinical review? A reviewer can then publish it.",
        "comment": "A note for the reviewer: what changed (optional)",
    },
    "publish": {
        "label": "Publish",
        "confirm": "Publish this page? Patients will see it on the website at once.",
    },
    "request": {
        "label": "Request changes",
        "confirm": (
            "Send this page back to its editor as a draft? Say what needs to change: the "
            "editor sees your comment at the top of the page."
        ),
        "comment": "What needs to change (required)",
    },
    "draft": {
        "label": "Start draft changes",
        "confirm": (
            "Start a draft of changes to this live page? Patients keep reading the page as it "
            "is until a reviewer publishes your changes."
        ),
    },
    "unpublish": {
        "label": "Unpublish",
        "confirm": "Unpublish this page? Patients will no longer see it; it goes back to draft.",
    },
    "review": {
        "label": "Mark clinically reviewed",
        "confirm": (
            "Sign off this page as clinically reviewed today? Patients will see your name and "
            "credentials over the text as it is now: its title, summary, body, FAQs and "
            "sources. Any later change needs a new sign-off."
        ),
    },
}


def page_actions_for(*, page, user):
    """The workflow actions `user` may take on `page` now, in the order the admin shows them."""
    published = page.status == EducationPage.Status.PUBLISHED
    has_draft = published and EducationPage.objects.filter(draft_of=page).exists()
    allowed = {
        "draft": published and not has_draft and user.has_perm("education.add_educationpage"),
        "submit": page.status == EducationPage.Status.DRAFT,
        "publish": not published and can_publish(user),
        "request": page.status == EducationPage.Status.IN_REVIEW and can_review(user),
        "unpublish": published and can_publish(user),
        "review": can_review(user),
    }
    return [action for action in PAGE_ACTIONS if allowed[action]]


class PageChangedSinceSeen(ValidationError):
    pass


@transaction.atomic
def page_apply_action(*, page, user, action, comment="", seen_fingerprint=None):
    """Run one workflow action on one page; every rule is checked by the service it calls.

    The page is read again, locked, so the action acts on what is stored now; with
    `seen_fingerprint` (the digest of the text the user was shown), a page whose text changed
    in between is refused: a sign-off or a publish covers only text its author saw.
    """
    page = EducationPage.objects.select_for_update().filter(pk=page.pk).first()
    if page is None:
        raise ValidationError("This page is gone: it may just have been published or deleted.")
    if seen_fingerprint is not None and seen_fingerprint != page.content_fingerprint:
        raise PageChangedSinceSeen(
            "The page changed after you opened it. Read it again, then confirm."
        )
    services = {
        "submit": lambda: page_submit_for_review(page=page, user=user, comment=comment),
        "publish": lambda: (
            page_publish_changes(draft=page, user=user)
            if page.draft_of_id
            else page_publish(page=page, user=user)
        ),
        "draft": lambda: page_draft_start(page=page, user=user),
        "request": lambda: page_request_changes(page=page, user=user, comment=comment),
        "unpublish": lambda: page_unpublish(page=page, user=user),
        "review": lambda: page_mark_reviewed(page=page, user=user),
    }
    if action not in services:
        raise ValidationError("There is no such action.")
    return services[action]()


def _comment(*, page, user, kind, text):
    comment = ReviewComment(
        page=page,
        author=user,
        author_name=user.get_full_name() or user.get_username(),
        kind=kind,
        text=text.strip(),
    )
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def page_request_changes(*, page, user, comment):
    """A reviewer sends a page waiting for review back to draft, saying what must change."""
    if not can_review(user):
        raise PermissionDenied("Only clinical reviewers can ask for changes.")
    if page.status != EducationPage.Status.IN_REVIEW:
        raise ValidationError("Only a page waiting for review can be sent back for changes.")
    if not (comment or "").strip():
        raise ValidationError("Say what needs to change: the editor will read it.")
    _comment(page=page, user=user, kind=ReviewComment.Kind.CHANGES_REQUESTED, text=comment)
    page.status = EducationPage.Status.DRAFT
    notifications.notify_changes_requested(page, by=user, comment=comment)
    return _save(page, user)


def _save(page, user):
    page._history_user = user  # so the page's history says who made the change
    page.full_clean()
    page.save()
    return page


@transaction.atomic
def page_submit_for_review(*, page, user, comment=""):
    if not user.has_perm("education.change_educationpage"):
        raise PermissionDenied("Only content editors and reviewers can submit pages.")
    if page.status == EducationPage.Status.PUBLISHED:
        raise ValidationError("This page is already published.")
    if page.status == EducationPage.Status.IN_REVIEW:
        raise ValidationError("This page is already waiting for review.")
    if (comment or "").strip():
        _comment(page=page, user=user, kind=ReviewComment.Kind.SUBMITTED, text=comment)
    page.status = EducationPage.Status.IN_REVIEW
    notifications.notify_submitted(page, by=user, comment=comment or "")
    return _save(page, user)


@transaction.atomic
def page_publish(*, page, user):
    check_status_change(
        user=user, old_status=page.status, new_status=EducationPage.Status.PUBLISHED
    )
    if page.status == EducationPage.Status.PUBLISHED:
        raise ValidationError("This page is already published.")
    left = placeholders("\n".join(faq.answer for faq in page.faqs.all()))
    if left:
        raise ValidationError(unfilled_message(left))
    page.status = EducationPage.Status.PUBLISHED
    page.published_at = page.published_at or timezone.now()
    notifications.notify_published(page, by=user, editor=page)
    return _save(page, user)


@transaction.atomic
def page_unpublish(*, page, user):
    check_status_change(user=user, old_status=page.status, new_status=EducationPage.Status.DRAFT)
    if page.status != EducationPage.Status.PUBLISHED:
        raise ValidationError("This page is not published.")
    if EducationPage.objects.filter(draft_of=page).exists():
        raise ValidationError(
            "This page has draft changes open: publish or delete them before unpublishing."
        )
    page.status = EducationPage.Status.DRAFT
    return _save(page, user)


@transaction.atomic
def page_mark_reviewed(*, page, user, reviewed_on=None):
    """Stamp a clinical review: who, with what credentials, when, and when it is next due."""
    if not can_review(user):
        raise PermissionDenied("Only clinical reviewers can mark a page as reviewed.")
    try:
        profile = user.reviewer_profile
    except ReviewerProfile.DoesNotExist:
        raise ValidationError(
            "Add your name and credentials first, under Patient education > Reviewer profiles "
            "> Add: patients see them on the pages you sign off."
        ) from None
    reviewed_on = reviewed_on or timezone.localdate()
    page.refresh_reading_stats()  # the digest of the text as stored now, FAQs and sources too
    page.reviewed_content_fingerprint = page.content_fingerprint
    page.reviewed_revision = page_revision_record(page=page, user=user)
    page.reviewed_by = user
    page.reviewer_name = profile.display_name
    page.reviewer_credentials = profile.credentials
    page.last_reviewed_on = reviewed_on
    page.next_review_due = reviewed_on + datetime.timedelta(days=REVIEW_INTERVAL_DAYS)
    return _save(page, user)


def page_derived_fields_save(*, page, glossary=None):
    """Store what is worked out from a page's body and FAQs together, after its FAQs are saved.

    An update, not a save: it changes no text, so it adds no history entry.
    """
    page.refresh_reading_stats(glossary)
    EducationPage.objects.filter(pk=page.pk).update(
        reading_grade=page.reading_grade,
        word_count=page.word_count,
        glossary_words=page.glossary_words,
        content_fingerprint=page.content_fingerprint,
    )


@transaction.atomic
def pages_rerender(*, words=None):
    """Render pages again after a glossary change, so each explains the words it uses now.

    `words`: the forms of the changed terms, old and new; only pages that use one of them are
    rendered (all pages when None). Updates, not saves: the text staff wrote is unchanged, so
    no history entry and no "edited by staff" for load_default_content. The glossary term's
    own save moves the content version, so no cached page outlives the change.
    """
    glossary = GlossaryTerm.objects.as_glossary()
    uses = None
    if words is not None:
        uses = Glossary([GlossaryEntry("", "", "", tuple(filter(None, words)))]).pattern
        if uses is None:
            return 0
    pages = EducationPage.objects.prefetch_related("faqs", "references").only(
        "pk", "title", "summary", "body", "body_text"
    )
    rendered = 0
    for page in pages.iterator(chunk_size=200):
        text = "\n".join([page.body_text, *(faq.answer_text for faq in page.faqs.all())])
        if uses is not None and not uses.search(text):
            continue
        page.render(glossary)
        EducationPage.objects.filter(pk=page.pk).update(
            body_html=page.body_html,
            body_text=page.body_text,
            headings=page.headings,
            citations=page.citations,
            reading_grade=page.reading_grade,
            word_count=page.word_count,
            glossary_words=page.glossary_words,
            # The meanings shown beside a page's words are in its digest: a changed meaning
            # needs a new sign-off.
            content_fingerprint=page.content_fingerprint,
        )
        rendered += 1
    return rendered


def page_content_snapshot(page):
    """What patients read on the page, as stored, in the form a PageRevision keeps."""
    return {
        "title": page.title,
        "summary": page.summary,
        "topic": page.topic.title,
        "body": page.body,
        "faqs": [{"question": f.question, "answer": f.answer} for f in page.faqs.all()],
        "references": [{"citation": r.citation, "url": r.url} for r in page.references.all()],
    }


@transaction.atomic
def page_revision_record(*, page, user=None):
    """Keep a revision of the page if what patients read changed since the last one.

    Called after the page and its FAQs and sources are saved (the admin's save_related, the
    default-content loader). Returns the revision that holds the page as stored now: a new
    one, or the latest when nothing changed.
    """
    page = EducationPage.objects.select_for_update().get(pk=page.pk)
    fingerprint = page_fingerprint(page)
    latest = page.revisions.order_by("-number").first()
    if latest is not None and latest.fingerprint == fingerprint:
        return latest
    return PageRevision.objects.create(
        page=page,
        number=(latest.number + 1) if latest else 1,
        created_by=user,
        created_by_name=(user.get_full_name() or user.get_username()) if user else "",
        content=page_content_snapshot(page),
        fingerprint=fingerprint,
    )


COPIED_FIELDS = ["title", "summary", "body", "topic_id", "order"]
SIGN_OFF_FIELDS = [
    "reviewed_by_id",
    "reviewer_name",
    "reviewer_credentials",
    "last_reviewed_on",
    "next_review_due",
    "reviewed_content_fingerprint",
]


def _replace_faqs_and_sources(target, *, faqs, references):
    """Give `target` these FAQs and sources (dicts, in order) instead of its own."""
    target.faqs.all().delete()
    target.references.all().delete()
    for order, faq in enumerate(faqs, 1):
        FAQ.objects.create(page=target, question=faq["question"], answer=faq["answer"], order=order)
    for order, ref in enumerate(references, 1):
        Reference.objects.create(page=target, citation=ref["citation"], url=ref["url"], order=order)


def _copy_faqs_and_sources(source, target):
    snapshot = page_content_snapshot(source)
    _replace_faqs_and_sources(target, faqs=snapshot["faqs"], references=snapshot["references"])


@transaction.atomic
def page_draft_start(*, page, user):
    """A working copy of a live page, for changes patients do not see until published."""
    if not user.has_perm("education.add_educationpage"):
        raise PermissionDenied("Only content editors and reviewers can start draft changes.")
    live = EducationPage.objects.select_for_update().get(pk=page.pk)
    if live.status != EducationPage.Status.PUBLISHED:
        raise ValidationError("This page is not live: change it directly.")
    existing = EducationPage.objects.filter(draft_of=live).first()
    if existing is not None:
        return existing
    draft = EducationPage(
        draft_of=live,
        draft_base_fingerprint=page_fingerprint(live),
        slug=f"{live.slug[:120]}-draft-changes-{live.pk}",
        status=EducationPage.Status.DRAFT,
        author=user,
        next_review_due=live.next_review_due,
        **{name: getattr(live, name) for name in COPIED_FIELDS},
    )
    _save(draft, user)
    _copy_faqs_and_sources(live, draft)
    page_derived_fields_save(page=draft)
    page_revision_record(page=draft, user=user)
    return draft


@transaction.atomic
def page_publish_changes(*, draft, user):
    """Put a working copy's text, FAQs and sources into its live page, then drop the copy.

    A sign-off on the copy covers the same text on the live page, so it goes with it;
    otherwise the live page's old sign-off no longer matches its text and is not shown.
    """
    if not can_publish(user):
        raise PermissionDenied("Only clinical reviewers can publish changes.")
    left = placeholders(
        "\n".join([draft.title, draft.summary, draft.body, *(f.answer for f in draft.faqs.all())])
    )
    if left:
        raise ValidationError(unfilled_message(left))
    live = EducationPage.objects.select_for_update().get(pk=draft.draft_of_id)
    if live.status != EducationPage.Status.PUBLISHED:
        raise ValidationError("The live page is not published any more: nothing to update.")
    if page_fingerprint(live) != draft.draft_base_fingerprint:
        raise ValidationError(
            "The live page changed after these draft changes began, so publishing them would "
            "undo that change. Compare them with the live page, then delete this copy and "
            "start new draft changes."
        )
    for name in COPIED_FIELDS:
        setattr(live, name, getattr(draft, name))
    signed = draft.is_clinically_reviewed
    if signed:
        for name in SIGN_OFF_FIELDS:
            setattr(live, name, getattr(draft, name))
    _copy_faqs_and_sources(draft, live)
    _save(live, user)  # a save leaves the live page's related pages as staff chose them
    page_derived_fields_save(page=live)
    revision = page_revision_record(page=live, user=user)
    if signed:
        live.reviewed_revision = revision
        EducationPage.objects.filter(pk=live.pk).update(reviewed_revision=revision)
    ReviewComment.objects.filter(page=draft).update(page=live)  # the review's record stays
    notifications.notify_published(live, by=user, editor=draft, changes=True)
    draft.delete()
    return live


@transaction.atomic
def page_revision_restore(*, page, revision, user):
    """Bring back what patients read at `revision`, as a draft, never as a live change: on a
    live page as its draft changes (patients keep the live page until a reviewer publishes
    them), otherwise as the page's own text, back in draft for a new review. Returns the page
    that holds the restored text; the text it replaced stays in that page's revisions."""
    if not can_restore(user):
        raise PermissionDenied("Only content editors and reviewers can restore a revision.")
    page = EducationPage.objects.select_for_update().get(pk=page.pk)
    if revision.page_id != page.pk:
        raise ValidationError("That revision belongs to another page.")
    target = page
    if page.status == EducationPage.Status.PUBLISHED:
        open_copy = EducationPage.objects.filter(draft_of=page).select_related("author").first()
        if open_copy is not None and open_copy.author_id != user.pk:
            who = open_copy.author.get_username() if open_copy.author else "another editor"
            raise ValidationError(
                f"This page has draft changes open by {who}: restoring would replace their "
                "work. Ask them, or compare and copy what you need into their draft."
            )
        target = page_draft_start(page=page, user=user)
    content = revision.content
    target.title, target.summary, target.body = (
        content["title"],
        content["summary"],
        content["body"],
    )
    # Revisions keep the topic's title; a topic renamed or removed since leaves the page's own.
    target.topic = Topic.objects.filter(title=content["topic"]).first() or target.topic
    target.status = EducationPage.Status.DRAFT
    _save(target, user)
    _replace_faqs_and_sources(target, faqs=content["faqs"], references=content["references"])
    page_derived_fields_save(page=target)
    page_revision_record(page=target, user=user)
    return target
