import csv
import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.timesince import timesince, timeuntil

from clinic.admin import OutboxAdmin, SingletonModelAdmin, plain_number

from . import services
from .models import (
    OPEN_STATUSES,
    CannedReply,
    ContactSettings,
    Delivery,
    Inquiry,
    InquiryEvent,
    InquiryNote,
    ScreeningExample,
    ScreeningPhrase,
    Topic,
    answer_due,
    inbox_ordering,
)
from .screening import OUTCOME_LABELS, active_phrases, phrase_book
from .screening_report import examples_check, outcome_is_right, phrase_change_impact
from .timeline import inquiry_access, inquiry_timeline


def outcome_label(expected, outcome):
    """ "Right: urgent card" or "Wrong: no notice", in words (never colour alone)."""
    right = outcome_is_right(expected, outcome)
    return format_html(
        '<span class="screening-result screening-result--{}">{}: {}</span>',
        "right" if right else "wrong",
        "Right" if right else "Wrong",
        OUTCOME_LABELS[outcome],
    )


CSV_COLUMNS = [
    ("reference", "Reference"),
    ("received_at", "Received"),
    ("topic__label", "Topic"),
    ("status", "Status"),
    ("is_urgent", "Urgent"),
    ("is_medical", "Medical"),
    ("assigned_to__username", "Assigned to"),
    ("name", "Name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("reply_by", "Reply by"),
    ("message", "Message"),
]


class ExportReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why are you exporting these inquiries?",
        help_text=(
            "Kept in the access record with your name, on each inquiry exported. Say what "
            "for, without any patient's name."
        ),
        max_length=200,
    )


class ReplyForm(forms.Form):
    # The length is checked by the service, after line breaks are made one character each
    # (as the browser's maxlength counts them).
    body = forms.CharField(
        label="Your reply (plain text, sent from the clinic's address)",
        widget=forms.Textarea(attrs={"rows": 14, "cols": 80, "maxlength": 5000}),
    )
    then_status = forms.ChoiceField(
        label="After sending",
        required=False,
        initial="",
        choices=[
            ("", "Leave it in progress"),
            (Inquiry.Status.WAITING, "Waiting on patient: we asked them something"),
            (Inquiry.Status.CLOSED, "Closed: nothing more to do"),
        ],
        widget=forms.RadioSelect,
    )


PREVIEW_CHARACTERS = 60


def may_reply(user):
    return user.has_perm("contact.change_inquiry") and user.has_perm("contact.add_inquiryreply")


class Echo:
    """A file-like object that hands each CSV row straight back, for streaming."""

    def write(self, value):
        return value


# Codes shown as staff read them in the admin.
CSV_LABELS = {"status": dict(Inquiry.Status.choices), "reply_by": dict(Inquiry.ReplyBy.choices)}


def csv_rows(queryset):
    writer = csv.writer(Echo())
    fields = [field for field, _ in CSV_COLUMNS]
    # The byte-order mark tells spreadsheet programs the file is UTF-8 (names with accents).
    yield "\ufeff" + writer.writerow([label for _, label in CSV_COLUMNS])
    # values_list + iterator: rows are read from the database in chunks, never all at once.
    for row in queryset.order_by("-received_at").values_list(*fields).iterator(chunk_size=2000):
        values = [csv_value(field, value) for field, value in zip(fields, row, strict=True)]
        yield writer.writerow([csv_safe(value) for value in values])


