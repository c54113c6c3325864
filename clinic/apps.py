from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """The shared base every feature app stands on: the clinic's details, the home and
    location pages, the health check and error pages, the page cache and security helpers."""

    name = "clinic"
    verbose_name = "Clinic site"

    def ready(self):
        from .caching import patients_read
        from .models import ClinicDetails, LanguageTagline

        patients_read(ClinicDetails, LanguageTagline)
