import datetime

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import F
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from clinic.admin import LabelledTabularInline, plain_number

from . import services
from .markup import placeholders
from .models import (
    FAQ,
    READING_GRADE_TARGET,
    REVIEW_DUE_SOON_DAYS,
    EducationPage,
    GlossaryTerm,
    Reference,
    ReviewerProfile,
    Topic,
    unfilled_message,
)
from .presenters import page_context


class ReviewStatusFilter(admin.SimpleListFilter):
    title = "clinical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("never", "Never reviewed"),
            ("overdue", "Review overdue"),
            ("soon", f"Due within {REVIEW_DUE_SOON_DAYS} days"),
            ("attention", "Needs attention (any of the above)"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        soon = today + datetime.timedelta(days=REVIEW_DUE_SOON_DAYS)
        if self.value() == "never":
            return queryset.filter(last_reviewed_on__isnull=True)
        if self.value() == "overdue":
            return queryset.filter(next_review_due__lt=today)
        if self.value() == "soon":
            return queryset.filter(next_review_due__gte=today, next_review_due__lte=soon)
        if self.value() == "attention":
            return queryset.review_due(today=today)
        return queryset


class FAQFormSet(BaseInlineFormSet):
    def clean(self):
        """A page published through this form: no FAQ answer may keep a "[[Fill in: ...]]"."""
        super().clean()
        if self.instance.status != EducationPage.Status.PUBLISHED:
            return
        answers = [
            form.cleaned_data.get("answer", "")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        left = placeholders("\n".join(answers))
        if left:
            raise ValidationError(unfilled_message(left))


class FAQInline(admin.StackedInline):
    formset = FAQFormSet
    model = FAQ
    extra = 0
    fields = ["order", "question", "answer"]


class ReferenceInline(LabelledTabularInline):
    delete_label = "Delete this source"
    model = Reference
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    extra = 0
    fields = ["order", "citation", "url"]


# Set only by the workflow services; a form save or a restore keeps what is stored.
WORKFLOW_FIELDS = [
    "status",
    "published_at",
    "author_id",
    "reviewed_by_id",
    "reviewer_name",
    "reviewer_credentials",
    "last_reviewed_on",
    "next_review_due",
    "reviewed_content_fingerprint",
    "reviewed_revision_id",
]


def action_words(page, action):
    """An action's button and confirmation, in words for this page (a copy's publish puts its
    changes into the live page)."""
    if action == "publish" and page.draft_of_id:
        return {
            "label": "Publish changes",
            "confirm": (
                "Put these changes into the live page? Patients will read the new text at once; "
                "this working copy is then closed."
            ),
        }
    return services.PAGE_ACTIONS[action]


ACTION_DONE = {
    "draft": "has draft changes: edit this working copy, then submit it for review",
    "submit": "was submitted for clinical review",
    "publish": "is published: patients can read it now",
    "request": "is back with its editor as a draft, with your comment",
    "unpublish": "is unpublished: patients no longer see it",
    "review": "is signed off as clinically reviewed today",
}


def error_text(error):
    """What a refused action says, in words: a ValidationError's messages or the reason."""
    return getattr(error, "message", None) or " ".join(getattr(error, "messages", [str(error)]))


def _faqs_as_text(faqs):
    return "\n\n".join(f"Question: {f['question']}\nAnswer: {f['answer']}" for f in faqs)


def _sources_as_text(references):
    return "\n".join(f"{n}. {r['citation']} {r['url']}" for n, r in enumerate(references, 1))


def _same_text(text):
    """Text as a reader sees it: line breaks and spaces at line ends do not count."""
    lines = str(text).replace("\r\n", "\n").strip().splitlines()
    return "\n".join(line.rstrip() for line in lines)


def compare_revisions(older, newer):
    """Each part of a page, old and new, with a readable label and whether it changed."""
    parts = [
        ("Title", older["title"], newer["title"]),
        ("Summary", older["summary"], newer["summary"]),
        ("Topic", older["topic"], newer["topic"]),
        ("Body", older["body"], newer["body"]),
        ("Common questions (FAQs)", _faqs_as_text(older["faqs"]), _faqs_as_text(newer["faqs"])),
        (
            "Sources",
            _sources_as_text(older["references"]),
            _sources_as_text(newer["references"]),
        ),
    ]
    return [
        {"label": label, "old": old, "new": new, "changed": _same_text(old) != _same_text(new)}
        for label, old, new in parts
    ]


def state_in_words(page):
    """Where a page stands, as a sentence for the top of its form."""
    status = {
        EducationPage.Status.DRAFT: "Draft: patients cannot see this page.",
        EducationPage.Status.IN_REVIEW: (
            "Waiting for clinical review: patients cannot see this page yet."
        ),
        EducationPage.Status.PUBLISHED: "Live: patients can read this page.",
    }[page.status]
    if page.draft_of_id:
        status = (
            f"Draft changes of the live page “{page.draft_of}”: patients keep reading the "
            f"live page until a reviewer publishes these changes. This copy is "
            f"{page.get_status_display().lower()}."
        )
    signed_on = date_format(page.last_reviewed_on) if page.last_reviewed_on else ""
    revision = f" (revision {page.reviewed_revision.number})" if page.reviewed_revision else ""
    if page.is_clinically_reviewed:
        review = (
            f"Signed off by {page.reviewer_name} on {signed_on}{revision}, "
            "for the text as it is now."
        )
    elif page.last_reviewed_on:
        review = (
            f"Changed since {page.reviewer_name} signed it off on {signed_on}{revision}: "
            "it needs a new sign-off."
        )
    else:
        review = "Not clinically reviewed yet."
    return f"{status} {review}"


@admin.register(EducationPage)
class EducationPageAdmin(SimpleHistoryAdmin):
    list_display = [
        "title_display",
        "topic",
        "status",
        "reading_grade_display",
        "word_count",
        "review_display",
        "next_review_due",
    ]
    list_filter = ["status", "topic", ReviewStatusFilter]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    # Django's two-list selector, not autocomplete_fields: Select2's search box has no label
    # (axe: label), while the two lists and their filter boxes are labelled.
    filter_horizontal = ["related_pages"]
    inlines = [FAQInline, ReferenceInline]
    # Publishing and signing off happen on each page, with a confirmation naming it (the
    # buttons at the top of its form): never from a list, where the wrong row can be ticked.
    actions = ["submit_for_review"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "topic", "order", "summary", "body"]}),
        ("Related pages", {"fields": ["related_pages"], "classes": ["collapse"]}),
        ("Status", {"fields": ["status", "author", "published_at"]}),
        (
            "Clinical review",
            {
                "fields": [
                    "reviewer_name",
                    "reviewer_credentials",
                    "last_reviewed_on",
                    "next_review_due",
                ]
            },
        ),
        ("Plain language", {"fields": ["reading_grade_display", "word_count", "sources_check"]}),
    ]
    history_list_display = ["status"]
    object_history_template = "admin/education/educationpage/object_history.html"
    object_history_list_template = "admin/education/educationpage/history_list.html"

    def get_ordering(self, request):
        # Never-reviewed pages first, then the ones whose review is due soonest.
        return [
            F("last_reviewed_on").asc(nulls_first=True),
            F("next_review_due").asc(nulls_last=True),
            "title",
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("topic")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "related_pages":
            kwargs["queryset"] = EducationPage.objects.without_working_copies().order_by("title")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = [
            # The status moves only through the workflow buttons, and the author is who
            # created the page: neither can be typed into the form.
            "status",
            "author",
            "published_at",
            "reviewer_name",
            "reviewer_credentials",
            "last_reviewed_on",
            "reading_grade_display",
            "word_count",
            "sources_check",
        ]
        if not services.can_review(request.user):
            readonly.append("next_review_due")
        return readonly

    def has_change_permission(self, request, obj=None):
        # Published pages are what patients read: only reviewers may change them.
        if obj is not None and obj.is_published and not services.can_publish(request.user):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        else:
            # A restored old version comes back with the text it had, never with its old
            # status, author or sign-off: those change only through the workflow actions.
            stored = EducationPage.objects.filter(pk=obj.pk).values(*WORKFLOW_FIELDS).get()
            for field_name, value in stored.items():
                if field_name != "next_review_due" or not services.can_review(request.user):
                    setattr(obj, field_name, value)
        super().save_model(request, obj, form, change)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history judges a restore by the old version's status; what counts is
        # the page as it is now: an editor cannot change a live page this way either.
        if request.method == "POST":
            stored = self.get_object(request, unquote(object_id))
            if stored is None or not self.has_change_permission(request, stored):
                raise PermissionDenied
        response = super().history_form_view(request, object_id, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302:
            stored = self.get_object(request, unquote(object_id))
            services.page_revision_record(page=stored, user=request.user)
        return response

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.page_derived_fields_save(page=form.instance)  # the FAQs are saved only now
        services.page_revision_record(page=form.instance, user=request.user)

    @admin.display(description="reading grade", ordering="reading_grade")
    def reading_grade_display(self, obj):
        if obj.is_reading_grade_too_high:
            return format_html(
                '<strong class="errornote">{} - above grade {}: use shorter sentences and '
                "everyday words</strong>",
                obj.reading_grade,
                READING_GRADE_TARGET,
            )
        return obj.reading_grade

    @admin.display(description="title", ordering="title")
    def title_display(self, obj):
        if obj.draft_of_id:
            return f"{obj.title} (draft changes of the live page)"
        return obj.title

    @admin.display(description="sources")
    def sources_check(self, obj):
        problems = obj.source_problems() if obj.pk else []
        if not problems:
            return "Every source is cited, and every citation has a source."
        return format_html('<strong class="errornote">{}</strong>', " ".join(problems))

    @admin.display(description="review")
    def review_display(self, obj):
        if obj.last_reviewed_on is None:
            return "Never reviewed"
        if obj.is_changed_since_review:
            return format_html(
                '<strong class="errornote">{}</strong>',
                f"Changed since the review of {obj.last_reviewed_on:%b %d, %Y}: sign off again",
            )
        if obj.is_review_overdue:
            return format_html('<strong class="errornote">{}</strong>', "Overdue")
        return f"Reviewed {obj.last_reviewed_on:%b %d, %Y}"

    def _apply(self, request, queryset, service, done):
        changed = 0
        for page in queryset:
            try:
                service(page=page, user=request.user)
                changed += 1
            except (PermissionDenied, ValidationError) as error:
                message = getattr(error, "message", None) or str(error)
                self.message_user(request, f"{page}: {message}", messages.ERROR)
        if changed:
            self.message_user(request, f"{changed} page(s) {done}.", messages.SUCCESS)

    @admin.action(description="Submit selected pages for clinical review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        self._apply(request, queryset, services.page_submit_for_review, "submitted for review")

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        act = self.admin_site.admin_view(self.action_view)
        return [
            path("<path:object_id>/preview/", preview, name="education_educationpage_preview"),
            path(
                "<path:object_id>/action/<slug:action>/",
                act,
                name="education_educationpage_action",
            ),
            path(
                "<path:object_id>/revisions/",
                self.admin_site.admin_view(self.revisions_view),
                name="education_educationpage_revisions",
            ),
            path(
                "<path:object_id>/revisions/<int:number>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="education_educationpage_restore",
            ),
            *super().get_urls(),
        ]

    def get_view_on_site_url(self, obj=None):
        # A page patients cannot see yet opens in the staff preview, not as a 404.
        if obj is not None and obj.pk and not obj.is_published:
            return reverse("admin:education_educationpage_preview", args=[obj.pk])
        return super().get_view_on_site_url(obj)

    def action_view(self, request, object_id, action):
        """One workflow action on one page: a confirmation naming the page, then the service."""
        page = self.get_object(request, unquote(object_id))
        if page is None or not self.has_view_or_change_permission(request, page):
            raise PermissionDenied
        change_url = reverse("admin:education_educationpage_change", args=[page.pk])
        if action not in services.page_actions_for(page=page, user=request.user):
            self.message_user(
                request, f"“{page}”: that action is not open to you now.", messages.ERROR
            )
            return redirect(change_url)
        if request.method == "POST":
            try:
                result = services.page_apply_action(
                    page=page,
                    user=request.user,
                    action=action,
                    comment=request.POST.get("comment", "")[:2000],
                    seen_fingerprint=request.POST.get("seen", ""),
                )
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"“{page}”: {error_text(error)}", messages.ERROR)
            else:
                done = ACTION_DONE[action]
                if page.draft_of_id and action == "publish":
                    done = "is published: its changes are on the live page now"
                self.message_user(request, f"“{page}” {done}.", messages.SUCCESS)
                # Starting draft changes opens the copy; publishing them, the live page.
                if action in {"draft", "publish"} and isinstance(result, EducationPage):
                    change_url = reverse("admin:education_educationpage_change", args=[result.pk])
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "page": page,
            "action": action_words(page, action),
            "action_key": action,
            "change_url": change_url,
            "preview_url": reverse("admin:education_educationpage_preview", args=[page.pk]),
            "title": f"{action_words(page, action)['label']}: {page}",
        }
        return TemplateResponse(
            request, "admin/education/educationpage/confirm_action.html", context
        )

    def revisions_view(self, request, object_id):
        """The page's revisions, and any two compared: every field, FAQs and sources included."""
        page = self.get_object(request, unquote(object_id))
        if page is None or not self.has_view_or_change_permission(request, page):
            raise PermissionDenied
        revisions = list(page.revisions.order_by("-number"))
        by_number = {revision.number: revision for revision in revisions}
        latest = revisions[0] if revisions else None
        newer = by_number.get(plain_number(request.GET.get("to"))) or latest
        older = by_number.get(plain_number(request.GET.get("from")))
        if older is None and newer is not None:
            older = by_number.get(newer.number - 1)
        against_live = bool(page.draft_of_id and request.GET.get("against") == "live")
        if against_live:
            # Draft changes against what patients read now: the live page's latest revision.
            older = page.draft_of.revisions.order_by("-number").first()
            newer = latest
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "page": page,
            "title": f"Revisions of “{page}”",
            "revisions": revisions,
            "older": older,
            "newer": newer,
            "against_live": against_live,
            "sections": compare_revisions(older.content, newer.content) if older and newer else [],
            "can_restore": services.can_restore(request.user),
            "change_url": reverse("admin:education_educationpage_change", args=[page.pk]),
        }
        template = "admin/education/educationpage/revisions.html"
        return TemplateResponse(request, template, context)

    def restore_view(self, request, object_id, number):
        """Restore one revision as a draft, after a confirmation naming the page."""
        page = self.get_object(request, unquote(object_id))
        if page is None or not self.has_view_or_change_permission(request, page):
            raise PermissionDenied
        revision = page.revisions.filter(number=number).first()
        if revision is None:
            raise Http404("No such revision.")
        change_url = reverse("admin:education_educationpage_change", args=[page.pk])
        if request.method == "POST":
            try:
                target = services.page_revision_restore(
                    page=page, revision=revision, user=request.user
                )
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"“{page}”: {error_text(error)}", messages.ERROR)
                return redirect(change_url)
            self.message_user(
                request,
                f"Revision {number} of “{page}” is restored as a draft: check it, then submit "
                "it for review.",
                messages.SUCCESS,
            )
            return redirect("admin:education_educationpage_change", target.pk)
        where = (
            "as draft changes: patients keep reading the live page until a reviewer publishes them"
            if page.is_published
            else "as this page's text, back in draft for a new review"
        )
        if page.is_published and EducationPage.objects.filter(draft_of=page).exists():
            where += " (its open draft changes are replaced: only their author may do this)"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "page": page,
            "action": {
                "label": f"Restore revision {number}",
                "confirm": (
                    f"Bring back the text of revision {number} {where}? The text it replaces "
                    "stays in the page's revisions."
                ),
            },
            "action_key": "restore",
            "change_url": change_url,
            "preview_url": reverse("admin:education_educationpage_preview", args=[page.pk]),
            "title": f"Restore revision {number}: {page}",
        }
        return TemplateResponse(
            request, "admin/education/educationpage/confirm_action.html", context
        )

    def preview_view(self, request, object_id):
        """The page as patients will see it, whatever its status."""
        page = self.get_object(request, object_id)
        if page is None or not self.has_view_or_change_permission(request, page):
            raise PermissionDenied
        context = page_context(page, related=page.related_pages.all())
        context["is_preview"] = True
        response = TemplateResponse(request, "education/page_detail.html", context)
        response["X-Robots-Tag"] = "noindex"
        response["Cache-Control"] = "no-store"
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["preview_url"] = reverse("admin:education_educationpage_preview", args=[obj.pk])
            revisions_url = reverse("admin:education_educationpage_revisions", args=[obj.pk])
            context["revisions_url"] = revisions_url
            recent = obj.comments.order_by("-created_at", "-pk")[:5]
            context["workflow"] = {
                "state": state_in_words(obj),
                "comments": list(reversed(recent)),
                "compare_live_url": f"{revisions_url}?against=live" if obj.draft_of_id else None,
                "draft_changes_url": (
                    reverse("admin:education_educationpage_change", args=[draft.pk])
                    if (draft := EducationPage.objects.filter(draft_of=obj).first())
                    else None
                ),
                "actions": [
                    {
                        "label": action_words(obj, action)["label"],
                        "url": reverse(
                            "admin:education_educationpage_action", args=[obj.pk, action]
                        ),
                    }
                    for action in services.page_actions_for(page=obj, user=request.user)
                ],
            }
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "order", "slug"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    """Each clinical reviewer writes their own name and credentials; only a superuser sees or
    edits anyone else's."""

    list_display = ["display_name", "credentials", "user"]
    # A plain list of staff accounts, not autocomplete_fields: Select2's single select has no
    # accessible name while nothing is chosen (axe: aria-input-field-name), and a clinic has a
    # few dozen accounts at most.

    def get_queryset(self, request):
        profiles = super().get_queryset(request)
        return profiles if request.user.is_superuser else profiles.filter(user=request.user)

    def get_fields(self, request, obj=None):
        fields = ["display_name", "credentials"]
        return ["user", *fields] if request.user.is_superuser else fields

    def _own(self, request, obj):
        return services.can_review(request.user) and (obj is None or obj.user_id == request.user.pk)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or services.can_review(request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self._own(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or self._own(request, obj)

    def has_add_permission(self, request):
        if request.user.is_superuser:
            return True
        has_one = ReviewerProfile.objects.filter(user=request.user).exists()
        return services.can_review(request.user) and not has_one

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.user = request.user
        super().save_model(request, obj, form, change)


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(SimpleHistoryAdmin):
    list_display = ["term", "meaning", "other_forms"]
    search_fields = ["term", "other_forms", "meaning"]
    prepopulated_fields = {"slug": ["term"]}
    fields = ["term", "other_forms", "meaning", "slug"]

    # Pages keep their glossary words in their stored HTML: the pages that use the term's words,
    # before or after the change, are rendered again.
    def save_model(self, request, obj, form, change):
        before = GlossaryTerm.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        services.pages_rerender(words=[*obj.forms, *(before.forms if before else ())])

    def delete_model(self, request, obj):
        words = obj.forms
        super().delete_model(request, obj)
        services.pages_rerender(words=words)

    def delete_queryset(self, request, queryset):
        words = [form for term in queryset for form in term.forms]
        super().delete_queryset(request, queryset)
        services.pages_rerender(words=words)