def csv_value(field, value):
    """A value as staff read it: codes in words, flags Yes/No, times in the clinic's zone."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return CSV_LABELS.get(field, {}).get(value, value)


def csv_safe(value):
    """Stop a spreadsheet from running a formula that a sender typed (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class StatusFilter(admin.SimpleListFilter):
    """The inbox opens on what needs doing: open inquiries (new, in progress, waiting), urgent
    first. Closed ones are one click away; spam only when asked for."""

    title = "status"
    parameter_name = "status"
    DEFAULT = "open"

    def lookups(self, request, model_admin):
        return [
            (self.DEFAULT, "Open (new, in progress, waiting)"),
            *Inquiry.Status.choices,
            ("any", "All but spam"),
            ("all", "All, with spam"),
        ]

    def choices(self, changelist):
        # No "All" entry of Django's: no choice in the address means the default, open.
        chosen = self.value() or self.DEFAULT
        for lookup, title in self.lookup_choices:
            yield {
                "selected": chosen == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or self.DEFAULT
        if value == self.DEFAULT:
            return queryset.filter(status__in=OPEN_STATUSES)
        if value == "all":
            return queryset
        if value in Inquiry.Status.values:
            return queryset.filter(status=value)
        return queryset.exclude(status=Inquiry.Status.SPAM)


def front_desk_members():
    return (
        get_user_model()
        .objects.filter(groups__name=services.FRONT_DESK_GROUP, is_active=True)
        .order_by("username")
    )


class AssigneeFilter(admin.RelatedFieldListFilter):
    """Front desk members only. (Django's "related only" filter would scan every inquiry.)"""

    def field_choices(self, field, request, model_admin):
        return [(user.pk, str(user)) for user in front_desk_members()]


class InquiryNoteInline(admin.StackedInline):
    model = InquiryNote
    extra = 1
    fields = ["text", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    verbose_name = "internal note"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_change_permission(self, request, obj=None):
        return False  # notes are a record: added, never rewritten

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    fields = ["kind", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]
    readonly_fields = fields
    can_delete = False
    verbose_name = "email"
    verbose_name_plural = "emails"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("inquiry")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    # The flags come first, as words on a coloured label (not Django's tick and cross icons),
    # so an urgent inquiry stands out at any width and to colour-blind staff.
    # Narrow enough for a 1024 px window beside the filters: the age stands for the received
    # date (shown on hover, and sorts by it), and the inbox hides the admin's app sidebar.
    list_display = ["flags", "reference", "age", "response", "topic", "status", "assigned_to"]
    list_display_links = ["reference"]
    list_filter = [
        StatusFilter,
        "topic",
        "is_urgent",
        "is_medical",
        ("assigned_to", AssigneeFilter),
    ]
    search_fields = ["reference", "name", "email"]
    list_select_related = ["topic", "assigned_to", "staff_digest"]
    list_per_page = 50
    # One COUNT of the rows the filters select, none of the whole table: measured at 100,000
    # inquiries in docs/benchmarks.md (the stock paginator is fast enough at a clinic's scale).
    show_full_result_count = False
    actions = ["assign_to_me", "mark_closed", "mark_spam", "mark_not_spam", "export_csv"]
    inlines = [InquiryNoteInline, DeliveryInline]
    fieldsets = [
        (None, {"fields": ["reference", "received_at", "topic", "status", "assigned_to"]}),
        (
            "Flags",
            {
                "fields": [
                    "is_urgent",
                    "is_medical",
                    "screening_matches",
                    "spam_reason",
                    "staff_email",
                ]
            },
        ),
        ("From", {"fields": ["name", "email", "phone", "reply_by"]}),
        ("Message", {"fields": ["message"]}),
    ]
    readonly_fields = [
        "reference",
        "received_at",
        "is_urgent",
        "is_medical",
        "screening_matches",
        "spam_reason",
        "staff_email",
        "name",
        "email",
        "phone",
        "reply_by",
        "message",
    ]

    def get_ordering(self, request):
        return inbox_ordering()

    def has_add_permission(self, request):
        return False  # inquiries come from the contact form only

    class Media:
        css = {"all": ["css/admin-inbox.css"]}

    @admin.display(description="flags")
    def flags(self, inquiry):
        labels = [
            format_html('<span class="inbox-flag inbox-flag--{}">{}</span>', kind, text)
            for flag, kind, text in [
                (inquiry.is_urgent, "urgent", "Urgent"),
                (inquiry.is_medical, "medical", "Medical"),
            ]
            if flag
        ]
        return format_html_join(" ", "{}", ((label,) for label in labels)) or "-"

    @admin.display(description="age", ordering="received_at")
    def age(self, inquiry):
        received = timezone.localtime(inquiry.received_at)
        return format_html(
            '<time datetime="{}" title="Received {}">{}</time>',
            received.isoformat(),
            date_format(received, "DATETIME_FORMAT"),
            timesince(inquiry.received_at, timezone.now(), depth=1),
        )

    @admin.display(description="first answer", ordering=answer_due())
    def response(self, inquiry):
        """How the first-response target stands: due in, overdue by, or answered."""
        if inquiry.first_response_at is not None:
            return "Answered"
        if inquiry.respond_by is None or inquiry.status not in OPEN_STATUSES:
            return "-"
        now = timezone.now()
        due = date_format(timezone.localtime(inquiry.respond_by), "DATETIME_FORMAT")
        if inquiry.respond_by <= now:
            return format_html(
                '<strong class="inbox-overdue" title="Due {}">Overdue by {}</strong>',
                due,
                timesince(inquiry.respond_by, now, depth=1),
            )
        return format_html(
            '<span title="Due {}">Due in {}</span>',
            due,
            timeuntil(inquiry.respond_by, now, depth=1),
        )

    def changelist_view(self, request, extra_context=None):
        # The app sidebar would take a quarter of a 1024 px window from the list.
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description="staff told by")
    def staff_email(self, inquiry):
        digest = inquiry.staff_digest
        if digest is not None:
            if digest.sent_at is None:
                return "Urgent digest, waiting to send"
            sent = date_format(timezone.localtime(digest.sent_at), "DATETIME_FORMAT")
            return f"Urgent digest, sent {sent}"
        return "Its own email (see Emails below)"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "assigned_to" in form.base_fields:
            # Front desk members, and whoever has it now (someone who left, say): the menu
            # must show the current choice, or saving a note would unassign it.
            current = models.Q(pk=obj.assigned_to_id) if obj and obj.assigned_to_id else None
            members = models.Q(groups__name=services.FRONT_DESK_GROUP, is_active=True)
            form.base_fields["assigned_to"].queryset = (
                get_user_model()
                .objects.filter(members | current if current else members)
                .distinct()
                .order_by("username")
            )
        return form

    def get_list_display(self, request):
        if not request.user.has_perm("contact.preview_inquiry"):
            return self.list_display
        shown = list(self.list_display)
        at = shown.index("reference") + 1
        return [*shown[:at], "name", "preview", *shown[at:]]

    @admin.display(description="message")
    def preview(self, inquiry):
        """The start of the message, on one line: enough to sort the inbox by eye."""
        text = " ".join("".join(ch if ch.isprintable() else " " for ch in inquiry.message).split())
        return Truncator(text).chars(PREVIEW_CHARACTERS)

    def has_delete_permission(self, request, obj=None):
        # Erasure goes through `purge_inquiries --erase-email`, which keeps the access record.
        return False

    def save_model(self, request, obj, form, change):
        # Status and assignee change through the services, which keep the access record.
        chosen_status, chosen_assignee = obj.status, obj.assigned_to
        obj.status = form.initial.get("status", obj.status)
        obj.assigned_to_id = form.initial.get("assigned_to")
        super().save_model(request, obj, form, change)
        if "assigned_to" in form.changed_data:
            services.inquiry_assign(inquiry=obj, user=chosen_assignee, by=request.user)
        if "status" in form.changed_data:
            # Spam has rules of its own: its unsent emails go; leaving spam sends them.
            if chosen_status == Inquiry.Status.SPAM:
                services.inquiry_mark_spam(inquiry=obj, by=request.user)
            elif obj.status == Inquiry.Status.SPAM:
                services.inquiry_mark_not_spam(inquiry=obj, by=request.user)
            services.inquiry_set_status(inquiry=obj, status=chosen_status, by=request.user)

    def save_formset(self, request, form, formset, change):
        for note in formset.save(commit=False):
            if isinstance(note, InquiryNote) and note.pk is None:
                services.inquiry_note_add(note=note, by=request.user)
            else:
                note.save()
        formset.save_m2m()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        inquiry = self.get_object(request, unquote(object_id))
        if inquiry is None or not self.has_view_or_change_permission(request, inquiry):
            return super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET":
            services.event_record(inquiry=inquiry, by=request.user, kind=InquiryEvent.Kind.OPENED)
        extra_context = {
            **(extra_context or {}),
            "timeline": inquiry_timeline(inquiry),
            "access": inquiry_access(inquiry),
            "can_reply": may_reply(request.user) and inquiry.status != Inquiry.Status.SPAM,
            "reply_url": reverse("admin:contact_inquiry_reply", args=[inquiry.pk]),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/reply/",
                self.admin_site.admin_view(self.reply_view),
                name="contact_inquiry_reply",
            ),
            *super().get_urls(),
        ]

    def reply_view(self, request, object_id):
        """Write a reply to the sender (perhaps from a canned reply), and send it."""
        inquiry = self.get_object(request, unquote(object_id))
        if inquiry is None or not may_reply(request.user):
            raise PermissionDenied
        change_url = reverse("admin:contact_inquiry_change", args=[inquiry.pk])
        if inquiry.status == Inquiry.Status.SPAM:
            self.message_user(
                request,
                f"{inquiry.reference} is marked as spam: move it to the inbox first to reply.",
                messages.ERROR,
            )
            return redirect(change_url)
        if request.method == "GET":  # the page shows the sender's name
            services.event_record(
                inquiry=inquiry, by=request.user, kind=InquiryEvent.Kind.OPENED, detail="reply page"
            )
        canned = CannedReply.objects.filter(
            models.Q(topic=inquiry.topic) | models.Q(topic__isnull=True)
        )
        form = ReplyForm(request.POST or None)
        chosen = canned.filter(pk=plain_number(request.GET.get("canned"))).first()
        if request.method == "GET" and chosen is not None:
            # Inserted into the box, to be read and edited before anything is sent.
            form = ReplyForm(
                initial={"body": chosen.filled_in(services.canned_reply_values(inquiry))}
            )
        if request.method == "POST" and form.is_valid():
            try:
                services.inquiry_reply_send(
                    inquiry=inquiry,
                    by=request.user,
                    body=form.cleaned_data["body"],
                    then_status=form.cleaned_data["then_status"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    f"Reply to {inquiry.reference} saved: the email worker sends it now. "
                    "The timeline shows when it has gone.",
                    messages.SUCCESS,
                )
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "inquiry": inquiry,
            "form": form,
            "canned": canned,
            "chosen": chosen,
            "change_url": change_url,
            "title": f"Reply to {inquiry.reference}",
        }
        return TemplateResponse(request, "admin/contact/inquiry/reply.html", context)

    @admin.action(description="Assign to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        try:
            with transaction.atomic():
                for inquiry in queryset:
                    services.inquiry_assign(inquiry=inquiry, user=request.user, by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(request, f"Assigned {queryset.count()} to you.", messages.SUCCESS)

    @admin.action(description="Mark closed", permissions=["change"])
    def mark_closed(self, request, queryset):
        for inquiry in queryset:
            services.inquiry_set_status(
                inquiry=inquiry, status=Inquiry.Status.CLOSED, by=request.user
            )
        self.message_user(request, f"Closed {queryset.count()}.", messages.SUCCESS)

    @admin.action(description="Mark as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        for inquiry in queryset:
            services.inquiry_mark_spam(inquiry=inquiry, by=request.user)
        self.message_user(request, "Marked as spam. No further email is sent about them.")

    @admin.action(
        description="Not spam: move to the inbox and send its emails", permissions=["change"]
    )
    def mark_not_spam(self, request, queryset):
        for inquiry in queryset.filter(status=Inquiry.Status.SPAM):
            services.inquiry_mark_not_spam(inquiry=inquiry, by=request.user)
        self.message_user(request, "Moved to the inbox as new.", messages.SUCCESS)

    @admin.action(description="Export selected to CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        """Asks why first (the reason and the row count go in the access record), then
        streams the file."""
        form = ExportReasonForm(request.POST if "reason" in request.POST else None)
        if not form.is_bound or not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "form": form,
                "count": queryset.count(),
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "select_across": request.POST.get("select_across", "0"),
                "query_string": request.GET.urlencode(),
                "title": "Export inquiries to CSV",
            }
            return TemplateResponse(request, "admin/contact/inquiry/export_reason.html", context)
        services.export_record(
            inquiries=queryset, by=request.user, reason=form.cleaned_data["reason"]
        )
        response = StreamingHttpResponse(csv_rows(queryset), content_type="text/csv")
        filename = f"inquiries-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@admin.register(Delivery)
class DeliveryAdmin(OutboxAdmin):
    list_display = ["inquiry", "kind", "status", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["status", "kind"]
    list_select_related = ["inquiry"]
    search_fields = ["inquiry__reference"]
    readonly_fields = [*list_display, "sent_at", "created_at"]
    exclude = ["recipients"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    """Superusers route topics; front-desk leads edit what a topic's sender is told and its
    response target, never where its emails go."""

    list_display = ["label", "description", "is_active", "order", "staff_group"]
    LEAD_FIELDS = ["acknowledgement_text", "response_target_minutes"]

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return []
        return [f.name for f in Topic._meta.fields if f.editable and f.name not in self.LEAD_FIELDS]


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    """Written by front-desk leads; every Front desk member can insert them into a reply."""

    list_display = ["title", "topic"]
    list_filter = ["topic"]
    search_fields = ["title", "body"]
    fields = ["title", "topic", "body"]


@admin.register(InquiryEvent)
class InquiryEventAdmin(admin.ModelAdmin):
    """The access record: read only, for everyone. Superusers see all of it and can filter
    it by person; each inquiry's own timeline shows the rest of staff its part."""

    list_display = ["at", "actor_name", "kind", "reference", "detail"]
    list_filter = ["kind", ("actor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["reference", "actor_name"]
    date_hierarchy = "at"
    fields = list_display
    readonly_fields = list_display

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


CHECK_EXAMPLES = "_check_examples"
CHECK_PAGE_SIZE = 100
CONFIRM_URGENT_MISSES = "confirm_urgent_misses"


class ScreeningPhraseForm(forms.ModelForm):
    """Checks an edit against the screening examples before it is saved.

    "Check against the examples" shows what the edit would change and saves nothing. Save
    refuses an edit that would miss a crisis or emergency example unless the reviewer ticks
    the box to say they have read the list: a missed crisis message is the worst failure the
    site can have, and a phrase list is easy to break with one keystroke.
    """

    class Meta:
        model = ScreeningPhrase
        fields = ["phrase", "kind", "is_active", "note"]
        widgets = {"phrase": forms.TextInput(attrs={"size": 80})}

    impact = None

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        old = (
            (self.instance.kind, self.instance.phrase, self.instance.is_active)
            if self.instance.pk
            else None
        )
        new = (cleaned.get("kind"), cleaned.get("phrase"), cleaned.get("is_active"))
        self.impact = phrase_change_impact(
            examples=ScreeningExample.objects.only("message", "expected"), old=old, new=new
        )
        if CHECK_EXAMPLES in self.data:
            raise ValidationError(
                "Not saved yet. Read what this change does to the examples below, then press "
                "Save, or change the phrase and check again."
            )
        missed = len(self.impact.urgent_now_missed)
        # The box to tick is shown with the list of misses (the change form template), so
        # it is only ever ticked by someone who has that list in front of them.
        if missed and not self.data.get(CONFIRM_URGENT_MISSES):
            raise ValidationError(
                "Not saved: with this change, %(count)d crisis or emergency example(s) would no "
                "longer get the urgent card (listed below). Change the phrase, or tick the box "
                "to save anyway.",
                params={"count": missed},
            )
        return cleaned


@admin.register(ScreeningPhrase)
class ScreeningPhraseAdmin(admin.ModelAdmin):
    form = ScreeningPhraseForm
    change_form_template = "admin/contact/screeningphrase/change_form.html"
    list_display = ["phrase", "kind", "is_active", "note", "updated_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["phrase", "note"]
    fields = ["phrase", "kind", "is_active", "note"]

    def has_delete_permission(self, request, obj=None):
        # Deleting would skip the check against the examples; untick Active instead, which
        # is checked (and can be undone).
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        impact = form.impact
        if impact and impact.changes:
            self.message_user(
                request,
                f"Checked {impact.checked} examples: {len(impact.now_right)} now right, "
                f"{len(impact.now_wrong)} now wrong.",
                messages.WARNING if impact.now_wrong else messages.INFO,
            )


@admin.register(ScreeningExample)
class ScreeningExampleAdmin(admin.ModelAdmin):
    list_display = ["short_message", "expected", "note"]
    list_filter = ["expected"]
    search_fields = ["message", "note"]
    fields = ["message", "expected", "note"]
    list_per_page = 50

    def get_urls(self):
        return [
            path(
                "check/",
                self.admin_site.admin_view(self.check_view),
                name="contact_screeningexample_check",
            ),
            *super().get_urls(),
        ]

    def get_list_display(self, request):
        # One phrase list for the whole page, read when the page is asked for.
        book = phrase_book(active_phrases())

        @admin.display(description="screening now")
        def result_now(example):
            outcome = book.screen(example.message).outcome
            return outcome_label(example.expected, outcome)

        return [*self.list_display, result_now]

    @admin.display(description="message")
    def short_message(self, example):
        return Truncator(example.message).chars(90)

    def check_view(self, request):
        """A page of examples screened with today's list, the wrong ones listed. A page at a
        time: screening every example in one request would hold a worker for seconds
        (`manage.py screening_report --examples` checks them all at once)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        paginator = Paginator(ScreeningExample.objects.order_by("pk"), CHECK_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        check = examples_check(page.object_list)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Check screening examples",
            "page": page,
            "wrong": check.wrong,
            "counts": check.counts(ScreeningExample.Expected.choices),
        }
        return TemplateResponse(request, "admin/contact/screeningexample/check.html", context)


@admin.register(ContactSettings)
class ContactSettingsAdmin(SingletonModelAdmin):
    pass
