from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect
from django.utils.text import capfirst

from .models import ClinicDetails, ClosedDay, LanguageTagline, OpeningPeriod, StaffEmail


def plain_number(value):
    """A number from the address (a revision number, a record's key), or None: plain ASCII
    digits only, at most nine, so no odd digit or huge value reaches the database."""
    if value and value.isascii() and value.isdecimal() and len(value) <= 9:
        return int(value)
    return None


class SingletonModelAdmin(admin.ModelAdmin):
    """For a model with one record (a `load()` classmethod): the list view goes straight to
    it, and it cannot be added twice or deleted."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        record = self.model.load()
        opts = self.model._meta
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", record.pk)


class LabelledTabularInline(admin.TabularInline):
    """A table of inline rows whose boxes name their column for screen readers: the table's
    column headers are not labels (axe's "label" rule), the delete box included."""

    delete_label = "Delete this row"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        delete_label = self.delete_label

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                for name, field in form.fields.items():
                    label = delete_label if name == "DELETE" else capfirst(field.label)
                    field.widget.attrs.setdefault("aria-label", label)

        return LabelledFormSet


class OpeningPeriodInline(LabelledTabularInline):
    model = OpeningPeriod
    extra = 0
    delete_label = "Delete this opening period"
    verbose_name = "opening period (response targets count in these hours)"
    verbose_name_plural = "opening periods (response targets count in these hours)"


class ClosedDayInline(LabelledTabularInline):
    model = ClosedDay
    extra = 0
    delete_label = "Delete this closed day"
    verbose_name = "closed day (a holiday: no response time counts)"
    verbose_name_plural = "closed days (holidays: no response time counts)"


@admin.register(ClinicDetails)
class ClinicDetailsAdmin(SingletonModelAdmin):
    inlines = [OpeningPeriodInline, ClosedDayInline]
    # A web address typed without a scheme is taken as https:// (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        ("Clinic", {"fields": ["name", "phone", "email"]}),
        ("Where and when", {"fields": ["street_address", "opening_hours"]}),
        ("Directions", {"fields": ["written_directions", "directions_url", "map_embed_url"]}),
        (
            "Urgent help (shown at the top of every page)",
            {"fields": ["emergency_number", "crisis_line_number", "crisis_line_name"]},
        ),
        (
            "Notices (linked from every page's footer)",
            {
                "fields": [
                    "privacy_practices_url",
                    "nondiscrimination_text",
                    "nondiscrimination_confirmed",
                ]
            },
        ),
    ]


@admin.register(LanguageTagline)
class LanguageTaglineAdmin(admin.ModelAdmin):
    list_display = [
        "english_name",
        "own_name",
        "language_code",
        "position",
        "checked_by_translator",
    ]

    list_filter = ["checked_by_translator"]
    search_fields = ["english_name", "own_name", "language_code"]
    fields = [
        "english_name",
        "own_name",
        "language_code",
        "direction",
        "text",
        "position",
        "checked_by_translator",
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("own_name", "text"):
            # Arabic or Persian typed here runs right to left as it is typed.
            formfield.widget.attrs["dir"] = "auto"
        return formfield


class OutboxAdmin(admin.ModelAdmin):
    """An outbox, read only: every queued email and its state, so one that keeps failing is
    easy to spot. The worker alone changes it."""

    list_filter = ["status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StaffEmail)
class StaffEmailAdmin(OutboxAdmin):
    list_display = ["subject", "status", "attempts", "next_attempt_at", "created_at"]
    search_fields = ["subject"]
    fields = [*list_display, "recipients", "body", "last_error", "sent_at"]
    readonly_fields = fields
