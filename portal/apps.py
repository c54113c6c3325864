from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.contrib.staticfiles.apps import StaticFilesConfig


class PortalConfig(AppConfig):
    """The project's wiring. An app only for its migration history: the clinic details
    started here and moved to the clinic app (portal/migrations/0002)."""

    # This module holds two AppConfigs: without default, Django would use neither for "portal".
    default = True
    name = "portal"
    verbose_name = "Project wiring"


class StaticFilesConfig(StaticFilesConfig):
    """Collect only the Bootstrap files the site links to, not every variant the package ships.

    Fewer files make `collectstatic` (which compresses each one) several times faster.
    """

    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "bootstrap/css/*.rtl.*",
        "bootstrap/css/bootstrap-*",
        "bootstrap/css/bootstrap.css*",
        "bootstrap/js/bootstrap.js*",
        "bootstrap/js/bootstrap.esm*",
        "bootstrap/js/bootstrap.min.js*",
        "bootstrap/js/bootstrap.bundle.js*",
        "bootstrap/js/jquery*",
    ]


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on a site that needs a second factor (clinic/staff_auth.py)."""

    default = False  # named in INSTALLED_APPS; PortalConfig stays this module's default

    default_site = "clinic.staff_auth.StaffAdminSite"
