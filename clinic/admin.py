from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect

from .models import ClinicDetails, StaffEmail


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


@admin.register(ClinicDetails)
class ClinicDetailsAdmin(SingletonModelAdmin):
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
    ]


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
