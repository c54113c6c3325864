import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import F
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin

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


class ReferenceInline(admin.TabularInline):
    """Sources in a table. The table's column headers are not labels, so each box, the
    delete box included, names its column for screen readers (axe's "label" rule)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                for name, field in form.fields.items():
                    label = "Delete this source" if name == "DELETE" else capfirst(field.label)
                    field.widget.attrs.setdefault("aria-label", label)

        return LabelledFormSet

    model = Reference
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    extra = 0
    fields = ["order", "citation", "url"]


@admin.register(EducationPage)
class EducationPageAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
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
    autocomplete_fields = ["related_pages"]
    inlines = [FAQInline, ReferenceInline]
    actions = ["submit_for_review", "publish", "unpublish", "mark_reviewed"]
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

    def get_readonly_fields(self, request, obj=None):
        readonly = [
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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        # The status in the database, not the object's: when restoring an old version, obj
        # is that version and carries its old status.
        old_status = (
            EducationPage.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
            if obj is not None and obj.pk
            else None
        )
        user = request.user

        class StatusCheckedForm(form_class):
            def clean_status(self):
                new_status = self.cleaned_data["status"]
                try:
                    services.check_status_change(
                        user=user,
                        old_status=old_status or EducationPage.Status.DRAFT,
                        new_status=new_status,
                    )
                except PermissionDenied as error:
                    raise ValidationError(str(error)) from None
                return new_status

        return StatusCheckedForm

    def has_change_permission(self, request, obj=None):
        # Published pages are what patients read: only reviewers may change them.
        if obj is not None and obj.is_published and not services.can_publish(request.user):
            return False
        return super().has_change_permission(request, obj)

    def has_publish_permission(self, request):
        return services.can_publish(request.user)

    def has_review_permission(self, request):
        return services.can_review(request.user)

    def save_model(self, request, obj, form, change):
        if not change and obj.author is None:
            obj.author = request.user
        if obj.is_published and obj.published_at is None:
            obj.published_at = timezone.now()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.page_derived_fields_save(page=form.instance)  # the FAQs are saved only now

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

    @admin.action(description="Submit selected pages for clinical review")
    def submit_for_review(self, request, queryset):
        self._apply(request, queryset, services.page_submit_for_review, "submitted for review")

    @admin.action(description="Publish selected pages", permissions=["publish"])
    def publish(self, request, queryset):
        self._apply(request, queryset, services.page_publish, "published")

    @admin.action(description="Unpublish selected pages (back to draft)", permissions=["publish"])
    def unpublish(self, request, queryset):
        self._apply(request, queryset, services.page_unpublish, "unpublished")

    @admin.action(
        description="Mark selected pages as clinically reviewed today", permissions=["review"]
    )
    def mark_reviewed(self, request, queryset):
        self._apply(request, queryset, services.page_mark_reviewed, "marked as reviewed")

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("<path:object_id>/preview/", preview, name="education_educationpage_preview"),
            *super().get_urls(),
        ]

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
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "order", "slug"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "credentials", "user"]
    autocomplete_fields = ["user"]


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
