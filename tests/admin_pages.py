"""The admin pages a user can open, for tests that visit all of them."""

from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse


def admin_urls_for(user):
    """Every admin page the user can open: index, and each model's list, add and change."""
    request = RequestFactory().get("/")
    request.user = user
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    for model in filter(admin.site.is_registered, apps.get_models()):
        model_admin = admin.site.get_model_admin(model)
        info = (model._meta.app_label, model._meta.model_name)
        if not model_admin.has_view_or_change_permission(request):
            continue
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    return urls


def admin_urls_with_page_views(user, page):
    """admin_urls_for(user), and the education page's history, one old version and preview."""
    return [
        *admin_urls_for(user),
        reverse("admin:education_educationpage_history", args=[page.pk]),
        reverse(
            "admin:education_educationpage_simple_history",
            args=[page.pk, page.history.earliest().history_id],
        ),
        reverse("admin:education_educationpage_preview", args=[page.pk]),
    ]
